import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq, isNotNull, and, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { sesEventAbout, signedSnsMessage, startCertServer, type SentMail } from "../support/sns";
import { waitFor } from "../support/wait";

setDefaultTimeout(120_000);

/**
 * One truth: for the same filter, the dashboard, the campaign page, GET /analytics and its CSV and
 * Excel exports, and the per-recipient exports give the same figures, to the unit. The data is made
 * the way it happens: campaigns sent through the SES emulator, then a random mix of SES events
 * (deliveries, bounces, complaints, opens and clicks by people and by machines, duplicates and
 * late ones) posted as signed SNS messages, so every number comes through the app's own path.
 */

const KEY = { accessKeyId: "AKIAONETRUTHANALYTIC", secretAccessKey: "one-truth-analytics-secret-access-key-000" };
const PERSON = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const APPLE_PROXY = "Mozilla/5.0";
const PAGE = { accept: "text/html" };

let emulator: Emulator;
let fake: AwsFake;
let certs: ReturnType<typeof startCertServer>;
let t: TestApp;
let c: Client;
let workspaceId: string;
let topicArn: string;
let configurationSet: string;

/** A small seeded generator, so a failure can be run again with the same data. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.ONE_TRUTH_SEED ?? 20261202);

type Sent = SentMail;

async function send(name: string, emails: string[]): Promise<{ campaignId: string; sent: Sent[] }> {
  const res = await c.post("/email/send", { from: "news@example.com", to: emails, subject: name, html: '<p>Hi <a href="https://example.com/a">A</a> <a href="https://example.com/b">B</a></p>' });
  expect(res.status).toBe(202);
  const campaignId = res.json.campaignId as string;
  await waitFor(
    async () => (await c.get(`/campaigns/${campaignId}`)).json,
    (j) => j.status === "sent",
  );
  const { db } = t.deps;
  const rows = await db.orm.select({ id: db.t.recipients.id, email: db.t.recipients.email, messageId: db.t.recipients.messageId }).from(db.t.recipients).where(eq(db.t.recipients.campaignId, campaignId));
  return { campaignId, sent: rows.map((r) => ({ ...r, messageId: r.messageId! })) };
}

type Kind = "delivery" | "bounce-permanent" | "bounce-transient" | "complaint" | "open" | "click";

async function event(kind: Kind, to: Sent, campaignId: string, at: Date, extra: { userAgent?: string; link?: string } = {}) {
  const e = await sesEventAbout(kind, to, { configurationSet, workspaceId, campaignId }, at);
  if (e.open) e.open.userAgent = extra.userAgent ?? PERSON;
  if (e.click) Object.assign(e.click, { userAgent: extra.userAgent ?? PERSON, link: extra.link ?? "https://example.com/a" });
  return e;
}

async function post(e: object) {
  const body = signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: JSON.stringify(e) }, certs.certUrl, "2");
  const res = await new Client(t.app).request("POST", "/sns/notifications", { body: JSON.stringify(body), headers: { "content-type": "text/plain; charset=UTF-8" } });
  expect(res.status).toBe(200);
}

/** What happens to each mail after it is sent, drawn at random; some events arrive twice. */
async function happen(campaignId: string, sent: Sent[], next: () => number) {
  const base = Date.now();
  const posts: object[] = [];
  for (const to of sent) {
    const delivered = new Date(base + 1000 + Math.floor(next() * 5000));
    const fate = next();
    if (fate < 0.07) {
      posts.push(await event("bounce-permanent", to, campaignId, delivered));
      continue;
    }
    if (fate < 0.1) posts.push(await event("bounce-transient", to, campaignId, delivered));
    posts.push(await event("delivery", to, campaignId, delivered));
    if (next() < 0.05) posts.push(await event("complaint", to, campaignId, new Date(delivered.getTime() + 60_000)));
    const opens = next() < 0.55 ? 1 + Math.floor(next() * 3) : 0;
    for (let i = 0; i < opens; i++) {
      // Apple's proxy fetches on arrival; people open minutes later.
      const machine = next() < 0.3;
      posts.push(await event("open", to, campaignId, new Date(delivered.getTime() + (machine ? 500 : 120_000 + i * 60_000)), { userAgent: machine ? APPLE_PROXY : PERSON }));
    }
    if (opens && next() < 0.5) {
      posts.push(await event("click", to, campaignId, new Date(delivered.getTime() + 300_000), { link: next() < 0.5 ? "https://example.com/a" : "https://example.com/b" }));
    }
  }
  // Redeliveries and disorder: a tenth of the events again, in reverse.
  const again = posts.filter(() => next() < 0.1).reverse();
  for (const p of [...posts, ...again]) await post(p);
}

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  certs = startCertServer();
  t = await createTestApp({
    startJobs: true,
    env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com", ...certs.env, SNS_SUBSCRIBE_URL_PATTERN: `^${fake.url.replace(/[.]/g, "\\.")}/` },
  });
  c = new Client(t.app);
  workspaceId = (await c.signup("one-truth@example.com")).workspace.id;
  expect((await c.request("PUT", "/me/time-zone", { json: { timeZone: "Europe/Paris" } })).status).toBeLessThan(300);
  await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
  const setup = (await c.post("/aws/events/setup")).json;
  topicArn = setup.topicArn;
  configurationSet = setup.configurationSet;
});
afterAll(async () => {
  await t?.close();
  certs?.stop();
  await fake?.stop();
  await emulator?.stop();
});

const unescape = (html: string) => html.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The KPI cards as a page shows them: key → shown value. */
function cards(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/data-kpi="([a-z]+)"[\s\S]*?data-kpi-value[^>]*>([^<]*)</g)) out[m[1]!] = unescape(m[2]!).trim();
  return out;
}

/** What the cards must show for these totals (the same words the pages use). */
function expectedCards(totals: Record<string, number>): Record<string, string> {
  const pct = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "—");
  return {
    sent: totals.sent!.toLocaleString("en"),
    delivery: pct(totals.delivered!, totals.sent!),
    bounce: pct(totals.bounced!, totals.delivered! + totals.bounced!),
    complaint: pct(totals.complained!, totals.delivered!),
    open: pct(totals.humanOpens!, totals.delivered!),
    click: pct(totals.humanClicks!, totals.delivered!),
    unsubscribed: totals.unsubscribed!.toLocaleString("en"),
  };
}

function chartSum(html: string, id: string, label: string): number {
  const m = new RegExp(`data-chart="${id}" data-chart-data="([^"]*)"`).exec(html);
  expect(m).not.toBeNull();
  const data = JSON.parse(unescape(m![1]!)) as { series: { label: string; values: number[] }[] };
  return data.series.find((s) => s.label === label)!.values.reduce((a, b) => a + (b ?? 0), 0);
}

function csvRows(text: string): string[][] {
  return text.trim().split("\r\n").map((line) => line.split(","));
}

describe("one truth", () => {
  let a: { campaignId: string; sent: Sent[] };
  let b: { campaignId: string; sent: Sent[] };
  let view: string;

  beforeAll(async () => {
    const next = random(SEED);
    a = await send("Spring letter", Array.from({ length: 60 }, (_, i) => `reader-${i}@example.com`));
    b = await send("Product news", Array.from({ length: 35 }, (_, i) => `buyer-${i}@example.com`));
    await happen(a.campaignId, a.sent, next);
    await happen(b.campaignId, b.sent, next);
    // Every day that may hold these events in Paris, today's neighbours included.
    const day = (offset: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date(Date.now() + offset * 86_400_000));
    view = `from=${day(-6)}&to=${day(1)}`;
  });

  test("GET /analytics adds up what the recipient rows say happened", async () => {
    const api = (await c.get(`/analytics?${view}`)).json;
    const { db } = t.deps;
    const r = db.t.recipients;
    const rows = async (condition: ReturnType<typeof isNotNull>) => Number((await db.orm.select({ n: sql<number>`count(*)` }).from(r).where(and(eq(r.workspaceId, workspaceId), condition)))[0]!.n);
    expect(api.totals.sent).toBe(95);
    expect(api.totals.delivered).toBe(await rows(isNotNull(r.deliveredAt)));
    expect(api.totals.bounced).toBe(await rows(isNotNull(r.bouncedAt)));
    expect(api.totals.complained).toBe(await rows(isNotNull(r.complainedAt)));
    expect(api.totals.uniqueOpens).toBe(await rows(isNotNull(r.openedAt)));
    expect(api.totals.uniqueClicks).toBe(await rows(isNotNull(r.clickedAt)));
    expect(api.totals.humanOpens).toBe(await rows(isNotNull(r.humanOpenedAt)));
    expect(api.totals.humanClicks).toBe(await rows(isNotNull(r.humanClickedAt)));
    // The random mix gave something to count in every column that matters.
    for (const k of ["delivered", "bounced", "complained", "uniqueOpens", "uniqueClicks", "humanOpens"]) expect(api.totals[k]).toBeGreaterThan(0);
    expect(api.totals.uniqueOpens).toBeGreaterThan(api.totals.humanOpens);
  });

  for (const which of ["all", "one campaign"] as const) {
    test(`${which}: the dashboard, the campaign page, the API, the CSV and the workbook agree to the unit`, async () => {
      const filter = which === "all" ? view : `${view}&campaignId=${a.campaignId}`;
      const api = (await c.get(`/analytics?${filter}`)).json;

      const dashboard = await c.get(`/dashboard?${filter}`, PAGE);
      expect(dashboard.status).toBe(200);
      expect(cards(dashboard.text)).toEqual(expectedCards(api.totals));
      expect(chartSum(dashboard.text, "activity-chart", "Sent")).toBe(api.totals.sent);
      expect(chartSum(dashboard.text, "activity-chart", "Delivered")).toBe(api.totals.delivered);
      expect(chartSum(dashboard.text, "activity-chart", "Bounced")).toBe(api.totals.bounced);
      expect(chartSum(dashboard.text, "activity-chart", "Opened (people)")).toBe(api.totals.humanOpens);
      expect(chartSum(dashboard.text, "activity-chart", "Clicked (people)")).toBe(api.totals.humanClicks);

      if (which === "one campaign") {
        const page = await c.get(`/campaigns/${a.campaignId}`, PAGE);
        expect(cards(page.text)).toEqual(expectedCards(api.totals));
        const json = (await c.get(`/campaigns/${a.campaignId}`)).json.counts;
        expect({ sent: json.sent, delivered: json.delivered, bounced: json.bounced, complained: json.complained, opened: json.opened, clicked: json.clicked, humanOpened: json.humanOpened, humanClicked: json.humanClicked }).toEqual({
          sent: api.totals.sent,
          delivered: api.totals.delivered,
          bounced: api.totals.bounced,
          complained: api.totals.complained,
          opened: api.totals.uniqueOpens,
          clicked: api.totals.uniqueClicks,
          humanOpened: api.totals.humanOpens,
          humanClicked: api.totals.humanClicks,
        });
      }

      const csv = csvRows((await c.get(`/analytics?${filter}&format=csv`)).text);
      const header = csv[0]!;
      for (const k of ["sent", "delivered", "bounced", "complained", "opened", "clicked", "uniqueOpens", "uniqueClicks", "humanOpens", "humanClicks", "unsubscribed"]) {
        expect({ k, v: Number(csv.at(-1)![header.indexOf(k)]) }).toEqual({ k, v: api.totals[k] });
      }

      const xlsx = await t.app.handle(new Request(`http://localhost/analytics?${filter}&format=xlsx`, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } }));
      expect(xlsx.status).toBe(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
      const totals = new Map<string, number>();
      book.getWorksheet("Totals")!.eachRow((row) => totals.set(String(row.getCell(1).value), Number(row.getCell(2).value)));
      expect(totals.get("Sent")).toBe(api.totals.sent);
      expect(totals.get("Delivered")).toBe(api.totals.delivered);
      expect(totals.get("Complaints")).toBe(api.totals.complained);
      expect(totals.get("Recipients who opened")).toBe(api.totals.uniqueOpens);
      expect(totals.get("Recipients who clicked (human)")).toBe(api.totals.humanClicks);
      const recipients = book.getWorksheet("Recipients")!;
      const names = Array.from(recipients.getRow(1).values as unknown[], (v) => String(v ?? ""));
      const col = (start: string) => names.findIndex((n) => n.startsWith(start));
      let rows = 0;
      let delivered = 0;
      let bounced = 0;
      let opened = 0;
      let clicked = 0;
      let humanOpened = 0;
      recipients.eachRow((row, n) => {
        if (n === 1) return;
        rows++;
        if (row.getCell(col("Delivered at")).value instanceof Date) delivered++;
        if (row.getCell(col("Bounced at")).value instanceof Date) bounced++;
        if (row.getCell(col("First opened at")).value instanceof Date) opened++;
        if (row.getCell(col("First clicked at")).value instanceof Date) clicked++;
        if (Number(row.getCell(col("Human opens")).value) > 0) humanOpened++;
      });
      expect({ rows, delivered, bounced, opened, clicked, humanOpened }).toEqual({
        rows: api.totals.sent,
        delivered: api.totals.delivered,
        bounced: api.totals.bounced,
        opened: api.totals.uniqueOpens,
        clicked: api.totals.uniqueClicks,
        humanOpened: api.totals.humanOpens,
      });

      const whoOpened = csvRows((await c.get(`/analytics/recipients?${filter}&activity=opened&format=csv`)).text);
      const whoClicked = csvRows((await c.get(`/analytics/recipients?${filter}&activity=clicked&format=csv`)).text);
      const humanClicked = csvRows((await c.get(`/analytics/recipients?${filter}&activity=clicked&class=human&format=csv`)).text);
      expect([whoOpened.length - 1, whoClicked.length - 1, humanClicked.length - 1]).toEqual([api.totals.uniqueOpens, api.totals.uniqueClicks, api.totals.humanClicks]);
    });
  }
});
