import { getAccount } from "../../aws/ses";
import type { Deps } from "../../deps";
import { savedKeys } from "../credentials/service";
import { SAMPLING } from "./model";
import { workspacesWithSavedKeys } from "./queries";
import { recordAccountReading } from "./service";

/**
 * When each workspace's account was last read, per process. Readings are kept only when they say
 * something new, so the table cannot tell when the last read was; a restart reads everyone once more.
 */
const lastRead = new Map<string, number>();

/** Reads GetAccount for workspaces with saved keys and records it (standing history, quota use over time). */
export async function sampleAccounts(deps: Deps): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const workspaceId of await workspacesWithSavedKeys(deps.db)) {
    const last = lastRead.get(workspaceId);
    if (last !== undefined && now - last < SAMPLING.readEveryMs && now >= last) continue;
    lastRead.set(workspaceId, now);
    try {
      const active = await savedKeys(deps, workspaceId);
      if (!active) continue;
      const account = await getAccount(deps.config, active.keys);
      await recordAccountReading(deps, workspaceId, active.keys.region, account);
    } catch (err) {
      const e = err as Error & { code?: string; detail?: string };
      deps.log.warn("account sample failed", { workspaceId, code: e.code, error: e.message, detail: e.detail });
    }
  }
}
