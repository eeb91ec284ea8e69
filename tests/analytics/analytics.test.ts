import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";

/**
 * GET /analytics reads campaign_stats, the per-campaign, per-hour counters that SES events and
 * tracking hits move in their own transactions. Here the counters are written directly (generated
 * data), so each test knows exactly what every period must add up to.
 */

const clock = fakeClock(new Date("2026-12-02T12:00:00Z"));
const HOUR = 3600_000;

let t: TestApp;
let c: Client;
let workspaceId: string;
let listA: string;
let listB: string;
let campaignA: string;
let campaignB: string;

async function stats(campaignId: string, at: string, counts: Partial<Record<"sent" | "delivered" | "bounced" | "complained" | "opened" | "clicked" | "uniqueOpens" | "uniqueClicks" | "humanOpens" | "humanClicks" | "unsubscribed", number>>) {
  const hour = Math.floor(Date.parse(at) / HOUR) * HOUR;
  await t.deps.db.orm.insert(t.deps.db.t.campaignStats).values({ workspaceId, campaignId, hour, ...counts });
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  c = new Client(t.app);
  const me = await c.signup("analyst@example.com");
  workspaceId = me.workspace.id;
  // Paris: UTC+01:00 in December, so a Paris day starts at 23:00 UTC the evening before.
  expect((await c.request("PUT", "/me/time-zone", { json: { timeZone: "Europe/Paris" } })).status).toBeLessThan(300);
  listA = (await c.post("/lists", { name: "A" })).json.id;
  listB = (await c.post("/lists", { name: "B" })).json.id;
  campaignA = (await c.post("/campaigns", { name: "To A", from: "news@example.com", subject: "a", html: "<p>a</p>", listIds: [listA] })).json.id;
  campaignB = (await c.post("/campaigns", { name: "To B", from: "news@example.com", subject: "b", html: "<p>b</p>", listIds: [listB] })).json.id;
  expect(campaignA).toBeTruthy();
  expect(campaignB).toBeTruthy();
  // 1 December in Paris: 2026-11-30T23:00Z to 2026-12-01T23:00Z.
  await stats(campaignA, "2026-11-30T22:30:00Z", { sent: 1000 }); // 30 November in Paris
  await stats(campaignA, "2026-11-30T23:10:00Z", { sent: 100, delivered: 90, bounced: 5 }); // 1 December, 00:10 in Paris
  await stats(campaignB, "2026-12-01T12:00:00Z", { sent: 50, delivered: 50, opened: 30, uniqueOpens: 20, humanOpens: 12, clicked: 9, uniqueClicks: 7, humanClicks: 6 });
  await stats(campaignA, "2026-12-01T22:59:00Z", { complained: 2, unsubscribed: 3 }); // 1 December, 23:59 in Paris
  await stats(campaignB, "2026-12-01T23:00:00Z", { sent: 7 }); // 2 December, 00:00 in Paris
});
afterAll(async () => {
  await t.close();
});

describe("GET /analytics", () => {
  test("adds up exactly the hours of the person's days, and lists every day of the period, empty ones too", async () => {
    const reply = await c.get("/analytics?from=2026-12-01&to=2026-12-02");
    expect(reply.status).toBe(200);
    expect(reply.json.filter).toMatchObject({ from: "2026-12-01", to: "2026-12-02", interval: "day", timeZone: "Europe/Paris" });
    expect(reply.json.totals).toMatchObject({ sent: 157, delivered: 140, bounced: 5, complained: 2, opened: 30, clicked: 9, uniqueOpens: 20, uniqueClicks: 7, humanOpens: 12, humanClicks: 6, unsubscribed: 3 });
    expect(reply.json.series.map((b: { t: string; sent: number }) => [b.t, b.sent])).toEqual([
      ["2026-12-01", 150],
      ["2026-12-02", 7],
    ]);
    const week = await c.get("/analytics?from=2026-11-26&to=2026-12-02");
    expect(week.json.series).toHaveLength(7);
    expect(week.json.series[0]).toMatchObject({ t: "2026-11-26", sent: 0, delivered: 0 });
    expect(week.json.totals.sent).toBe(1157);
  });

  test("one campaign, or the campaigns of one list; another workspace's campaign is not found", async () => {
    const one = await c.get(`/analytics?from=2026-12-01&to=2026-12-01&campaignId=${campaignA}`);
    expect(one.json.totals).toMatchObject({ sent: 100, delivered: 90, bounced: 5, complained: 2 });
    const ofList = await c.get(`/analytics?from=2026-12-01&to=2026-12-02&listId=${listB}`);
    expect(ofList.json.totals).toMatchObject({ sent: 57, opened: 30 });
    const both = await c.get(`/analytics?from=2026-12-01&to=2026-12-02&listId=${listB}&campaignId=${campaignA}`);
    expect(both.json.totals.sent).toBe(0);

    const other = new Client(t.app);
    await other.signup("someone-else@example.com");
    expect((await other.get(`/analytics?campaignId=${campaignA}`)).status).toBe(404);
    expect((await other.get(`/analytics?listId=${listA}`)).status).toBe(404);
    expect((await other.get("/analytics?from=2026-11-01&to=2026-12-02")).json.totals.sent).toBe(0);
  });

  test("hourly buckets are the period's UTC hours, each with its own counts", async () => {
    const reply = await c.get("/analytics?from=2026-12-01&to=2026-12-01&interval=hour");
    expect(reply.json.series).toHaveLength(24);
    expect(reply.json.series[0]).toMatchObject({ t: "2026-11-30T23:00:00.000Z", sent: 100, bounced: 5 });
    expect(reply.json.series.at(-1)).toMatchObject({ t: "2026-12-01T22:00:00.000Z", complained: 2 });
    expect(reply.json.series.reduce((n: number, b: { sent: number }) => n + b.sent, 0)).toBe(reply.json.totals.sent);
  });

  test("without dates it covers the 30 days ending today in the person's zone", async () => {
    const reply = await c.get("/analytics");
    expect(reply.json.filter).toMatchObject({ from: "2026-11-03", to: "2026-12-02" });
    expect(reply.json.series).toHaveLength(30);
    expect(reply.json.totals.sent).toBe(1157);
  });

  test("bad filters are refused with a sentence naming the field", async () => {
    const cases: [string, string][] = [
      ["/analytics?from=2026-12-05&to=2026-12-01", "to"],
      ["/analytics?from=2026-02-30", "from"],
      ["/analytics?from=2026-13-01", "from"],
      ["/analytics?to=2026-12-32", "to"],
      // Real days, but out of what a time zone can place (and what a comparison could go back to).
      ["/analytics?from=0999-12-31&to=2026-01-01", "from"],
      ["/analytics?from=2026-01-01&to=9999-12-31", "to"],
      ["/analytics?to=yesterday", "to"],
      ["/analytics?interval=week", "interval"],
      ["/analytics?from=2026-01-01&to=2026-12-01&interval=hour", "from"],
      ["/analytics?format=pdf", "format"],
    ];
    for (const [path, field] of cases) {
      const reply = await c.get(path);
      expect({ path, status: reply.status, field: reply.json.field }).toEqual({ path, status: 422, field });
      expect(reply.json.error).toMatch(/^[A-Z].*\.$/);
    }
  });

  test("format=csv has a row per day and the totals, the same figures as the JSON", async () => {
    const [json, csv] = await Promise.all([c.get("/analytics?from=2026-12-01&to=2026-12-02"), c.get("/analytics?from=2026-12-01&to=2026-12-02&format=csv")]);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toContain("sesame-analytics-2026-12-01-to-2026-12-02.csv");
    const lines = csv.text.trim().split("\r\n").map((line) => line.split(","));
    expect(lines[0]!.slice(0, 7)).toEqual(["period", "sent", "delivered", "bounced", "complained", "opened", "clicked"]);
    expect(lines.map((l) => l[0])).toEqual(["period", "2026-12-01", "2026-12-02", "total"]);
    expect(Number(lines[3]![1])).toBe(json.json.totals.sent);
    expect(Number(lines[1]![2])).toBe(json.json.series[0].delivered);
  });

  test("a browser opening the address is taken to the dashboard with its filter", async () => {
    const reply = await c.get("/analytics?from=2026-12-01&to=2026-12-02", { accept: "text/html" });
    expect(reply.status).toBe(303);
    expect(reply.headers.get("location")).toBe("/dashboard?from=2026-12-01&to=2026-12-02");
  });
});
