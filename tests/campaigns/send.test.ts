import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAwsFake, startEmulator, type AwsFake, type Emulator, type EmulatorEmail } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";
import { composeMessage } from "../../src/features/campaigns/message";

/** Campaigns through the real SES emulator, on both send paths, end to end through the API. */

const KEY = { accessKeyId: "AKIACAMPAIGNS0000001", secretAccessKey: "campaigns-secret-access-key-0000000000" };

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let c: Client;
let workspaceId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com" } });
  c = new Client(t.app);
  workspaceId = (await c.signup("sender@example.com")).workspace.id;
  await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (done(v) || Date.now() > end) return v;
    await Bun.sleep(100);
  }
}

const finished = (id: string) =>
  waitFor(
    async () => (await c.get(`/campaigns/${id}`)).json,
    (j) => j.status === "sent" || j.status === "paused" || j.status === "cancelled",
  );

async function mailsTo(prefix: string): Promise<EmulatorEmail[]> {
  return (await emulator.store()).emails.filter((e) => e.destination.to[0]!.startsWith(prefix));
}

const headerOf = (mail: EmulatorEmail, name: string) => ((mail as unknown as { headers?: { name: string; value: string }[] }).headers ?? []).find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

describe("a campaign from a template and two overlapping lists", () => {
  let campaignId: string;
  let templateId: string;

  beforeAll(async () => {
    const a = await importInto(c, 'email,name,company\nbulk-ana@example.com,"Ana <b>&</b> Co",Acme\nbulk-bo@example.com,Bo,\nbulk-cy@example.com,,Cyco\n');
    const b = await importInto(c, "email,name\nbulk-bo@example.com,Bo\nbulk-dee@example.com,Dee\nbulk-gone@example.com,Gone\n");
    await c.post("/suppressions", { email: "bulk-gone@example.com" });
    templateId = (
      await c.post("/email/template", {
        name: "Bulk",
        subject: "Hello {{name|friend}}",
        html: '<p>Hi {{name|there}} of {{company|your company}}</p><p><a href="https://example.com/offer?who={{email}}">Offer</a> <a href="mailto:help@example.com">Help</a></p>',
      })
    ).json.id;
    const created = await c.post("/campaigns", { name: "Launch", from: "News <news@example.com>", templateId, listIds: [a.listId, b.listId] });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe("draft");
    campaignId = created.json.id;
  });

  test("the review counts who is mailed, who is suppressed and who is in two lists", async () => {
    const review = (await c.get(`/campaigns/${campaignId}/review`)).json;
    expect(review).toMatchObject({ distinct: 5, duplicates: 1, suppressed: 1, toSend: 4, problems: [] });
    expect(review.quotaLeft).toBe(50000 - 12500);
  });

  test("launching sends each address once through SendBulkEmail, with variables, tracking, headers and tags", async () => {
    const launched = await c.post(`/campaigns/${campaignId}/launch`);
    expect(launched.status).toBe(202);
    const done = await finished(campaignId);
    expect(done.status).toBe("sent");
    expect(done.counts).toMatchObject({ total: 5, sent: 4, suppressed: 1, failed: 0, unknown: 0, queued: 0 });
    expect(done.duplicates).toBe(1);
    expect(fake.calls.filter((call) => call.action === "SendBulkEmail").length).toBeGreaterThan(0);

    const mails = await mailsTo("bulk-");
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(["bulk-ana@example.com", "bulk-bo@example.com", "bulk-cy@example.com", "bulk-dee@example.com"]);
    const ana = mails.find((m) => m.destination.to[0] === "bulk-ana@example.com")!;
    expect(ana.subject).toBe("Hello Ana <b>&</b> Co");
    expect(ana.body.html).toContain("Hi Ana &lt;b&gt;&amp;&lt;/b&gt; Co of Acme");
    expect(ana.body.html).toContain('href="https://mail.example.com/t/c/');
    expect(ana.body.html).not.toContain("https://example.com/offer");
    expect(ana.body.html).toContain('href="mailto:help@example.com"');
    expect(ana.body.html).toContain('src="https://mail.example.com/t/o/');
    expect(headerOf(ana, "List-Unsubscribe")).toMatch(/^<https:\/\/mail\.example\.com\/u\/[^>]+>$/);
    expect(headerOf(ana, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect(mails.find((m) => m.destination.to[0] === "bulk-cy@example.com")!.subject).toBe("Hello friend");

    const recipients = (await c.get(`/campaigns/${campaignId}/recipients?status=sent`)).json;
    expect(recipients.total).toBe(4);
    for (const r of recipients.items) expect(r.messageId).toBe(mails.find((m) => m.destination.to[0] === r.email)!.messageId);
    const skipped = (await c.get(`/campaigns/${campaignId}/recipients?status=suppressed`)).json;
    expect(skipped.items.map((r: { email: string }) => r.email)).toEqual(["bulk-gone@example.com"]);
  });

  test("a bulk mail is the very mail SendEmail would have carried for the same recipient", async () => {
    const recipients = (await c.get(`/campaigns/${campaignId}/recipients?status=sent`)).json.items;
    const ana = recipients.find((r: { email: string }) => r.email === "bulk-ana@example.com");
    const row = await t.deps.db.rows<{ id: number; variables: string | Record<string, string> }>(
      (await import("drizzle-orm")).sql`select id, variables from recipients where campaign_id = ${campaignId} and email = 'bulk-ana@example.com'`,
    );
    const template = (await c.get(`/email/template/${templateId}`)).json;
    const variables = typeof row[0]!.variables === "string" ? JSON.parse(row[0]!.variables) : row[0]!.variables;
    const composed = composeMessage(
      t.deps.config,
      { workspaceId, campaignId, from: "News <news@example.com>", replyTo: null, subject: template.subject, html: template.html, text: template.text, tracking: true, configurationSet: null },
      { recipientId: Number(row[0]!.id), email: ana.email, variables },
      new Date(),
    );
    if (!composed.ok) throw new Error("missing variables");
    const mail = (await mailsTo("bulk-ana@")).at(-1)!;
    expect(mail.subject).toBe(composed.message.subject);
    expect(mail.body.html).toBe(composed.message.html);
    expect(mail.body.text).toBe(composed.message.text);
  });
});

describe("POST /email/send", () => {
  test("one address, inline content: one mail through SendEmail when a link's whole address is a variable", async () => {
    const reply = await c.post("/email/send", {
      from: "news@example.com",
      to: [{ email: "single-one@example.com", site: "https://example.org/welcome" }],
      subject: "For {{email}}",
      html: '<p><a href="{{site}}">Your page</a></p>',
    });
    expect(reply.status).toBe(202);
    expect(reply.json.queued).toBe(1);
    const done = await finished(reply.json.campaignId);
    expect(done.counts).toMatchObject({ total: 1, sent: 1 });
    const [mail] = await mailsTo("single-one@");
    expect(mail!.subject).toBe("For single-one@example.com");
    expect(mail!.body.html).toContain('href="https://mail.example.com/t/c/');
  });

  test("many addresses with shared and own variables; a repeated address is mailed once", async () => {
    const reply = await c.post("/email/send", {
      from: "news@example.com",
      to: ["many-a@example.com", { email: "many-b@example.com", name: "Bea" }, "MANY-A@example.com"],
      variables: { name: "everyone" },
      subject: "Hi {{name}}",
      html: "<p>Hello {{name}}</p>",
      tracking: false,
    });
    expect(reply.status).toBe(202);
    expect(reply.json.queued).toBe(2);
    await finished(reply.json.campaignId);
    const mails = await mailsTo("many-");
    expect(mails.map((m) => `${m.destination.to[0]} ${m.subject}`).sort()).toEqual(["many-a@example.com Hi everyone", "many-b@example.com Hi Bea"]);
    expect(mails[0]!.body.html).not.toContain("/t/o/");
    expect(mails[0]!.body.html).not.toContain("/t/c/");
  });

  test("a recipient missing a variable without fallback fails with a sentence; the others are sent", async () => {
    const reply = await c.post("/email/send", { from: "news@example.com", to: [{ email: "miss-a@example.com", code: "X1" }, "miss-b@example.com"], subject: "Code {{code}}", html: "<p>{{code}}</p>" });
    const done = await finished(reply.json.campaignId);
    expect(done.counts).toMatchObject({ sent: 1, failed: 1 });
    const failed = (await c.get(`/campaigns/${reply.json.campaignId}/recipients?status=failed`)).json.items;
    expect(failed).toEqual([expect.objectContaining({ email: "miss-b@example.com", error: "No value for {{code}} and no fallback." })]);
  });

  test("bad input is a 422 sentence, and nothing is left behind", async () => {
    const before = (await c.get("/campaigns", { accept: "application/json" })).json;
    expect((await c.post("/email/send", { from: "news@example.com", to: ["not an address"], subject: "x", html: "<p>x</p>" })).json.code).toBe("invalid_to");
    expect((await c.post("/email/send", { from: "news@example.com", subject: "x", html: "<p>x</p>" })).json.code).toBe("invalid_to");
    expect((await c.post("/email/send", { from: "nobody", to: "a@example.com", subject: "x", html: "<p>x</p>" })).json.code).toBe("invalid_from");
    const allSuppressed = await c.post("/email/send", { from: "news@example.com", to: "bulk-gone@example.com", subject: "x", html: "<p>x</p>" });
    expect(allSuppressed.status).toBe(422);
    expect(allSuppressed.json.error).toContain("No one would be mailed");
    const after = (await c.get("/campaigns", { accept: "application/json" })).json;
    expect(after?.total).toBe(before?.total);
  });
});

describe("safety rails", () => {
  test("a sender SES reports unverified is refused at launch with a sentence; a verified domain lets it through", async () => {
    fake.identities.set("news@unverified.example", { name: "news@unverified.example", type: "EMAIL_ADDRESS", verified: false, tokens: [] });
    fake.identities.set("verified.example", { name: "verified.example", type: "DOMAIN", verified: true, tokens: [] });
    try {
      const refused = await c.post("/email/send", { from: "Team <news@unverified.example>", to: "rail-a@example.com", subject: "x", html: "<p>x</p>" });
      expect(refused.status).toBe(422);
      expect(refused.json.error).toContain("news@unverified.example is not a verified identity in SES");
      const allowed = await c.post("/email/send", { from: "anyone@verified.example", to: "rail-b@example.com", subject: "x", html: "<p>x</p>" });
      expect(allowed.status).toBe(202);
      expect((await finished(allowed.json.campaignId)).counts.sent).toBe(1);
    } finally {
      fake.identities.clear();
    }
  });

  test("the review warns about a sandbox account and a campaign bigger than the quota left", async () => {
    const list = await importInto(c, "email\nrail-q1@example.com\nrail-q2@example.com\nrail-q3@example.com\n");
    const created = await c.post("/campaigns", { name: "Too big", from: "news@example.com", subject: "x", html: "<p>x</p>", listIds: [list.listId] });
    // The fake keeps the account per key and region, as SES does: this one is put in the sandbox for the test.
    const account = fake.account(KEY.accessKeyId, "us-east-1")!;
    const before = structuredClone(account);
    Object.assign(account, { SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 198 }, SendingEnabled: true, ProductionAccessEnabled: false });
    try {
      const review = (await c.get(`/campaigns/${created.json.id}/review`)).json;
      expect(review.quotaLeft).toBe(2);
      expect(review.problems).toEqual([]);
      expect(review.warnings.join(" ")).toContain("sandbox");
      expect(review.warnings.join(" ")).toContain("The 24-hour quota has 2 sends left and this campaign has 3 recipients");
    } finally {
      Object.assign(account, before);
    }
  });
});

test("an unsubscribe through a campaign mail's one-click link counts once on the campaign", async () => {
  const reply = await c.post("/email/send", { from: "news@example.com", to: ["unsub-a@example.com", "unsub-b@example.com"], subject: "x", html: "<p>x</p>" });
  await finished(reply.json.campaignId);
  const [mail] = await mailsTo("unsub-a@");
  const link = /^<([^>]+)>$/.exec(headerOf(mail!, "List-Unsubscribe")!)![1]!;
  const path = new URL(link).pathname;
  for (let i = 0; i < 2; i++) {
    const oneClick = await new Client(t.app).request("POST", path, { body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(oneClick.status).toBeLessThan(300);
  }
  expect((await c.get(`/campaigns/${reply.json.campaignId}`)).json.counts.unsubscribed).toBe(1);
});
