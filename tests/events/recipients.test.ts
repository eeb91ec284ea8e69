import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { sesEventAbout, signedSnsMessage, startCertServer, type SentMail } from "../support/sns";
import { waitFor } from "../support/wait";

/**
 * SES events reach the recipients and campaigns they belong to: every event type in both formats,
 * forward-only statuses, counters in step with the rows, duplicates and disorder harmless, unknown
 * outcomes settled, the soft-bounce rule and the reputation guard.
 */

const KEY = { accessKeyId: "AKIAEVENTSRECIPIENT1", secretAccessKey: "events-recipient-secret-access-key-000000" };

let emulator: Emulator;
let fake: AwsFake;
let certs: ReturnType<typeof startCertServer>;
let t: TestApp;
let c: Client;
let workspaceId: string;
let topicArn: string;
let configurationSet: string;

type Sent = SentMail;

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  certs = startCertServer();
  t = await createTestApp({
    startJobs: true,
    env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com", ...certs.env, SNS_SUBSCRIBE_URL_PATTERN: `^${fake.url.replace(/[.]/g, "\\.")}/` },
  });
  c = new Client(t.app);
  workspaceId = (await c.signup("events-owner@example.com")).workspace.id;
  await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
  const setup = (await c.post("/aws/events/setup")).json;
  topicArn = setup.topicArn;
  configurationSet = setup.configurationSet;
});
afterAll(async () => {
  await t.close();
  certs.stop();
  await fake.stop();
  await emulator.stop();
});

/** Sends a real campaign through the emulator and returns its recipients with their SES message ids. */
async function sendTo(emails: string[]): Promise<{ campaignId: string; sent: Sent[] }> {
  const res = await c.post("/email/send", { from: "news@example.com", to: emails, subject: "Hello", html: '<p>Hi <a href="https://example.com/a">A</a></p>' });
  expect(res.status).toBe(202);
  const campaignId = res.json.campaignId;
  const done = await waitFor(
    async () => (await c.get(`/campaigns/${campaignId}`)).json,
    (j) => j.status === "sent",
  );
  expect(done.counts.sent).toBe(emails.length);
  const { db } = t.deps;
  const rows = await db.orm
    .select({ id: db.t.recipients.id, email: db.t.recipients.email, messageId: db.t.recipients.messageId })
    .from(db.t.recipients)
    .where(eq(db.t.recipients.campaignId, campaignId));
  return { campaignId, sent: rows.map((r) => ({ ...r, messageId: r.messageId! })) };
}

type Kind = "send" | "delivery" | "bounce-permanent" | "bounce-transient" | "complaint" | "reject" | "rendering-failure" | "delivery-delay" | "open" | "click";

/** A real SES event shape (publishing format) about one recipient, with the tags Sesame's mails carry. */
const eventAbout = (kind: Kind, to: Sent, campaignId: string, at = new Date(), extra: { messageId?: string } = {}) =>
  sesEventAbout(kind, to, { configurationSet, workspaceId, campaignId }, at, extra.messageId);

/** The same event as an identity notification (`notificationType`), as SES sends to a topic set on the identity. */
function asNotification(event: Record<string, any>) {
  const { eventType, ...rest } = event;
  return { notificationType: eventType, ...rest };
}

async function post(event: object, snsMessageId?: string) {
  const body = signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: JSON.stringify(event), MessageId: snsMessageId }, certs.certUrl, "2");
  const res = await new Client(t.app).request("POST", "/sns/notifications", { body: JSON.stringify(body), headers: { "content-type": "text/plain; charset=UTF-8" } });
  expect(res.status).toBe(200);
  return res.json as { outcome: string; events: number };
}

async function recipient(id: number) {
  const { db } = t.deps;
  const [row] = await db.orm.select().from(db.t.recipients).where(eq(db.t.recipients.id, id));
  return row!;
}

/** A page's words, without its markup. */
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

const counts = async (campaignId: string) => (await c.get(`/campaigns/${campaignId}`)).json.counts;

describe("every SES event lands on its recipient", () => {
  let campaignId: string;
  let sent: Sent[];

  beforeAll(async () => {
    ({ campaignId, sent } = await sendTo(Array.from({ length: 10 }, (_, i) => `ev-${i}@example.com`)));
  });

  test("each type, in the publishing format and as an identity notification, is recorded against the recipient", async () => {
    const kinds: Kind[] = ["send", "delivery", "delivery-delay", "open", "click", "bounce-transient"];
    for (const [i, kind] of kinds.entries()) {
      const to = sent[i]!;
      // Opens and clicks a minute after the send: a person's, not a scanner's within seconds of delivery.
      const event = await eventAbout(kind, to, campaignId, new Date(Date.now() + (kind === "open" || kind === "click" ? 60_000 : 0)));
      expect((await post(i % 2 ? asNotification(event) : event)).outcome).toBe("recorded");
    }
    const { db } = t.deps;
    const events = await db.orm.select().from(db.t.events).where(eq(db.t.events.campaignId, campaignId));
    for (const [i, kind] of kinds.entries()) {
      const type = kind.replace("-", "_").replace("_transient", "");
      const found = events.find((e) => e.recipientId === sent[i]!.id && e.type === type);
      expect(found, `${kind} recorded on ${sent[i]!.email}`).toBeDefined();
      expect(found!.email).toBe(sent[i]!.email);
      expect((found!.detail as { messageId: string }).messageId).toBe(sent[i]!.messageId);
      // The raw SES event is kept for the explorer.
      expect((found!.detail as { raw: { mail: { messageId: string } } }).raw.mail.messageId).toBe(sent[i]!.messageId);
    }
    expect((await recipient(sent[1]!.id)).status).toBe("delivered");
    expect((await recipient(sent[3]!.id)).status).toBe("opened");
    expect((await recipient(sent[4]!.id)).status).toBe("clicked");
    // A soft bounce leaves the mail sent, says why, and suppresses nobody yet.
    const soft = await recipient(sent[5]!.id);
    expect(soft.status).toBe("sent");
    expect(soft.error).toContain("Soft bounce");
    // SES's own open and click tracking is classified like Sesame's (a phone's mail app and a desktop browser, long after the send).
    const click = events.find((e) => e.type === "click")!;
    expect(click.class).toBe("human");
    expect((click.detail as { url: string }).url).toBe("http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html");
    const n = await counts(campaignId);
    expect(n).toMatchObject({ delivered: 1, opened: 2, clicked: 1, humanOpened: 2, humanClicked: 1, bounced: 0, delayed: 1 });
  });

  test("a Permanent bounce, a complaint and a rejection move the recipient past everything else, and count once", async () => {
    const [bounced, complained, rejected, rendering] = [sent[6]!, sent[7]!, sent[8]!, sent[9]!];
    await post(await eventAbout("delivery", bounced, campaignId));
    await post(asNotification(await eventAbout("bounce-permanent", bounced, campaignId)));
    await post(await eventAbout("click", complained, campaignId));
    await post(asNotification(await eventAbout("complaint", complained, campaignId)));
    await post(await eventAbout("reject", rejected, campaignId));
    await post(await eventAbout("rendering-failure", rendering, campaignId));
    expect((await recipient(bounced.id)).status).toBe("bounced");
    expect((await recipient(complained.id)).status).toBe("complained");
    const r = await recipient(rejected.id);
    expect(r.status).toBe("failed");
    expect(r.error).toContain("rejected");
    expect((await recipient(rendering.id)).status).toBe("failed");
    const n = await counts(campaignId);
    expect(n).toMatchObject({ bounced: 1, complained: 1, rejected: 2, delivered: 2 });
    // Suppressed at once, each naming the event that caused it.
    const { db } = t.deps;
    const suppressions = await db.orm.select().from(db.t.suppressions).where(eq(db.t.suppressions.workspaceId, workspaceId));
    for (const [who, reason, type] of [[bounced, "hard_bounce", "bounce"], [complained, "complaint", "complaint"]] as const) {
      const s = suppressions.find((x) => x.email === who.email);
      expect(s?.reason).toBe(reason);
      const [cause] = await db.orm.select().from(db.t.events).where(eq(db.t.events.id, s!.eventId!));
      expect(cause).toMatchObject({ type, recipientId: who.id });
      // The suppressions page links to that event in the address's timeline.
      const listed = (await c.get(`/suppressions?q=${encodeURIComponent(who.email)}`, { accept: "text/html" })).text;
      const link = `/events/timeline?email=${encodeURIComponent(who.email)}#event-${s!.eventId}`;
      expect(listed).toContain(`href="${link.replace(/&/g, "&amp;")}"`);
      expect((await c.get(link.split("#")[0]!, { accept: "text/html" })).text).toContain(`id="event-${s!.eventId}"`);
    }
  });

  test("late, repeated and out-of-order events change nothing they should not", async () => {
    const to = sent[2]!; // only a delay so far
    const t0 = Date.now();
    const click = await eventAbout("click", to, campaignId, new Date(t0));
    const open = await eventAbout("open", to, campaignId, new Date(t0 - 5_000));
    const delivery = await eventAbout("delivery", to, campaignId, new Date(t0 - 60_000));
    const before = await counts(campaignId);
    // Newest first.
    await post(click, "sns-click-1");
    await post(open);
    await post(delivery, "sns-delivery-1");
    // SNS redelivers; the same event arrives again through the identity's own topic.
    expect(await post(click, "sns-click-1")).toEqual({ outcome: "duplicate", events: 0 });
    expect(await post(delivery, "sns-delivery-1")).toEqual({ outcome: "duplicate", events: 0 });
    expect((await post(asNotification(delivery), "sns-delivery-2")).outcome).toBe("duplicate");
    const row = await recipient(to.id);
    expect(row.status).toBe("clicked");
    expect(row.deliveredAt!.getTime()).toBe(t0 - 60_000);
    const after = await counts(campaignId);
    expect(after.delivered - before.delivered).toBe(1);
    expect(after.opened - before.opened).toBe(1);
    expect(after.clicked - before.clicked).toBe(1);
    // A second click is a second hit, not a second clicker.
    await post(await eventAbout("click", to, campaignId, new Date(t0 + 60_000)));
    const again = await counts(campaignId);
    expect(again.clicked).toBe(after.clicked);
    const { db } = t.deps;
    const [hits] = await db.rows<{ clicks: number }>(sql`select coalesce(sum(clicked), 0) as clicks from campaign_stats where campaign_id = ${campaignId}`);
    expect(Number(hits!.clicks)).toBe(4);
    // The counters agree with the rows behind them.
    const [truth] = await db.rows<{ delivered: number; clicked: number }>(
      sql`select sum(case when delivered_at is not null then 1 else 0 end) as delivered, sum(case when clicked_at is not null then 1 else 0 end) as clicked from recipients where campaign_id = ${campaignId}`,
    );
    expect(again.delivered).toBe(Number(truth!.delivered));
    expect(again.clicked).toBe(Number(truth!.clicked));
  });
});

describe("at once", () => {
  test("many SNS posts at the same moment are all recorded, none waiting on another's transaction", async () => {
    const { campaignId, sent } = await sendTo(Array.from({ length: 40 }, (_, i) => `together-${i}@example.com`));
    const bodies = await Promise.all(sent.map(async (to, i) => eventAbout(i % 4 === 0 ? "bounce-permanent" : "delivery", to, campaignId)));
    const started = Date.now();
    const answers = await Promise.all(bodies.map((event) => post(event)));
    // Two posts in one transaction's way used to stall for SQLite's whole 10 s busy timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers.every((a) => a.outcome === "recorded")).toBe(true);
    expect(await counts(campaignId)).toMatchObject({ delivered: 30, bounced: 10 });
  });

  test("a NUL in an SES diagnostic (which PostgreSQL's jsonb refuses) is dropped, and the event recorded", async () => {
    const { campaignId, sent } = await sendTo(["nul@example.com"]);
    const event = await eventAbout("bounce-permanent", sent[0]!, campaignId);
    event.bounce.bouncedRecipients[0].diagnosticCode = "smtp; 550 5.1.1 \u0000unknown";
    expect((await post(event)).outcome).toBe("recorded");
    const { db } = t.deps;
    const [row] = await db.orm.select().from(db.t.events).where(and(eq(db.t.events.recipientId, sent[0]!.id), eq(db.t.events.type, "bounce")));
    expect((row!.detail as { diagnosticCode: string }).diagnosticCode).toBe("smtp; 550 5.1.1 unknown");
  });
});

describe("unknown outcomes", () => {
  test("an SES event carrying the recipient tag settles an unknown recipient as sent, and the page says how many were settled", async () => {
    const { campaignId, sent } = await sendTo(["unk-1@example.com", "unk-2@example.com", "unk-3@example.com"]);
    const { db } = t.deps;
    // As a crash leaves them: the call may have reached SES, no message id was recorded.
    for (const r of sent) {
      await db.orm.update(db.t.recipients).set({ status: "unknown", messageId: null, sentAt: null }).where(eq(db.t.recipients.id, r.id));
    }
    expect(await counts(campaignId)).toMatchObject({ unknown: 3, settled: 0 });
    await post(await eventAbout("send", sent[0]!, campaignId, new Date(), { messageId: "ses-settled-by-send" }));
    // A delivery is as good a proof as the Send event.
    await post(await eventAbout("delivery", sent[1]!, campaignId, new Date(), { messageId: "ses-settled-by-delivery" }));
    // A tag naming the recipient with another address proves nothing.
    await post(await eventAbout("send", { ...sent[2]!, email: "someone-else@example.com" }, campaignId, new Date(), { messageId: "ses-wrong-address" }));
    const first = await recipient(sent[0]!.id);
    expect(first).toMatchObject({ status: "sent", messageId: "ses-settled-by-send", error: null });
    expect(await recipient(sent[1]!.id)).toMatchObject({ status: "delivered", messageId: "ses-settled-by-delivery" });
    expect((await recipient(sent[2]!.id)).status).toBe("unknown");
    expect(await counts(campaignId)).toMatchObject({ unknown: 1, settled: 2, sent: 2, delivered: 1 });
    const page = text((await c.get(`/campaigns/${campaignId}`, { accept: "text/html" })).text);
    expect(page).toContain("2 settled by SES events (SES reported them sent); 1 still unknown.");
  });
});

describe("the soft-bounce rule", () => {
  test("three Transient bounces within 30 days suppress the address, linked to the third; two do not", async () => {
    const { campaignId, sent } = await sendTo(["soft-a@example.com", "soft-b@example.com"]);
    const [a, b] = [sent[0]!, sent[1]!];
    const day = 86_400_000;
    const now = Date.now();
    await post(await eventAbout("bounce-transient", a, campaignId, new Date(now - 40 * day))); // too old to count
    await post(await eventAbout("bounce-transient", a, campaignId, new Date(now - 20 * day)));
    await post(await eventAbout("bounce-transient", a, campaignId, new Date(now - 2 * day)));
    await post(await eventAbout("bounce-transient", b, campaignId, new Date(now - day)));
    const { db } = t.deps;
    const suppressed = async (email: string) => (await db.orm.select().from(db.t.suppressions).where(and(eq(db.t.suppressions.workspaceId, workspaceId), eq(db.t.suppressions.email, email))))[0];
    expect(await suppressed(a.email)).toBeUndefined();
    await post(await eventAbout("bounce-transient", a, campaignId, new Date(now)));
    const s = await suppressed(a.email);
    expect(s?.reason).toBe("soft_bounce");
    const [cause] = await db.orm.select().from(db.t.events).where(eq(db.t.events.id, s!.eventId!));
    expect(cause!.at.getTime()).toBe(now);
    expect(await suppressed(b.email)).toBeUndefined();
    // The address is no longer mailable: its contact shows it bounced (when it is one).
    expect((await counts(campaignId)).bounced).toBe(0);
  });
});

describe("the reputation guard", () => {
  /** A running campaign with `n` recipients already sent (it waits on the quota for the rest, so the sender leaves it be). */
  async function runningCampaign(n: number) {
    const created = await c.post("/campaigns", { name: `Guarded ${crypto.randomUUID()}`, from: "news@example.com", subject: "Hi", html: "<p>Hi</p>", listIds: [] });
    const campaignId = created.json.id as string;
    const { db } = t.deps;
    const now = new Date();
    await db.orm
      .update(db.t.campaigns)
      .set({ status: "running", launchedAt: now, expandedAt: now, holdUntil: new Date(now.getTime() + 3_600_000), pauseReason: "waiting" })
      .where(eq(db.t.campaigns.id, campaignId));
    const rows = Array.from({ length: n }, (_, i) => ({
      workspaceId,
      campaignId,
      email: `guard-${campaignId.slice(-6).toLowerCase()}-${i}@example.com`,
      status: "sent",
      messageId: `guard-${campaignId}-${i}`,
      sentAt: now,
    }));
    for (let i = 0; i < rows.length; i += 200) await db.orm.insert(db.t.recipients).values(rows.slice(i, i + 200));
    await db.orm.insert(db.t.recipients).values({ workspaceId, campaignId, email: `guard-${campaignId.slice(-6).toLowerCase()}-queued@example.com`, status: "queued" });
    const sent = await db.orm
      .select({ id: db.t.recipients.id, email: db.t.recipients.email, messageId: db.t.recipients.messageId })
      .from(db.t.recipients)
      .where(and(eq(db.t.recipients.campaignId, campaignId), eq(db.t.recipients.status, "sent")));
    return { campaignId, sent: sent.map((r) => ({ ...r, messageId: r.messageId! })) };
  }

  test("a campaign bouncing past 8% after 500 outcomes pauses itself with the reason; resume goes on without the guard", async () => {
    const { campaignId, sent } = await runningCampaign(560);
    // 9% bounces, but not yet 500 mails with an outcome: too few to judge.
    for (const to of sent.slice(0, 45)) await post(await eventAbout("bounce-permanent", to, campaignId));
    for (const to of sent.slice(45, 450)) await post(await eventAbout("delivery", to, campaignId));
    expect((await c.get(`/campaigns/${campaignId}`)).json.status).toBe("running");
    for (const to of sent.slice(450, 500)) await post(await eventAbout("delivery", to, campaignId));
    // 46 of 501: 9.2%.
    await post(await eventAbout("bounce-permanent", sent[500]!, campaignId));
    const paused = (await c.get(`/campaigns/${campaignId}`)).json;
    expect(paused.status).toBe("paused");
    expect(paused.pauseReason).toContain("reputation guard");
    expect(paused.pauseReason).toContain("8%");
    const page = text((await c.get(`/campaigns/${campaignId}`, { accept: "text/html" })).text);
    expect(page).toContain("The reputation guard paused this campaign: 9.2% of its mail bounced (46 of 501), above the guard's 8%; SES reviews accounts past 5%");
    expect(page).toContain("Resume");
    // The dashboard shows the workspace's last 24 hours and this campaign's rates beside it.
    const dashboard = text((await c.get("/dashboard", { accept: "text/html" })).text);
    expect(dashboard).toContain("Reputation, last 24 hours");
    expect(dashboard).toContain(`${paused.name} Paused · bounces 9.2% · complaints 0%`);
    // The person decides to go on: more bounces do not stop it again.
    expect((await c.post(`/campaigns/${campaignId}/resume`)).status).toBe(200);
    const { db } = t.deps;
    await db.orm.update(db.t.campaigns).set({ holdUntil: new Date(Date.now() + 3_600_000) }).where(eq(db.t.campaigns.id, campaignId));
    for (const to of sent.slice(501, 510)) await post(await eventAbout("bounce-permanent", to, campaignId));
    expect((await c.get(`/campaigns/${campaignId}`)).json.status).toBe("running");
  });

  test("complaints past 0.4% pause it too; a healthy campaign runs on", async () => {
    const noisy = await runningCampaign(520);
    for (const to of noisy.sent.slice(0, 510)) await post(await eventAbout("delivery", to, noisy.campaignId));
    expect((await c.get(`/campaigns/${noisy.campaignId}`)).json.status).toBe("running");
    for (const to of noisy.sent.slice(0, 3)) await post(await eventAbout("complaint", to, noisy.campaignId));
    const paused = (await c.get(`/campaigns/${noisy.campaignId}`)).json;
    expect(paused.status).toBe("paused");
    expect(paused.pauseReason).toContain("marked it as spam");

    const healthy = await runningCampaign(520);
    for (const to of healthy.sent.slice(0, 500)) await post(await eventAbout("delivery", to, healthy.campaignId));
    for (const to of healthy.sent.slice(500, 520)) await post(await eventAbout("bounce-permanent", to, healthy.campaignId));
    expect((await c.get(`/campaigns/${healthy.campaignId}`)).json.status).toBe("running");
  });
});
