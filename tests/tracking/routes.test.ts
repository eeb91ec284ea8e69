import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { clickUrl, openPixelUrl } from "../../src/features/tracking/links";
import { flushHits } from "../../src/features/tracking/hits";
import { deriveKey } from "../../src/lib/keys";
import { signToken } from "../../src/lib/signed";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { waitFor } from "../support/wait";

/** The open pixel and the click redirect: what they answer, what they record, and how hits are classified. */

const KEY = { accessKeyId: "AKIATRACKINGROUTES01", secretAccessKey: "tracking-routes-secret-access-key-0000000" };
const CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))";

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let c: Client;
let workspaceId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com" } });
  c = new Client(t.app);
  workspaceId = (await c.signup("tracker@example.com")).workspace.id;
  await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

interface Sent {
  id: number;
  email: string;
}

/** Sends for real through the emulator, then dates the send a minute back (a person reads mail later than a scanner does). */
async function sendTo(emails: string[], html = '<p>Hi</p><p><a href="https://example.com/offer?x=1&amp;y=2">Offer</a> <a href="https://example.com/b">B</a> <a href="https://example.com/c">C</a></p>') {
  const res = await c.post("/email/send", { from: "news@example.com", to: emails, subject: "Hello", html });
  expect(res.status).toBe(202);
  const campaignId = res.json.campaignId as string;
  await waitFor(
    async () => (await c.get(`/campaigns/${campaignId}`)).json.status,
    (status) => status === "sent",
  );
  const { db } = t.deps;
  await db.orm.update(db.t.recipients).set({ sentAt: new Date(Date.now() - 60_000) }).where(eq(db.t.recipients.campaignId, campaignId));
  const rows = await db.orm.select({ id: db.t.recipients.id, email: db.t.recipients.email }).from(db.t.recipients).where(eq(db.t.recipients.campaignId, campaignId));
  const byEmail = new Map(rows.map((r) => [r.email, r]));
  return { campaignId, sent: emails.map((e) => byEmail.get(e)!) as Sent[] };
}

/** The tracking addresses a sent mail really carries, read from the mail the emulator received. */
async function linksInMail(to: string) {
  const mail = (await emulator.store()).emails.find((e) => e.destination.to[0] === to)!;
  const html = (mail as unknown as { body: { html: string } }).body.html;
  const pixel = /<img[^>]+src="(https:\/\/mail\.example\.com\/t\/o\/[^"]+)"/.exec(html)?.[1];
  const clicks = [...html.matchAll(/href="(https:\/\/mail\.example\.com\/t\/c\/[^"]+)"/g)].map((m) => m[1]!);
  return { pixel: pixel!, clicks };
}

const path = (url: string) => new URL(url).pathname;
const hit = (url: string, init: { method?: string; ua?: string } = {}) =>
  new Client(t.app).request(init.method ?? "GET", path(url), { headers: { "user-agent": init.ua ?? CHROME } });
const counts = async (campaignId: string) => (await c.get(`/campaigns/${campaignId}`)).json.counts;

async function eventsOf(recipientId: number) {
  await flushHits(t.deps);
  const { db } = t.deps;
  return db.orm.select().from(db.t.events).where(and(eq(db.t.events.workspaceId, workspaceId), eq(db.t.events.recipientId, recipientId)));
}

describe("the open pixel", () => {
  test("is always the same 43-byte GIF that is never cached, whatever the token", async () => {
    const { sent, campaignId } = await sendTo(["pixel-1@example.com"]);
    const good = openPixelUrl(t.deps.config, { workspaceId, campaignId, recipientId: sent[0]!.id }, new Date());
    for (const p of [path(good), `${path(good)}x`, "/t/o/nonsense", "/t/o/eyJ3IjoiYSJ9.AAAAAAAAAAAAAAAAAAAAAA"]) {
      const res = await t.app.handle(new Request(`http://localhost${p}`));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
      expect(res.headers.get("cache-control")).toContain("no-store");
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(43);
      expect(bytes.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    }
    const head = await new Client(t.app).request("HEAD", path(good));
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("43");
    // The valid token was recorded (a GET and a HEAD); the broken ones were not.
    const events = await eventsOf(sent[0]!.id);
    expect(events.map((e) => e.type).sort()).toEqual(["open", "open"]);
    expect(events.find((e) => (e.detail as { method: string }).method === "HEAD")!.class).toBe("machine");
  });
});

describe("a sent mail's pixel and link", () => {
  test("a person's open and click are recorded as human; the click goes to the original address", async () => {
    const { sent, campaignId } = await sendTo(["reader@example.com"]);
    const { pixel, clicks } = await linksInMail("reader@example.com");
    expect(clicks).toHaveLength(3);
    expect((await hit(pixel)).status).toBe(200);
    const click = await hit(clicks[0]!);
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://example.com/offer?x=1&y=2");
    const events = await eventsOf(sent[0]!.id);
    expect(events.map((e) => [e.type, e.class]).sort()).toEqual([
      ["click", "human"],
      ["open", "human"],
    ]);
    const clickEvent = events.find((e) => e.type === "click")!;
    expect(clickEvent.detail).toMatchObject({ url: "https://example.com/offer?x=1&y=2", userAgent: CHROME, addressClass: expect.any(String), agent: expect.any(String) });
    expect(clickEvent.campaignId).toBe(campaignId);
    expect(await counts(campaignId)).toMatchObject({ opened: 1, humanOpened: 1, clicked: 1, humanClicked: 1, machineOpened: 0 });
    const { db } = t.deps;
    const [row] = await db.orm.select().from(db.t.recipients).where(eq(db.t.recipients.id, sent[0]!.id));
    expect(row!.status).toBe("clicked");
  });

  test("a link scanner, a HEAD request, a hit within seconds of the send and a burst of links are machines'", async () => {
    const { sent, campaignId } = await sendTo(["scanned@example.com", "headed@example.com", "instant@example.com", "burst@example.com"]);
    const [scanned, headed, instant, burst] = sent as [Sent, Sent, Sent, Sent];
    const link = (to: Sent, url: string) => clickUrl(t.deps.config, { workspaceId, campaignId, recipientId: to.id }, url, new Date());
    expect((await hit(link(scanned, "https://example.com/a"), { ua: SCANNER })).status).toBe(302);
    expect((await hit(link(headed, "https://example.com/a"), { method: "HEAD" })).status).toBe(302);
    const { db } = t.deps;
    await db.orm.update(db.t.recipients).set({ sentAt: new Date() }).where(eq(db.t.recipients.id, instant.id));
    await hit(link(instant, "https://example.com/a"));
    for (const url of ["https://example.com/a", "https://example.com/b", "https://example.com/c"]) await hit(link(burst, url));
    for (const to of [scanned, headed, instant, burst]) {
      const events = await eventsOf(to.id);
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect({ who: to.email, class: e.class }).toEqual({ who: to.email, class: "machine" });
    }
    // A click counts as an open too; machines only, so no person opened or clicked.
    expect(await counts(campaignId)).toMatchObject({ opened: 4, clicked: 4, humanOpened: 0, humanClicked: 0, machineOpened: 4, machineClicked: 4 });
  });

  test("a burst of opens is written in a few transactions, every hit kept", async () => {
    const { sent, campaignId } = await sendTo(Array.from({ length: 30 }, (_, i) => `burst-open-${i}@example.com`));
    await flushHits(t.deps);
    const before = t.logs.filter((l) => l.includes("tracking hits written")).length;
    const urls = sent.flatMap((to) => Array.from({ length: 10 }, () => openPixelUrl(t.deps.config, { workspaceId, campaignId, recipientId: to.id }, new Date())));
    await Promise.all(urls.map((u) => hit(u)));
    await flushHits(t.deps);
    const writes = t.logs.filter((l) => l.includes("tracking hits written")).length - before;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(10);
    const n = await counts(campaignId);
    expect(n).toMatchObject({ opened: 30, humanOpened: 30 });
    const { db } = t.deps;
    const opens = await db.orm.select({ id: db.t.events.id }).from(db.t.events).where(and(eq(db.t.events.campaignId, campaignId), eq(db.t.events.type, "open")));
    expect(opens).toHaveLength(300);
  });
});

describe("click links that must not redirect", () => {
  let campaignId: string;
  let to: Sent;
  beforeAll(async () => {
    const sentTo = await sendTo(["careful@example.com"]);
    campaignId = sentTo.campaignId;
    to = sentTo.sent[0]!;
  });

  const refused = async (p: string, status: number, words: string) => {
    const res = await new Client(t.app).request("GET", p, { headers: { "user-agent": CHROME } });
    expect(res.status).toBe(status);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain(words);
  };

  test("a tampered, unknown, expired or pixel token shows a plain page and records nothing", async () => {
    const good = path(clickUrl(t.deps.config, { workspaceId, campaignId, recipientId: to.id }, "https://example.com/a", new Date()));
    const [body, sig] = good.slice("/t/c/".length).split(".") as [string, string];
    // Another destination under the same signature.
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), u: "https://evil.example.net/" })).toString("base64url");
    await refused(`/t/c/${forged}.${sig}`, 404, "This link does not work");
    await refused(`/t/c/${body}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`, 404, "This link does not work");
    await refused("/t/c/garbage", 404, "This link does not work");
    // Signed by this server but naming a recipient that does not exist.
    await refused(path(clickUrl(t.deps.config, { workspaceId, campaignId, recipientId: 987_654_321 }, "https://example.com/a", new Date())), 404, "no longer known");
    // The pixel's token is not a link.
    await refused(path(openPixelUrl(t.deps.config, { workspaceId, campaignId, recipientId: to.id }, new Date())).replace("/t/o/", "/t/c/"), 404, "This link does not work");
    // A link issued more than a year ago.
    const key = deriveKey(t.deps.config.appSecret, "tracking-links").key;
    const old = signToken({ w: workspaceId, c: campaignId, r: to.id, u: "https://example.com/a", i: Math.floor(Date.now() / 86_400_000) - 400 }, key);
    await refused(`/t/c/${old}`, 410, "This link has expired");
    // A signed address that is not a web address.
    const script = signToken({ w: workspaceId, c: campaignId, r: to.id, u: "javascript:alert(1)", i: Math.floor(Date.now() / 86_400_000) }, key);
    await refused(`/t/c/${script}`, 404, "This link does not work");
    expect(await eventsOf(to.id)).toHaveLength(0);
  });

  test("a link too long to sign within the token limit stays as it is (untracked) instead of breaking; a long one below it works", async () => {
    const long = `https://example.com/landing?${"q=1&".repeat(400)}end=1`;
    expect(clickUrl(t.deps.config, { workspaceId, campaignId, recipientId: to.id }, long, new Date())).toBe(long);
    const fits = `https://example.com/landing?${"q=1&".repeat(200)}end=1`;
    const tracked = clickUrl(t.deps.config, { workspaceId, campaignId, recipientId: to.id }, fits, new Date());
    expect(tracked).not.toBe(fits);
    const res = await hit(tracked);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(fits);
  });
});
