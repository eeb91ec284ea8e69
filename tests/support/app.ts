import { join } from "node:path";
import { createApp, type App } from "../../src/app";
import { loadConfig, type Config } from "../../src/config";
import type { Deps } from "../../src/deps";
import { stopHits } from "../../src/features/tracking/hits";
import { createJobs } from "../../src/jobs/queue";
import type { Clock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";
import { createTestDatabase, type TestDatabase } from "./db";

export const TEST_SECRET = "a".repeat(64);

export interface TestApp {
  app: App;
  deps: Deps;
  database: TestDatabase;
  /** Every log line the app wrote, to assert that secrets never reach them. */
  logs: string[];
  close(): Promise<void>;
}

/** A fake clock that tests move forward by hand. */
export function fakeClock(start = new Date("2026-06-01T10:00:00Z")): Clock & { advance(ms: number): void; set(d: Date): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
    set: (d) => {
      now = d.getTime();
    },
  };
}

/** A fully wired app on a fresh migrated database, with a real embedded queue in a temporary folder. */
export async function createTestApp(options: { env?: Record<string, string>; clock?: Clock; startJobs?: boolean } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config: Config = loadConfig({
    DATA_DIR: join(database.dir, "data"),
    DATABASE_URL: database.url,
    APP_SECRET: TEST_SECRET,
    LOG_LEVEL: "debug",
    // Test clients call http://localhost/… and browsers' Origin must be PUBLIC_URL's.
    PUBLIC_URL: "http://localhost",
    ...options.env,
  });
  const logs: string[] = [];
  const jobs = createJobs(config);
  const deps: Deps = {
    config,
    db: database.db,
    log: createLogger("debug", (line) => logs.push(line)),
    clock: options.clock ?? { now: () => new Date() },
    jobs,
  };
  if (options.startJobs) await jobs.start(deps);
  const app = createApp(deps);
  return {
    app,
    deps,
    database,
    logs,
    async close() {
      await stopHits(deps);
      await jobs.stop();
      await database.drop();
    },
  };
}
