import type { Deps } from "../deps";
import { probeWrites, STORAGE_PROBLEM_TEXT, type StorageProblem } from "../db/health";

/** A write probe is repeated at most this often; /healthz answers from the last one meanwhile. */
const PROBE_EVERY_MS = 5_000;

export interface HealthReport {
  status: "ok" | "unavailable";
  database: "sqlite" | "postgres";
  problem?: StorageProblem;
  error?: string;
}

/**
 * /healthz: whether the database answers and accepts writes. The write probe runs in the background
 * once the first answer is known, so a health check never waits on another writer's lock.
 */
export function createHealth(deps: Pick<Deps, "db" | "clock">) {
  let last: { problem: StorageProblem | null; at: number } | null = null;
  let running: Promise<void> | null = null;
  const probe = () =>
    (running ??= probeWrites(deps.db, deps.clock.now())
      .then((problem) => {
        last = { problem, at: Date.now() };
      })
      .finally(() => {
        running = null;
      }));
  return {
    async check(): Promise<HealthReport> {
      // Reads are checked on every call (one cheap query); writes from the last probe.
      const reachable = await deps.db.ping().then(
        () => true,
        () => false,
      );
      if (!reachable) return { status: "unavailable", database: deps.db.dialect, problem: "unreachable", error: STORAGE_PROBLEM_TEXT.unreachable };
      if (!last) await probe();
      else if (Date.now() - last.at > PROBE_EVERY_MS) void probe();
      const problem = last!.problem;
      return problem
        ? { status: "unavailable", database: deps.db.dialect, problem, error: STORAGE_PROBLEM_TEXT[problem] }
        : { status: "ok", database: deps.db.dialect };
    },
  };
}
