import type { Deps } from "../deps";

/** The long reads that run on a worker thread; each names what it reads, already checked against the caller's workspace. */
export type ExportRequest = { name: "list"; workspaceId: string; listId: string } | { name: "suppressions"; workspaceId: string };

export type ExportWorkerMessage = { type: "start"; databaseUrl: string; request: ExportRequest } | { type: "pull" } | { type: "stop" };
export type ExportWorkerReply = { type: "chunk"; bytes: ArrayBuffer } | { type: "end" } | { type: "failed"; error: string };

/**
 * A CSV export read on a worker thread with its own database connection and streamed to the client
 * as it asks for more: however large the export, this thread only passes bytes along, so the
 * requests it answers never wait behind one.
 */
export function exportStream(deps: Pick<Deps, "config" | "log">, request: ExportRequest): ReadableStream<Uint8Array> {
  const worker = new Worker(new URL("./exports.worker.ts", import.meta.url).href);
  let answer: ((reply: ExportWorkerReply) => void) | null = null;
  // A failure the worker reports while nobody is waiting is kept for the next pull.
  let pending: ExportWorkerReply | null = null;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const stop: ExportWorkerMessage = { type: "stop" };
    worker.postMessage(stop);
  };
  const receive = (reply: ExportWorkerReply) => {
    if (answer) answer(reply);
    else pending = reply;
  };
  worker.onmessage = (event: MessageEvent<ExportWorkerReply>) => receive(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    receive({ type: "failed", error: String(event.message) });
  };
  return new ReadableStream<Uint8Array>({
    start() {
      const start: ExportWorkerMessage = { type: "start", databaseUrl: deps.config.databaseUrl, request };
      worker.postMessage(start);
    },
    pull(controller) {
      return new Promise<void>((resolve) => {
        answer = (reply) => {
          answer = null;
          if (reply.type === "chunk") controller.enqueue(new Uint8Array(reply.bytes));
          else {
            end();
            if (reply.type === "end") controller.close();
            else {
              deps.log.error("export failed", { export: request.name, error: reply.error.slice(0, 300) });
              controller.error(new Error("The export stopped part-way."));
            }
          }
          resolve();
        };
        if (pending) {
          const reply = pending;
          pending = null;
          return answer(reply);
        }
        const pull: ExportWorkerMessage = { type: "pull" };
        worker.postMessage(pull);
      });
    },
    cancel() {
      end();
    },
  });
}
