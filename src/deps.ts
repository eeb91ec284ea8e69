import type { Config } from "./config";
import type { Database } from "./db/client";
import type { Clock } from "./lib/clock";
import type { Jobs } from "./jobs/queue";
import type { Logger } from "./lib/log";

/** What services and routes are given; built once in main.ts (or per test) and passed down. */
export interface Deps {
  config: Config;
  db: Database;
  log: Logger;
  clock: Clock;
  jobs: Jobs;
}

/** The caller's tenancy: every workspace-owned query is scoped by `workspaceId` from here, never from input. */
export interface Scope {
  userId: string;
  workspaceId: string;
  /** The caller's role in this workspace. */
  role: "owner" | "admin" | "member";
}
