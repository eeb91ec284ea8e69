import { createApp } from "./app";
import { auditIdle } from "./features/audit/trail";
import { ConfigError, loadConfig } from "./config";
import { openDatabase, type Database } from "./db/client";
import { probeWrites, STORAGE_PROBLEM_TEXT, storageProblem } from "./db/health";
import { migrate } from "./db/migrate";
import { recoverImports, stopAllImportRuns } from "./features/imports/imports.job";
import { stopHitWriters } from "./features/tracking/hits";
import { createJobs } from "./jobs/queue";
import { systemClock } from "./lib/clock";
import { createLogger, describeForLog, stackFrames } from "./lib/log";
import { keepDataPrivate } from "./lib/private";

/** Ends start-up with one line that says what is wrong and what to do. */
function cannotStart(reason: string): never {
  process.stderr.write(`Sesame cannot start: ${reason}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) cannotStart(err.message);
  throw err;
}
// Before the database, the queue and uploads are created: private to this user from the start.
try {
  keepDataPrivate(config.dataDir);
} catch {
  cannotStart(`DATA_DIR (${config.dataDir}) cannot be created or made private to this user; check that the user running Sesame owns it.`);
}

const log = createLogger(config.logLevel);
if (config.secretSource === "generated") {
  log.warn("APP_SECRET is not set: generated one into DATA_DIR/secret.key. Back it up; saved AWS keys cannot be decrypted without it.", {
    dataDir: config.dataDir,
  });
}
// A bug that leaves a promise unhandled is logged; it must not take every user's requests down with it.
process.on("unhandledRejection", (reason) => {
  log.error("unhandled rejection", { error: describeForLog(reason), stack: stackFrames(reason) });
});

let db: Database;
try {
  db = await openDatabase(config.databaseUrl);
  await migrate(db);
} catch (err) {
  const problem = storageProblem(err);
  if (problem === null) throw err;
  cannotStart(`the database cannot be ${problem === "unreachable" ? "reached" : "written"}. ${STORAGE_PROBLEM_TEXT[problem]}`);
}
const writable = await probeWrites(db, systemClock.now());
if (writable) cannotStart(`the database cannot be written. ${STORAGE_PROBLEM_TEXT[writable]}`);

const jobs = createJobs(config);
const deps = { config, db, log, clock: systemClock, jobs };
await jobs.start(deps);
// Imports a crash interrupted carry on now, not at the next maintenance run. With the embedded
// queue this process is the only instance, so no earlier run can still hold them.
await recoverImports(deps, { takeOver: !config.queueUrl });
const app = createApp(deps).listen({
  port: config.port,
  hostname: config.host,
  // CSV imports stream large files to disk; every other body is JSON, form or text, capped at 1 MB by
  // the parser (web/security.ts), which refuses other content types outright.
  maxRequestBodySize: 1024 * 1024 * 1024,
});
log.info("Sesame is listening", { url: config.publicUrl.origin, port: config.port, database: db.dialect });
if (process.stdout.isTTY) process.stdout.write(`\nSesame is running. Open ${config.publicUrl.origin} in your browser.\n\n`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  // Stop taking requests and let in-flight ones finish; imports pause after their current batch
  // (the next start resumes them), then the other jobs reach a safe point.
  await app.stop();
  // Every pixel and click answered is written before the database closes.
  await stopHitWriters();
  // And every audit entry of an answered request.
  await auditIdle();
  stopAllImportRuns();
  await jobs.stop();
  await db.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
