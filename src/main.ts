import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { openDatabase } from "./db/client";
import { migrate } from "./db/migrate";
import { createJobs } from "./jobs/queue";
import { systemClock } from "./lib/clock";
import { createLogger } from "./lib/log";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`Sesame cannot start: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const log = createLogger(config.logLevel);
if (config.secretSource === "generated") {
  log.warn("APP_SECRET is not set: generated one into DATA_DIR/secret.key. Back it up; saved AWS keys cannot be decrypted without it.", {
    dataDir: config.dataDir,
  });
}

const db = await openDatabase(config.databaseUrl);
await migrate(db);
const jobs = createJobs(config);
const deps = { config, db, log, clock: systemClock, jobs };
await jobs.start(deps);
const app = createApp(deps).listen({
  port: config.port,
  hostname: config.host,
  // CSV imports stream large files to disk; every other body is JSON, form or text, capped at 1 MB by
  // the parser (web/security.ts), which refuses other content types outright.
  maxRequestBodySize: 1024 * 1024 * 1024,
});
log.info("Sesame is listening", { url: config.publicUrl.origin, port: config.port, database: db.dialect });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  // Stop taking requests and let in-flight ones finish, then let jobs reach a safe point.
  await app.stop();
  await jobs.stop();
  await db.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
