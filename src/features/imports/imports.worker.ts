/// <reference lib="webworker" />
import { openDatabase } from "../../db/client";
import { systemClock } from "../../lib/clock";
import { createLogger, describeForLog } from "../../lib/log";
import { runImport } from "./imports.job";
import type { ImportWorkerMessage, ImportWorkerReply } from "./model";

/**
 * An import running on its own thread with its own database connection: parsing a large CSV and
 * writing its rows never holds up the requests the main thread answers.
 */
const controller = new AbortController();
const reply = (message: ImportWorkerReply) => postMessage(message);

self.onmessage = async (event: MessageEvent<ImportWorkerMessage>) => {
  const message = event.data;
  if (message.type === "stop") {
    controller.abort();
    return;
  }
  const log = createLogger(message.logLevel, (line) => reply({ type: "log", line }));
  let db;
  try {
    db = await openDatabase(message.databaseUrl, { poolSize: 3 });
    await runImport({ db, clock: systemClock, log }, message.ref, {
      signal: controller.signal,
      onClaim: (runner) => reply({ type: "claimed", runner }),
    });
    reply({ type: "done" });
  } catch (err) {
    reply({ type: "failed", error: describeForLog(err) });
  } finally {
    await db?.close().catch(() => {});
  }
};
