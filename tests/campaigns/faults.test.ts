import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { startSendFake, type SendFake } from "../support/ses-send-fake";

/**
 * The sender against a fake SES that fails the ways SES does: throttling, the daily quota, a paused
 * account, rejected addresses, 5xx, slow answers, and a send that reached SES but whose answer was lost.
 * After each, every recipient has exactly one outcome and no address got two mails.
 */

let fake: SendFake;
let t: TestApp;
let c: Client;
let workspaceId: string;

const ACCOUNT = { SendQuota: { MaxSendRate: 200, Max24HourSend: 100_000, SentLast24Hours: 0 }, SendingEnabled: true, ProductionAccessEnabled: true };

beforeAll(async () => {
  fake = await startSendFake({ account: ACCOUNT });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com" } });
  c = new Client(t.app);
  workspaceId = (await c.signup("faults@example.com")).workspace.id;
  expect((await c.post("/aws/connect", { accessKeyId: "AKIAFAULTS0000000001", secretAccessKey: "faults-secret-access-key-000000000000000", region: "eu-west-1", save: true })).status).toBe(200);
  await t.deps.db.rows(sql`update workspaces set configuration_set = 'sesame-faults' where id = ${workspaceId}`);
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});
beforeEach(async () => {
  await fake.reset();
  await fake.setAccount(ACCOUNT);
  await t.deps.db.rows(sql`delete from send_pacing`);
});

let batch = 0;
/** Addresses for one test: prefix-N@example.com. */
function addresses(n: number) {
  batch++;
  return Array.from({ length: n }, (_, i) => `f${batch}-${i}@example.com`);
}

const BULK = { subject: "Hi {{email}}", html: "<p>Hello {{name|there}}</p>" };
/** A link whose whole address is a variable keeps a campaign on SendEmail, one call per mail. */
const SINGLE = { subject: "Hi {{email}}", html: '<p><a href="{{site|https://example.com}}">Hello</a></p>' };

/** A workspace of its own, so that no sender of another test shares its pace or quota. */
async function freshWorkspace(): Promise<Client> {
  const other = new Client(t.app);
  await other.signup();
  expect((await other.post("/aws/connect", { accessKeyId: "AKIAFAULTS0000000002", secretAccessKey: "faults-secret-access-key-000000000000000", region: "eu-west-1", save: true })).status).toBe(200);
  return other;
}

async function send(to: string[], content = BULK, as: Client = c) {
  const reply = await as.post("/email/send", { from: "news@example.com", to, ...content });
  expect(reply.status).toBe(202);
  return reply.json.campaignId as string;
}

async function campaign(id: string, as: Client = c) {
  return (await as.get(`/campaigns/${id}`)).json;
}

async function until(id: string, done: (j: any) => boolean, as: Client = c, timeoutMs = 25_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const j = await campaign(id, as);
    if (done(j) || Date.now() > end) return j;
    await Bun.sleep(100);
  }
}

async function recipients(id: string, as: Client = c) {
  const all: { email: string; status: string; messageId: string | null; error: string | null }[] = [];
  for (let page = 1; ; page++) {
    const reply = (await as.get(`/campaigns/${id}/recipients?page=${page}`)).json;
    all.push(...reply.items);
    if (all.length >= reply.total || reply.items.length === 0) return all;
  }
}

/** Every address mailed at most once by the fake, and each "sent" row is the one mail the fake accepted. */
async function expectExactlyOnce(id: string, as: Client = c) {
  const received = await fake.received({ bodies: false });
  const byAddress = new Map<string, string[]>();
  for (const mail of received) for (const to of mail.to) byAddress.set(to, [...(byAddress.get(to) ?? []), mail.messageId]);
  const rows = await recipients(id, as);
  for (const row of rows) {
    const got = byAddress.get(row.email) ?? [];
    expect({ email: row.email, mails: got.length }).toEqual({ email: row.email, mails: row.status === "sent" ? 1 : got.length > 1 ? -1 : got.length });
    if (row.status === "sent") expect(row.messageId).toBe(got[0]!);
  }
  return rows;
}

describe.each([
  ["SendBulkEmail", BULK],
  ["SendEmail", SINGLE],
])("through %s", (path, content) => {
  test("mails carry the configuration set and the workspace, campaign and recipient tags", async () => {
    const id = await send(addresses(3), content);
    expect((await until(id, (j) => j.status === "sent")).counts.sent).toBe(3);
    const received = await fake.received();
    expect(received.every((m) => m.via === path)).toBe(true);
    for (const mail of received) {
      expect(mail.configurationSet).toBe("sesame-faults");
      const tags = Object.fromEntries(mail.tags.map((tag) => [tag.name, tag.value]));
      expect(tags.workspace).toBe(workspaceId);
      expect(tags.campaign).toBe(id);
      expect(Number(tags.recipient)).toBeGreaterThan(0);
    }
    await expectExactlyOnce(id);
  });

  test("a throttling burst slows the workspace down and every recipient still gets one mail", async () => {
    await fake.setFaults({ throttle: { burst: 3 } });
    const id = await send(addresses(40), content);
    const done = await until(id, (j) => j.status === "sent");
    expect(done.counts).toMatchObject({ total: 40, sent: 40, failed: 0, unknown: 0 });
    expect((await fake.calls()).filter((call) => call.status === 429).length).toBe(3);
    expect(t.logs.filter((line) => line.includes("SES said too fast") && line.includes(id)).length).toBeGreaterThan(0);
    await expectExactlyOnce(id);
  });

  test("an address SES rejects fails with SES's reason and the campaign goes on", async () => {
    const to = addresses(6);
    await fake.setFaults({ reject: [to[2]!] });
    const id = await send(to, content);
    const done = await until(id, (j) => j.status === "sent");
    expect(done.counts).toMatchObject({ sent: 5, failed: 1 });
    const failed = (await recipients(id)).find((r) => r.status === "failed")!;
    expect(failed.email).toBe(to[2]!);
    expect(failed.error).toContain("SES rejected this message");
    await expectExactlyOnce(id);
  });

  test("a send that reached SES but whose answer was lost is unknown, never re-sent by itself; resending is the user's call", async () => {
    await fake.setFaults({ dropNext: 1, dropMode: "close" });
    const id = await send(addresses(5), content);
    const done = await until(id, (j) => j.status === "sent");
    // One SendEmail call carries one mail; one SendBulkEmail call, the whole batch.
    const lost = done.counts.unknown;
    expect(path === "SendEmail" ? lost === 1 : lost >= 1).toBe(true);
    expect(done.counts).toMatchObject({ total: 5, sent: 5 - lost });
    const rows = await expectExactlyOnce(id);
    const unknown = rows.filter((r) => r.status === "unknown");
    // The fake did get them: "unknown" is honest, and re-sending by itself would have mailed them twice.
    const received = await fake.received({ bodies: false });
    for (const r of unknown) expect(received.filter((m) => m.to.includes(r.email)).length).toBe(1);
    expect(unknown[0]!.error).toContain("may or may not");

    const resent = await c.post(`/campaigns/${id}/resend-unknown`);
    expect(resent.status).toBe(202);
    expect(resent.json.queued).toBe(lost);
    const after = await until(id, (j) => j.status === "sent" && j.counts.unknown === 0);
    expect(after.counts).toMatchObject({ sent: 5, unknown: 0 });
  });
});

test("passing 5xx faults are retried until SES takes the mail", async () => {
  await fake.setFaults({ fail5xx: 1 });
  const id = await send(addresses(10), SINGLE);
  const end = Date.now() + 10_000;
  while ((await fake.calls()).filter((call) => call.status === 500).length < 3 && Date.now() < end) await Bun.sleep(50);
  await fake.setFaults({ fail5xx: 0 });
  const done = await until(id, (j) => j.status === "sent");
  expect(done.counts).toMatchObject({ sent: 10, failed: 0, unknown: 0 });
  await expectExactlyOnce(id);
});

test("slow answers only slow the campaign down", async () => {
  await fake.setFaults({ delayMs: 300 });
  const id = await send(addresses(8), SINGLE);
  const done = await until(id, (j) => j.status === "sent");
  expect(done.counts).toMatchObject({ sent: 8 });
  await expectExactlyOnce(id);
});

test("a paused account pauses every running campaign of the workspace with the reason, and resume carries on", async () => {
  await fake.setFaults({ paused: "SendingPausedException" });
  const first = await send(addresses(5), BULK);
  const second = await send(addresses(5), SINGLE);
  for (const id of [first, second]) {
    // Paused, and any batch a sender had claimed already given back.
    const paused = await until(id, (j) => j.status === "paused" && j.counts.sending === 0);
    expect(paused.status).toBe("paused");
    expect(paused.pauseReason).toContain("Sending is paused for this AWS account");
    expect(paused.counts.queued).toBe(5);
  }
  await fake.setFaults({ paused: null });
  for (const id of [first, second]) expect((await c.post(`/campaigns/${id}/resume`)).status).toBe(200);
  for (const id of [first, second]) {
    expect((await until(id, (j) => j.status === "sent")).counts.sent).toBe(5);
    await expectExactlyOnce(id);
  }
});

test("the daily quota holds the campaign until the window allows, saying so, and it carries on by itself", async () => {
  await fake.setFaults({ dailyQuota: true });
  const own = await freshWorkspace();
  const id = await send(addresses(6), BULK, own);
  await until(id, (j) => j.holdUntil !== null && j.counts.sending === 0, own);
  // Every sender has met the quota and stopped.
  await Bun.sleep(500);
  const held = await campaign(id, own);
  expect(held.status).toBe("running");
  expect(held.pauseReason).toContain("24-hour sending quota is used up");
  expect(held.counts.queued).toBe(6);
  await fake.setFaults({ dailyQuota: false });
  // Fifteen minutes later, as far as the campaign knows.
  await t.deps.db.rows(sql`update campaigns set hold_until = ${Date.now() - 1} where id = ${id}`);
  await t.deps.db.rows(sql`update send_pacing set checked_at = 0 where workspace_id = (select workspace_id from campaigns where id = ${id})`);
  const done = await until(id, (j) => j.status === "sent", own);
  expect(done.counts.sent).toBe(6);
  expect(done.pauseReason).toBeNull();
});

test("the quota read from GetAccount is not overspent: what is left is sent and the rest waits", async () => {
  await fake.setAccount({ SendQuota: { MaxSendRate: 200, Max24HourSend: 100, SentLast24Hours: 96 } });
  const own = await freshWorkspace();
  const id = await send(addresses(10), SINGLE, own);
  await until(id, (j) => j.holdUntil !== null && j.counts.sending === 0, own);
  await Bun.sleep(500);
  const held = await campaign(id, own);
  expect(held.counts.sent).toBe(4);
  expect(held.counts.queued).toBe(6);
  await expectExactlyOnce(id, own);
});

test("pause stops sending after the batch in flight; cancel cancels who is still queued", async () => {
  await fake.setAccount({ SendQuota: { MaxSendRate: 5, Max24HourSend: 100_000, SentLast24Hours: 0 } });
  const id = await send(addresses(40), SINGLE);
  await until(id, (j) => j.counts.sent >= 3);
  expect((await c.post(`/campaigns/${id}/pause`)).status).toBe(200);
  await Bun.sleep(1500);
  const paused = await campaign(id);
  const sentAtPause = paused.counts.sent;
  await Bun.sleep(1500);
  expect((await campaign(id)).counts.sent).toBe(sentAtPause);
  expect((await c.post(`/campaigns/${id}/cancel`)).status).toBe(200);
  const cancelled = await campaign(id);
  expect(cancelled.status).toBe("cancelled");
  expect(cancelled.counts.cancelled).toBe(40 - sentAtPause);
  expect((await c.post(`/campaigns/${id}/resume`)).status).toBe(409);
  await expectExactlyOnce(id);
});
