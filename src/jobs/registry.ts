import type { Deps } from "../deps";
import { pruneAuth } from "../features/auth/service";
import { recoverImports, runImportInWorker, sweepUploads } from "../features/imports/imports.job";

/** Every background job by name. Data is ids only; handlers re-read the database and are idempotent. */
export interface JobData {
  workspaceId?: string;
  id?: string;
}

export type JobName = "maintenance" | "imports";

export const handlers: Record<JobName, (deps: Deps, data: JobData) => Promise<void>> = {
  maintenance: async (deps) => {
    await pruneAuth(deps);
    await sweepUploads(deps);
    await recoverImports(deps);
  },
  imports: async (deps, data) => {
    if (data.id && data.workspaceId) await runImportInWorker(deps, { workspaceId: data.workspaceId, id: data.id });
  },
};
