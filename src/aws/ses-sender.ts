import type { Config } from "../config";
import type { AwsKeys } from "./client";
import type { BulkDestination, BulkResult, BulkTemplate, OutgoingMessage } from "./ses";

/**
 * Campaign sends go through the AWS SDK on a worker thread: building, signing and serialising a
 * request costs about half a millisecond of CPU, which on the thread that answers pages and records
 * outcomes would both cap sending and slow every page while a campaign runs. One worker per process
 * serves every sender; an error comes back with the fields the sender classifies it by.
 */
export interface SesSender {
  /** Settles when the sending thread has loaded and built this sender's client: a first send made earlier would miss its slot. */
  ready: Promise<void>;
  /** `notAfter` (epoch ms): past it the call is not made and fails with the name "LateForSlot". */
  sendEmail(message: OutgoingMessage, notAfter?: number): Promise<string>;
  sendBulk(template: BulkTemplate, destinations: BulkDestination[], notAfter?: number): Promise<BulkResult[]>;
  close(): void;
}

export type SenderRequest =
  | { type: "open"; client: number; call: number; keys: AwsKeys; endpoint: string | null }
  | { type: "send"; client: number; call: number; message: OutgoingMessage; notAfter?: number }
  | { type: "bulk"; client: number; call: number; template: BulkTemplate; destinations: BulkDestination[]; notAfter?: number }
  | { type: "close"; client: number };

export interface SenderError {
  name: string;
  message: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

export type SenderReply = { call: number; ok: true; value: string | BulkResult[] } | { call: number; ok: false; error: SenderError };

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (v: never) => void; reject: (e: unknown) => void }>();

function thread(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL("./ses-sender.worker.ts", import.meta.url).href);
  started.onmessage = (event: MessageEvent<SenderReply>) => {
    const reply = event.data;
    const waiting = pending.get(reply.call);
    if (!waiting) return;
    pending.delete(reply.call);
    if (reply.ok) waiting.resolve(reply.value as never);
    else waiting.reject(Object.assign(new Error(reply.error.message), reply.error));
  };
  const lost = () => {
    // The requests in flight may have reached SES: their callers record them as unknown.
    for (const [, waiting] of pending) waiting.reject(Object.assign(new Error("The sending thread stopped before SES answered"), { name: "TimeoutError" }));
    pending.clear();
    worker = null;
  };
  started.onerror = (event) => {
    event.preventDefault();
    lost();
  };
  started.addEventListener("close", lost);
  // The thread must not keep a process alive that has nothing else to do.
  (started as unknown as { unref(): void }).unref();
  worker = started;
  return started;
}

function ask<T>(request: Extract<SenderRequest, { call: number }>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    pending.set(request.call, { resolve: resolve as (v: never) => void, reject });
    // As JSON text: a string crosses to the thread on Bun's fast path, where a structured clone of a
    // batch's hundreds of small objects (headers, tags) cost the sending thread more than the text.
    // A mail with attachments carries bytes, which only a clone keeps.
    thread().postMessage(request.type === "send" && request.message.attachments?.length ? request : JSON.stringify(request));
  });
}

export function openSesSender(config: Config, keys: AwsKeys): SesSender {
  const client = nextId++;
  const ready = ask<string>({ type: "open", client, call: nextId++, keys, endpoint: config.sesEndpoint }).then(() => undefined);
  return {
    ready,
    sendEmail: (message, notAfter) => ask<string>({ type: "send", client, call: nextId++, message, notAfter }),
    sendBulk: (template, destinations, notAfter) => ask<BulkResult[]>({ type: "bulk", client, call: nextId++, template, destinations, notAfter }),
    close: () => worker?.postMessage({ type: "close", client } satisfies SenderRequest),
  };
}
