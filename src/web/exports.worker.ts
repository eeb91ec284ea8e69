/// <reference lib="webworker" />
import { openDatabase, type Database } from "../db/client";
import { listExportRows } from "../features/lists/service";
import { suppressionExportRows } from "../features/suppressions/service";
import { describeForLog } from "../lib/log";
import type { ExportRequest, ExportWorkerMessage, ExportWorkerReply } from "./exports";

/** One export, read here and handed to the main thread a chunk at a time, when it asks. */
let db: Database | null = null;
let rows: AsyncGenerator<string> | null = null;
const encoder = new TextEncoder();
const reply = (message: ExportWorkerReply, transfer: Transferable[] = []) => postMessage(message, transfer);

function reader(database: Database, request: ExportRequest): AsyncGenerator<string> {
  return request.name === "list" ? listExportRows(database, request.workspaceId, request.listId) : suppressionExportRows(database, request.workspaceId);
}

async function stop() {
  await rows?.return(undefined).catch(() => {});
  await db?.close().catch(() => {});
  self.close();
}

self.onmessage = async (event: MessageEvent<ExportWorkerMessage>) => {
  const message = event.data;
  try {
    if (message.type === "start") {
      db = await openDatabase(message.databaseUrl, { poolSize: 1 });
      rows = reader(db, message.request);
    } else if (message.type === "pull") {
      const next = await rows!.next();
      if (next.done) return reply({ type: "end" });
      const bytes = encoder.encode(next.value).buffer as ArrayBuffer;
      reply({ type: "chunk", bytes }, [bytes]);
    } else {
      await stop();
    }
  } catch (err) {
    reply({ type: "failed", error: describeForLog(err) });
  }
};
