import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";

/**
 * The dashboard reads the same counters as GET /analytics (campaign_stats, per campaign and hour).
 * They are written directly here, so each test knows what every card and chart must show.
 */

const clock = fakeClock(new Date("2026-12-02T12:00:00Z"));
const HOUR = 3600_000;
const PAGE = { accept: "text/html" };

let t: TestApp;
let c: Client;
let workspaceId: string;
let listA: string;
let campaignA: string;
let campaignB: string;

type Counter = "sent" | "delivered" | "bounced" | "complained" | "opened" | "clicked" | "uniqueOpens" | "uniqueClicks" | "humanOpens" | "humanClicks" | "unsubscribed";

async function stats(campaignId: string, at: string, counts: Partial<Record<Counter, number>>) {
  const hour = Math.floor(Date.parse(at) / HOUR) * HOUR;
  await t.deps.db.orm.insert(t.deps.db.t.campaignStats).values({ workspaceId, campaignId, hour, ...counts });
}

/** The card's shown value and change, read from the page. */
function card(html: string, key: string): { value: string; change: string | null } {
  const at = html.indexOf(`data-kpi="${key}"`);
  expect(at).toBeGreaterThan(-1);
  const block = html.slice(at, html.indexOf("</li>", at));
  const value = /data-kpi-value[^>]*>([^<]*)</.exec(block)![1]!.trim();
  const change = /data-change-text[^>]*>([^<]*)</.exec(block)?.[1]?.trim() ?? null;
  return { value, change };
}

/** Text as the page shows it (kitajs escapes quotes and angle brackets as numeric references). */
const unescape = (html: string) =>
  html.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The data a chart is drawn from, as the page carries it. */
function chart(html: string, id: string): { x: number[]; series: { label: string; values: number[] }[] } {
  const m = new RegExp(`data-chart="${id}" data-chart-data="([^"]*)"`).exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(unescape(m![1]!));
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  c = new Client(t.app);
  const me = await c.signup("dash@example.com");
  workspaceId = me.workspace.id;
  expect((await c.request("PUT", "/me/time-zone", { json: { timeZone: "Europe/Paris" } })).status).toBeLessThan(300);
  listA = (await c.post("/lists", { name: "Readers" })).json.id;
  campaignA = (await c.post("/campaigns", { name: "November news", from: "news@example.com", subject: "a", html: "<p>a</p>", listIds: [listA] })).json.id;
  campaignB = (await c.post("/campaigns", { name: "Product update", from: "news@example.com", subject: "b", html: "<p>b</p>", listIds: [] })).json.id;
  // This week (26 Nov – 2 Dec in Paris) and the week before (19 – 25 Nov).
  await stats(campaignA, "2026-11-20T10:00:00Z", { sent: 1000, delivered: 900, bounced: 100, complained: 1, uniqueOpens: 300, humanOpens: 200, uniqueClicks: 40, humanClicks: 30, unsubscribed: 10 });
  await stats(campaignA, "2026-11-27T10:00:00Z", { sent: 2000, delivered: 1960, bounced: 40, complained: 4, uniqueOpens: 800, humanOpens: 600, uniqueClicks: 100, humanClicks: 98, unsubscribed: 5 });
  await stats(campaignB, "2026-12-02T08:00:00Z", { sent: 500, delivered: 490, bounced: 10, uniqueOpens: 100, humanOpens: 50, uniqueClicks: 10, humanClicks: 5 });
});
afterAll(async () => {
  await t.close();
});

describe("the dashboard", () => {
  test("cards show the period's figures with the change against the period of the same length before", async () => {
    const page = await c.get("/dashboard?range=7d", PAGE);
    expect(page.status).toBe(200);
    // 2,500 sent against 1,000: +150%; delivery 2,450/2,500 = 98.0% against 90.0%.
    expect(card(page.text, "sent")).toEqual({ value: "2,500", change: "+150.0%" });
    expect(card(page.text, "delivery")).toEqual({ value: "98.0%", change: "+8.0 pts" });
    // Bounces 50 of 2,500 outcomes = 2.0% against 10.0%: down, and down is good.
    expect(card(page.text, "bounce")).toEqual({ value: "2.0%", change: "−8.0 pts" });
    expect(page.text).toMatch(/data-kpi="bounce"[\s\S]*?text-emerald-700[^>]*data-change="down"/);
    expect(card(page.text, "complaint").value).toBe("0.2%");
    // People who opened: 650 of 2,450 delivered = 26.5%; machines only: 250 = 10.2%.
    expect(card(page.text, "open").value).toBe("26.5%");
    expect(page.text).toContain("650 people · 10.2% machines only (250)");
    expect(card(page.text, "click").value).toBe("4.2%");
    expect(card(page.text, "unsubscribed")).toEqual({ value: "5", change: "−50.0%" });
    expect(page.text).toContain("Compared with 19 Nov 2026 to 25 Nov 2026");
  });

  test("the activity chart carries the same figures as GET /analytics for the view", async () => {
    const [page, api] = await Promise.all([c.get("/dashboard?range=7d", PAGE), c.get("/analytics?from=2026-11-26&to=2026-12-02")]);
    const data = chart(page.text, "activity-chart");
    expect(data.x).toHaveLength(7);
    const sent = data.series.find((s) => s.label === "Sent")!.values;
    expect(sent).toEqual(api.json.series.map((b: { sent: number }) => b.sent));
    expect(data.series.find((s) => s.label === "Opened (people)")!.values.reduce((a, b) => a + b, 0)).toBe(api.json.totals.humanOpens);
    // The first point is midnight of 26 November in Paris.
    expect(data.x[0]).toBe(Date.parse("2026-11-25T23:00:00Z") / 1000);
  });

  test("filters compose: a campaign, a list, a custom range; the address names the view", async () => {
    const one = await c.get(`/dashboard?range=7d&campaignId=${campaignB}`, { ...PAGE, "hx-request": "true" });
    expect(card(one.text, "sent").value).toBe("500");
    expect(one.headers.get("hx-push-url")).toBe(`/dashboard?range=7d&campaignId=${campaignB}`);
    // The picker shows the campaign in view, even one it would not list (a draft here), so the next change keeps it.
    expect(one.text).toMatch(new RegExp(`<option value="${campaignB}" selected`));
    const ofList = await c.get(`/dashboard?range=30d&listId=${listA}`, PAGE);
    expect(card(ofList.text, "sent").value).toBe("3,000");
    // The form sends every field; a preset keeps its name in the address, typed dates make it custom.
    const custom = await c.get(`/dashboard?range=custom&from=2026-11-27&to=2026-11-27&campaignId=&listId=`, { ...PAGE, "hx-request": "true" });
    expect(card(custom.text, "sent").value).toBe("2,000");
    expect(custom.headers.get("hx-push-url")).toBe("/dashboard?from=2026-11-27&to=2026-11-27");
    // One day reads hour by hour.
    expect(chart(custom.text, "activity-chart").x).toHaveLength(24);
    const today = await c.get("/dashboard?range=today", PAGE);
    expect(card(today.text, "sent").value).toBe("500");
    expect(today.text).toMatch(/aria-current="true"[^>]*data-range="today"/);
  });

  test("a filter that cannot be read shows a sentence and the default view; another workspace's campaign is not found", async () => {
    const bad = await c.get("/dashboard?from=2026-12-05&to=2026-12-01", PAGE);
    expect(bad.status).toBe(422);
    expect(unescape(bad.text)).toContain('The "to" date is before the "from" date.');
    // The default view: the last 30 days.
    expect(card(bad.text, "sent").value).toBe("3,500");
    // The first day allowed: its comparison reaches back into 1999 without trouble.
    expect((await c.get("/dashboard?from=2000-01-01&to=2000-01-01", PAGE)).status).toBe(200);
    expect(unescape((await c.get("/dashboard?from=1999-12-31&to=2000-01-01", PAGE)).text)).toContain('The "from" date must fall between the years 2000 and 2999.');
    expect(unescape((await c.get("/dashboard?range=forever", PAGE)).text)).toContain('The "range" must be today, 7d, 30d, 90d or custom.');
    const other = new Client(t.app);
    await other.signup("elsewhere@example.com");
    expect((await other.get(`/dashboard?campaignId=${campaignA}`, PAGE)).status).toBe(404);
  });

  test("the quota chart follows SES's readings hour by hour beside what was sent", async () => {
    const readings = [
      { at: "2026-12-01T09:30:00Z", sentLast24Hours: 100 },
      { at: "2026-12-02T07:10:00Z", sentLast24Hours: 250 },
    ];
    for (const r of readings) {
      await t.deps.db.orm.insert(t.deps.db.t.awsAccountSamples).values({ workspaceId, region: "eu-west-1", at: new Date(r.at), sendingEnabled: true, productionAccess: true, enforcementStatus: "HEALTHY", maxSendRate: 14, max24HourSend: 50000, sentLast24Hours: r.sentLast24Hours, vdmEnabled: false });
    }
    const page = await c.get("/dashboard?range=7d", PAGE);
    const data = chart(page.text, "quota-chart");
    const at = (iso: string) => data.x.indexOf(Date.parse(iso) / 1000);
    const used = data.series.find((s) => s.label === "Sent in the last 24 hours")!.values;
    expect(used[at("2026-12-01T08:00:00Z")]).toBeNull();
    expect(used[at("2026-12-01T09:00:00Z")]).toBe(100);
    expect(used[at("2026-12-02T06:00:00Z")]).toBe(100);
    expect(used[at("2026-12-02T07:00:00Z")]).toBe(250);
    // 500 mails in the 08:00 hour: 0.14 per second on average.
    const pace = data.series.find((s) => s.label.startsWith("Sesame's pace"))!.values;
    expect(pace[at("2026-12-02T08:00:00Z")]).toBe(0.14);
    expect(page.text).toContain("(50,000 now)");
    // The chart ends with the current hour, not at the end of the day.
    expect(data.x.at(-1)).toBe(Date.parse("2026-12-02T12:00:00Z") / 1000);
  });

  test("today so far is compared with yesterday up to the same hour, not with the whole of yesterday", async () => {
    const early = new Client(t.app);
    const ws = (await early.signup("early-bird@example.com")).workspace.id;
    expect((await early.request("PUT", "/me/time-zone", { json: { timeZone: "Europe/Paris" } })).status).toBeLessThan(300);
    const id = (await early.post("/campaigns", { name: "Morning mail", from: "news@example.com", subject: "m", html: "<p>m</p>", listIds: [] })).json.id;
    const at = async (iso: string, sent: number) => t.deps.db.orm.insert(t.deps.db.t.campaignStats).values({ workspaceId: ws, campaignId: id, hour: Date.parse(iso), sent });
    // Now is 13:00 in Paris (12:00 UTC), in the hour under way. Yesterday: 500 up to the end of that
    // hour (the hour itself counts, as today's does) and 600 in the evening; today: 200 so far.
    await at("2026-12-01T08:00:00Z", 400);
    await at("2026-12-01T12:00:00Z", 100);
    await at("2026-12-01T20:00:00Z", 600);
    await at("2026-12-02T09:00:00Z", 200);
    const today = await early.get("/dashboard?range=today", PAGE);
    expect(card(today.text, "sent")).toEqual({ value: "200", change: "−60.0%" });
    expect(today.text).toContain("Compared with 1 Dec 2026 to 1 Dec 2026, up to the same hour.");
    // A period that is over is compared whole.
    const yesterday = await early.get("/dashboard?from=2026-12-01&to=2026-12-01", PAGE);
    expect(card(yesterday.text, "sent").value).toBe("1,100");
    expect(yesterday.text).not.toContain("up to the same hour");
  });

  test("an empty workspace shows the first steps, not empty charts", async () => {
    const fresh = new Client(t.app);
    await fresh.signup("newcomer@example.com");
    const page = await fresh.get("/dashboard", PAGE);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Nothing sent yet");
    expect(page.text).toContain("Connect your AWS account");
    expect(page.text).not.toContain("data-chart=");
    expect(page.text).not.toContain('data-testid="kpis"');
  });

  test("a period with nothing in it says so instead of drawing an empty chart", async () => {
    const page = await c.get("/dashboard?from=2026-06-01&to=2026-06-30", PAGE);
    expect(page.text).toContain('data-testid="activity-chart-empty"');
    expect(card(page.text, "sent")).toEqual({ value: "0", change: "no change" });
    expect(card(page.text, "delivery").value).toBe("—");
  });
});
