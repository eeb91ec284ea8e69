import type { Deps } from "../../deps";
import { savedKeys } from "../credentials/service";
import { DIRECTIONS, SYNC_EVERY_MS } from "./model";
import { claimSync, workspacesDueForSync } from "./queries";
import { currentRun, startSync } from "./sync";

/**
 * How long the "aws" job waits for one workspace's sync before moving on; a longer one (a first
 * push of a large list) goes on beside the job, which skips the workspace while it runs.
 */
const JOB_WAIT_MS = 10_000;

/** Keeps SES's account-level suppression list and the workspace's in step, in the direction each workspace chose. */
export async function syncSuppressionLists(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - SYNC_EVERY_MS);
  for (const workspace of await workspacesDueForSync(deps.db, before)) {
    try {
      if (currentRun(workspace.id)?.running) continue;
      const active = await savedKeys(deps, workspace.id);
      if (!active) continue;
      if (!(await claimSync(deps.db, workspace.id, now, before))) continue;
      // Pull first: what SES already has is then not pushed back to it.
      const runs = (async () => {
        for (const direction of DIRECTIONS[workspace.sync]) await startSync(deps, workspace.id, active.keys, direction).done;
      })();
      // A failure is logged by the run itself (with AWS's answer), before or after the wait ends.
      const settled = runs.catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, JOB_WAIT_MS)))]).finally(() => clearTimeout(timer));
    } catch (err) {
      // Keys that no longer open, a database hiccup: one workspace's failure never stops the others.
      deps.log.warn("SES suppression list sync skipped", { workspaceId: workspace.id, error: (err as Error).message });
    }
  }
}
