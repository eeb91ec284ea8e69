import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { serve } from "../support/browser";
import { Client } from "../support/client";
import { importInto } from "../support/imports";
import { startS3, type LocalS3 } from "../support/s3";

/**
 * Issue 14's "done when", tried as a new user would over a real HTTP server: an owner invites a
 * colleague as member; the colleague sends a campaign but can neither see the AWS keys nor change
 * them; an API key sends a templated mail with curl exactly as /docs describes; a second key hits its
 * limit and gets 429 with the right headers; a campaign goes out with an S3 attachment that arrives in
 * the SES emulator.
 */

const KEY = { accessKeyId: "AKIADONEWHEN00000001", secretAccessKey: "done-when-secret-access-key-000000000000" };
const BUCKET = "done-when-files";

let emulator: Emulator;
let fake: AwsFake;
let s3: LocalS3;
let t: TestApp;
let server: { url: string; stop(): Promise<void> };
let root: Client;
let owner: Client;
let colleague: Client;
let templateId: string;
let listId: string;

interface StoredMail {
  messageId?: string;
  destination: { to: string[] };
  subject: string;
  html?: string;
  attachments?: { filename: string; content: string }[];
}

async function mailsTo(address: string): Promise<StoredMail[]> {
  const store = (await (await fetch(`${emulator.url}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((m) => m.destination.to.includes(address));
}

async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (done(v) || Date.now() > end) return v;
    await Bun.sleep(100);
  }
}

/** Runs curl for real and returns the status, the headers (lower-case names) and the body. */
async function curl(args: string[]) {
  const proc = Bun.spawn(["curl", "-sS", "-i", ...args], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  const split = out.indexOf("\r\n\r\n");
  const head = out.slice(0, split).split("\r\n");
  const status = Number(head[0]!.split(" ")[1]);
  const headers = new Map(head.slice(1).map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()] as [string, string]));
  const body = out.slice(split + 4);
  return { status, headers, body, json: (() => { try { return JSON.parse(body); } catch { return undefined; } })() };
}

beforeAll(async () => {
  [emulator, s3] = await Promise.all([startEmulator(), startS3({ [KEY.accessKeyId]: KEY.secretAccessKey })]);
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  await s3.createBucket(BUCKET);
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, ...s3.env } });
  server = serve(t);
  root = new Client(t.app);
  await root.signup("root@done-when.example");
  owner = new Client(t.app);
  await owner.signup("owner@done-when.example");
  expect((await owner.post("/aws/connect", { ...KEY, region: "us-east-1", save: true })).status).toBe(200);
  expect((await owner.put("/aws/s3", { bucket: BUCKET })).status).toBe(200);
  templateId = (await owner.post("/email/template", { name: "Welcome", subject: "Welcome {{name|friend}}", html: "<p>Hello {{name|there}}</p>" })).json.id;
  listId = (await importInto(owner, "email,name\nana@done-when.example,Ana\nbo@done-when.example,Bo\n")).listId;
});
afterAll(async () => {
  await server?.stop();
  await t?.close();
  await fake?.stop();
  await emulator?.stop();
  await s3?.stop();
});

describe("done when", () => {
  test("an owner invites a colleague as member, who can send a campaign but cannot see or change the AWS keys", async () => {
    const invite = await owner.post("/workspace/invites", { role: "member" });
    expect(invite.status).toBe(201);
    const token = new URL(invite.json.url).pathname.split("/").pop()!;
    colleague = new Client(t.app);
    const joined = await colleague.post("/auth/signup", { email: "colleague@done-when.example", password: "colleague password 1", invite: token });
    expect(joined.status).toBe(201);
    expect((await colleague.get("/workspace/members")).json.items.find((m: { email: string }) => m.email === "colleague@done-when.example").role).toBe("member");

    const created = await colleague.post("/campaigns", { name: "From the colleague", from: "news@done-when.example", templateId, listIds: [listId] });
    expect(created.status).toBe(201);
    expect((await colleague.post(`/campaigns/${created.json.id}/launch`)).status).toBe(202);
    const done = await waitFor(async () => (await colleague.get(`/campaigns/${created.json.id}`)).json, (c) => c.status === "sent");
    expect(done.counts).toMatchObject({ total: 2, sent: 2 });
    expect((await mailsTo("ana@done-when.example")).map((m) => m.subject)).toContain("Welcome Ana");

    // No secret anywhere the colleague can look, and no way to change the workspace's keys.
    for (const path of ["/settings/aws", "/aws/status", "/settings/api-keys", "/settings/members"]) {
      const r = await colleague.get(path, { accept: path.startsWith("/settings") ? "text/html" : "application/json" });
      expect(r.text).not.toContain(KEY.secretAccessKey);
      expect(r.text).not.toContain(KEY.accessKeyId);
    }
    expect((await colleague.post("/aws/connect", { ...KEY, region: "us-east-1", save: true })).status).toBe(403);
    expect((await colleague.delete("/aws/connect")).status).toBe(403);
    expect((await colleague.post("/aws/events/setup")).status).toBe(403);
    expect((await colleague.put("/aws/s3", { bucket: "elsewhere" })).status).toBe(403);
    expect((await owner.get("/aws/status")).json).toMatchObject({ connected: true, saved: true });
  });

  test("an API key sends a templated mail with curl exactly as /docs describes", async () => {
    const doc = (await curl([`${server.url}/docs/json`])).json;
    const operation = doc.paths["/email/send"].post;
    expect(operation.security).toContainEqual({ apiKey: [] });
    const example = operation.requestBody.content["application/json"].example;
    expect(example.templateId).toBeString();
    const key = (await owner.post("/api-keys", { name: "Shop", scope: "send" })).json.key as string;
    // The documented example, with this workspace's template and a real recipient in it.
    const body = { ...example, templateId, to: "curl@done-when.example", variables: { name: "Curl" } };
    delete body.listId;
    delete body.scheduledAt;
    delete body.attachments;
    const sent = await curl(["-H", `Authorization: Bearer ${key}`, "-H", "Content-Type: application/json", "-d", JSON.stringify(body), `${server.url}/email/send`]);
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ queued: 1 });
    expect(sent.headers.get("ratelimit-limit")).toMatch(/^\d+$/);
    const mail = await waitFor(() => mailsTo("curl@done-when.example"), (m) => m.length > 0);
    expect(mail.map((m) => m.subject)).toEqual(["Welcome Curl"]);
  });

  test("a second key hits its limit and gets 429 with the right headers", async () => {
    const second = (await owner.post("/api-keys", { name: "Batch job", scope: "full" })).json as { id: string; key: string };
    expect((await root.patch(`/admin/api-keys/${second.id}`, { requestsPerMinute: 2, mailsPerDay: null })).status).toBe(200);
    const call = () => curl(["-H", `Authorization: Bearer ${second.key}`, `${server.url}/lists`]);
    // Two requests fit in the minute (unless it turns over between them, when the count starts again).
    const first = await call();
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("2");
    let refused = await call();
    if (refused.status === 200) refused = await call();
    if (refused.status === 200 && refused.headers.get("ratelimit-remaining") !== "0") refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-limit")).toBe("2");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    const reset = Number(refused.headers.get("ratelimit-reset"));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(refused.headers.get("retry-after")).toBe(String(reset));
    expect(refused.json.code).toBe("rate_limited");
  });

  test("a campaign goes out with an S3 attachment that arrives in the SES emulator", async () => {
    const created = await owner.post("/campaigns", { name: "With the price list", from: "news@done-when.example", subject: "Prices", html: "<p>Attached</p>", listIds: [listId] });
    const form = new FormData();
    form.append("file", new File(["%PDF-1.4 price list"], "prices.pdf", { type: "application/pdf" }));
    const attached = await owner.request("POST", `/campaigns/${created.json.id}/attachments`, { body: form });
    expect(attached.status).toBe(201);
    expect((await owner.post(`/campaigns/${created.json.id}/launch`)).status).toBe(202);
    await waitFor(async () => (await owner.get(`/campaigns/${created.json.id}`)).json, (c) => c.status === "sent");
    const mails = (await mailsTo("bo@done-when.example")).filter((m) => m.subject === "Prices");
    expect(mails.length).toBe(1);
    expect(mails[0]!.attachments?.map((a) => [a.filename, Buffer.from(a.content, "base64").toString()])).toEqual([["prices.pdf", "%PDF-1.4 price list"]]);
  });
});
