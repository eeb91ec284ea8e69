import { SESv2Client } from "@aws-sdk/client-sesv2";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
import { collectIfLarge } from "../lib/memory";
import { clientConfig } from "./client";
import { sendBulkEmail, sendCampaignEmail } from "./ses";
import type { SenderError, SenderReply, SenderRequest } from "./ses-sender";

declare const self: Worker;

const clients = new Map<number, SESv2Client>();

/**
 * A connection cut once the request may have gone out. The SDK's node:http handler names these a
 * TimeoutError; Bun's fetch throws them as a TypeError with the code. Either way SES may have taken
 * the mail, so the sender must read them as a timeout (unknown), never as a refusal to retry.
 */
const CUT = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);

function errorOf(err: unknown): SenderError {
  const e = (err ?? {}) as SenderError & { $metadata?: { httpStatusCode?: number } };
  return {
    name: CUT.has(String(e.code)) ? "TimeoutError" : String(e.name ?? "Error"),
    message: String(e.message ?? ""),
    ...(e.code ? { code: String(e.code) } : {}),
    ...(e.$fault ? { $fault: String(e.$fault) } : {}),
    ...(e.$metadata?.httpStatusCode ? { $metadata: { httpStatusCode: e.$metadata.httpStatusCode } } : {}),
  };
}

// The SDK leaves much short-lived garbage per request, which JSC collects late: while requests come,
// a full collection each second when the process has grown keeps its peak memory down (see bench/send).
let served = 0;
setInterval(() => {
  if (served === 0) return;
  served = 0;
  collectIfLarge();
}, 1_000).unref();

self.onmessage = async (event: MessageEvent<SenderRequest | string>) => {
  const request: SenderRequest = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
  served++;
  if (request.type === "open") {
    // No SDK retries: a retry after a timeout could mail someone twice. The sender decides what to
    // retry from what each failure means (src/features/campaigns/model.ts, sendVerdict).
    // Bun's own fetch carries the requests: measured against the same fake, it costs about a sixth less
    // CPU per SendEmail than the SDK's node:http handler and sends about a quarter more per second
    // (bench/send). Its one timeout is the whole request's; the answer to a send that outlives it is
    // unknown, as before.
    const config = clientConfig(request.keys, request.endpoint);
    const handler = new FetchHttpHandler({ requestTimeout: config.requestHandler.requestTimeout, keepAlive: true });
    clients.set(request.client, new SESv2Client({ ...config, requestHandler: handler, maxAttempts: 1 }));
    self.postMessage({ call: request.call, ok: true, value: "ready" } satisfies SenderReply);
    return;
  }
  if (request.type === "close") {
    clients.get(request.client)?.destroy();
    clients.delete(request.client);
    return;
  }
  const client = clients.get(request.client);
  let reply: SenderReply;
  try {
    if (!client) throw Object.assign(new Error("No SES client for this sender"), { name: "TimeoutError" });
    // Checked here, just before the request leaves: a send late for its pace slot is not made at all.
    if (request.notAfter !== undefined && Date.now() > request.notAfter) throw Object.assign(new Error("Late for its slot"), { name: "LateForSlot" });
    const value = request.type === "send" ? await sendCampaignEmail(client, request.message) : await sendBulkEmail(client, request.template, request.destinations);
    reply = { call: request.call, ok: true, value };
  } catch (err) {
    reply = { call: request.call, ok: false, error: errorOf(err) };
  }
  self.postMessage(reply);
};
