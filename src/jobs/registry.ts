import type { Deps } from "../deps";
import { pruneAuth } from "../features/auth/service";
import { sampleAccounts } from "../features/aws-account/samples.job";
import { kickCampaign, startSender, stopSender } from "../features/campaigns/send.job";
import { refreshIdentities } from "../features/identities/identities.job";
import { recoverImports, runImportInWorker, sweepUploads } from "../features/imports/imports.job";
import { syncSuppressionLists } from "../features/ses-suppressions/sync.job";

/** Every background job by name. Data is ids only; handlers re-read the database and are idempotent. */
export interface JobData {
  workspaceId?: string;
  id?: string;
}

export type JobName = "maintenance" | "imports" | "campaigns" | "aws";

export const handlers: Record<JobName, (deps: Deps, data: JobData) => Promise<void>> = {
  maintenance: async (deps) => {
    await pruneAuth(deps);
    await sweepUploads(deps);
    await recoverImports(deps);
  },
  imports: async (deps, data) => {
    if (data.id && data.workspaceId) await runImportInWorker(deps, { workspaceId: data.workspaceId, id: data.id });
  },
  // Every minute: each task decides per workspace whether it is due, and one failing does not stop the others.
  aws: async (deps) => {
    for (const [name, task] of [
      ["identities", refreshIdentities],
      ["ses-suppressions", syncSuppressionLists],
      ["account-samples", sampleAccounts],
    ] as const) {
      await task(deps).catch((err: Error) => deps.log.warn("background AWS task failed", { task: name, error: err.message }));
    }
  },
  campaigns: async (deps, data) => {
    if (data.id && data.workspaceId) await kickCampaign(deps, data.workspaceId, data.id);
  },
};

/**
 * Work that runs beside the queue while jobs run: the campaign sender's heartbeat and scheduler.
 * `takeOver`: this process is the only instance (embedded queue).
 */
export const background = {
  start: (deps: Deps, options: { takeOver: boolean }) => startSender(deps, options),
  stop: () => stopSender(),
};
