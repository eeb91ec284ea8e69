import { getIdentity } from "../../aws/identities";
import { AwsFailure } from "../../aws/errors";
import type { Deps } from "../../deps";
import { savedKeys } from "../credentials/service";
import { LAST_CHECK_MS, rowFromDetail, type CachedIdentity } from "./model";
import { findDueIdentities, forgetCachedIdentity, postponeIdentityChecks, saveCachedIdentity } from "./queries";

/** GetEmailIdentity calls one run may make: SES allows about one identity call a second per account, and people use it too. */
const READS_PER_RUN = 5;
/** After a refused or throttled check. */
const RETRY_MS = 5 * 60_000;

/**
 * Re-reads identities still pending verification, DKIM or MAIL FROM whose next check is due, with
 * the workspace's saved keys, so an identity turns verified without anyone opening a page. A
 * workspace without saved keys is tried again in an hour, one whose check fails in five minutes; one workspace's
 * failure never stops the others.
 */
export async function refreshIdentities(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const due = await findDueIdentities(deps.db, now, READS_PER_RUN);
  const byWorkspace = new Map<string, CachedIdentity[]>();
  for (const row of due) byWorkspace.set(row.workspaceId, [...(byWorkspace.get(row.workspaceId) ?? []), row]);
  const later = new Date(now.getTime() + LAST_CHECK_MS);

  for (const [workspaceId, rows] of byWorkspace) {
    const active = await savedKeys(deps, workspaceId).catch((err: Error) => {
      deps.log.warn("identity refresh: saved keys unusable", { workspaceId, error: err.message });
      return null;
    });
    const checkable = active ? rows.filter((row) => row.region === active.keys.region) : [];
    // Rows of another region (the keys moved) or without keys wait until keys for them are back.
    const waiting = rows.filter((row) => !checkable.includes(row));
    await postponeIdentityChecks(deps.db, workspaceId, waiting, later);
    for (const [index, row] of checkable.entries()) {
      try {
        const detail = await getIdentity(deps.config, active!.keys, row.name);
        await saveCachedIdentity(deps.db, rowFromDetail(workspaceId, row.region, detail, row, deps.clock.now()));
      } catch (err) {
        if (err instanceof AwsFailure && err.code === "aws_not_found") {
          await forgetCachedIdentity(deps.db, workspaceId, row.region, row.name);
          continue;
        }
        deps.log.warn("identity refresh failed", {
          workspaceId,
          identity: row.name,
          ...(err instanceof AwsFailure ? { action: err.action, code: err.code, detail: err.detail } : { error: (err as Error).message }),
        });
        // Throttled or refused: the rest of this workspace's checks wait a few minutes too, rather than meeting the same answer.
        await postponeIdentityChecks(deps.db, workspaceId, checkable.slice(index), new Date(now.getTime() + RETRY_MS));
        break;
      }
    }
  }
}
