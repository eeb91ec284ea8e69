import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { kpisOf } from "../../views/analytics/parts";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { sesEventAbout, signedSnsMessage, startCertServer, type SentMail } from "../support/sns";
import { waitFor } from "../support/wait";

/**
 * The campaign page's report: campaigns sent through the SES emulator, then real SES events (in SNS
 * envelopes) about their recipients, read back from the page: the cards agree with GET /analytics,
 * links, bounces and complaints are grouped and counted, empty and untracked campaigns say so.
 */

const KEY = { accessKeyId: "AKIAREPORTCAMPAIGN01", secretAccessKey: "report-campaign-secret-access-key-0000000" };
const HOUR = 3600_000;
const MIN = 60_000;
const ZONE = "Europe/Paris";
const PAGE = { accept: "text/html" };
const LINK_A = "https://example.com/a";
// A link as a mail may hold it, with characters that must reach the page escaped.
const LINK_B = 'https://example.com/b?x=<b>&y="1"';

let emulator: Emulator;
let fake: AwsFake;
let certs: ReturnType<typeof startCertServer>;
let t: TestApp;
let c: Client;
let workspaceId: string;
let topicArn: string;
let configurationSet: string;
/** The app's clock runs this far ahead of the real one: the report is read hours after the events. */
let ahead = 0;

type Sent = SentMail;

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  certs = startCertServer();
  t = await createTestApp({
    startJobs: true,
    clock: { now: () => new Date(Date.now() + ahead) },
    env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com", ...certs.env, SNS_SUBSCRIBE_URL_PATTERN: `^${fake.url.replace(/[.]/g, "\\.")}/` },
  });
  c = new Client(t.app);
  workspaceId = (await c.signup("report-owner@example.com")).workspace.id;
  expect((await c.request("PUT", "/me/time-zone", { json: { timeZone: ZONE } })).status).toBeLessThan(300);
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

/** Sends through the emulator and returns the recipients (in address order) and when it was launched. */
async function send(name: string, emails: string[], options: { tracking?: boolean } = {}): Promise<{ campaignId: string; sent: Sent[]; launchedAt: Date }> {
  const res = await c.post("/email/send", { name, from: "news@example.com", to: emails, subject: name, html: `<p>Hi <a href="${LINK_A}">A</a></p>`, ...options });
  expect(res.status).toBe(202);
  const campaignId = res.json.campaignId;
  await waitFor(
    async () => (await c.get(`/campaigns/${campaignId}`)).json,
    (j) => j.status === "sent",
  );
  const { db } = t.deps;
  const rows = await db.orm
    .select({ id: db.t.recipients.id, email: db.t.recipients.email, messageId: db.t.recipients.messageId })
    .from(db.t.recipients)
    .where(eq(db.t.recipients.campaignId, campaignId));
  const [campaign] = await db.orm.select({ launchedAt: db.t.campaigns.launchedAt }).from(db.t.campaigns).where(eq(db.t.campaigns.id, campaignId));
  const sent = rows.map((r) => ({ ...r, messageId: r.messageId! })).sort((a, b) => a.email.localeCompare(b.email));
  return { campaignId, sent, launchedAt: campaign!.launchedAt! };
}

type Kind = "delivery" | "bounce-permanent" | "bounce-transient" | "complaint" | "open" | "click";

/** A real SES event (publishing format) about one recipient, posted as SNS posts it. */
async function post(kind: Kind, to: Sent, campaignId: string, at: Date, change: (event: Record<string, any>) => void = () => {}) {
  const event = await sesEventAbout(kind, to, { configurationSet, workspaceId, campaignId }, at);
  change(event);
  const body = signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: JSON.stringify(event) }, certs.certUrl, "2");
  const res = await new Client(t.app).request("POST", "/sns/notifications", { body: JSON.stringify(body), headers: { "content-type": "text/plain; charset=UTF-8" } });
  expect(res.status).toBe(200);
  expect(res.json.outcome).toBe("recorded");
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

function card(html: string, key: string): { value: string; change: string | null } {
  const at = html.indexOf(`data-kpi="${key}"`);
  expect(at).toBeGreaterThan(-1);
  const block = html.slice(at, html.indexOf("</li>", at));
  const value = unescape(/data-kpi-value[^>]*>([^<]*)</.exec(block)![1]!.trim());
  const change = /data-change-text[^>]*>([^<]*)</.exec(block)?.[1]?.trim() ?? null;
  return { value, change };
}

function chart(html: string, id: string): { x: number[]; step: string; series: { label: string; values: number[] }[] } {
  const m = new RegExp(`data-chart="${id}" data-chart-data="([^"]*)"`).exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(unescape(m![1]!));
}

/** The rows of a report table, each as its data attribute's value and its cells' text. */
function rows(html: string, attribute: string): { key: string; cells: string[] }[] {
  return [...html.matchAll(new RegExp(`<tr[^>]*${attribute}="([^"]*)"[^>]*>([\\s\\S]*?)</tr>`, "g"))].map((m) => ({
    key: unescape(m[1]!),
    cells: [...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => unescape(cell[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim())),
  }));
}

/** Where the link with this test id leads. */
function href(html: string, testid: string): string | null {
  const m = new RegExp(`<a [^>]*href="([^"]*)"[^>]*data-testid="${testid}"`).exec(html);
  return m ? unescape(m[1]!) : null;
}

const dayIn = (at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
const hourOf = (at: number) => Math.floor(at / HOUR) * HOUR;

describe("the campaign report", () => {
  let earlier: Awaited<ReturnType<typeof send>>;
  let spring: Awaited<ReturnType<typeof send>>;
  let untracked: Awaited<ReturnType<typeof send>>;
  /** First opens per hour since the launch hour, as the events below make them: people's, and everyone's. */
  const firstOpens = new Map<number, { people: number; anyone: number }>();
  const firstOpen = (at: Date, who: "people" | "anyone" | "both") => {
    const hour = hourOf(at.getTime());
    const bucket = firstOpens.get(hour) ?? { people: 0, anyone: 0 };
    if (who !== "anyone") bucket.people++;
    if (who !== "people") bucket.anyone++;
    firstOpens.set(hour, bucket);
  };

  beforeAll(async () => {
    // The campaign before: four delivered, one opened by a person, nothing else.
    earlier = await send("Earlier news", ["earlier-0@example.com", "earlier-1@example.com", "earlier-2@example.com", "earlier-3@example.com"]);
    for (const to of earlier.sent) await post("delivery", to, earlier.campaignId, new Date(earlier.launchedAt.getTime() + MIN));
    await post("open", earlier.sent[0]!, earlier.campaignId, new Date(earlier.launchedAt.getTime() + 10 * MIN));

    spring = await send(
      "Spring news",
      Array.from({ length: 10 }, (_, i) => `spring-${i}@example.com`),
    );
    const r = spring.sent;
    const id = spring.campaignId;
    const after = (ms: number) => new Date(spring.launchedAt.getTime() + ms);
    for (const i of [0, 1, 2, 3, 4, 7, 9]) await post("delivery", r[i]!, id, after(MIN));
    // Clicks: a person clicks A twice and B once, another person A once, a scanner (no user agent) A once.
    const link = (url: string, userAgent?: string) => (e: Record<string, any>) => {
      e.click.link = url;
      if (userAgent !== undefined) e.click.userAgent = userAgent;
    };
    await post("click", r[0]!, id, after(10 * MIN), link(LINK_A));
    await post("click", r[0]!, id, after(12 * MIN), link(LINK_A));
    await post("click", r[0]!, id, after(14 * MIN), link(LINK_B));
    await post("click", r[1]!, id, after(11 * MIN), link(LINK_A));
    await post("click", r[2]!, id, after(13 * MIN), link(LINK_A, ""));
    firstOpen(after(10 * MIN), "both");
    firstOpen(after(11 * MIN), "both");
    firstOpen(after(13 * MIN), "anyone");
    // Opens: a person an hour in; Apple's privacy proxy first, its person three hours in.
    await post("open", r[3]!, id, after(70 * MIN));
    firstOpen(after(70 * MIN), "both");
    await post("open", r[4]!, id, after(15 * MIN), (e) => (e.open.userAgent = "Mozilla/5.0"));
    firstOpen(after(15 * MIN), "anyone");
    await post("open", r[4]!, id, after(190 * MIN));
    firstOpen(after(190 * MIN), "people");
    // Bounces: Permanent · General, Permanent · NoEmail, and the same full mailbox twice.
    await post("bounce-permanent", r[5]!, id, after(2 * MIN));
    await post("bounce-permanent", r[8]!, id, after(2 * MIN), (e) => (e.bounce.bounceSubType = "NoEmail"));
    await post("bounce-transient", r[6]!, id, after(2 * MIN));
    await post("bounce-transient", r[6]!, id, after(30 * MIN));
    // Complaints: one abuse report, one without a feedback type.
    await post("complaint", r[7]!, id, after(20 * MIN));
    await post("complaint", r[4]!, id, after(200 * MIN), (e) => delete e.complaint.complaintFeedbackType);

    untracked = await send("Plain notice", ["plain@example.com"], { tracking: false });
    await post("delivery", untracked.sent[0]!, untracked.campaignId, new Date(untracked.launchedAt.getTime() + MIN));
    // The report is read four hours after the launch.
    ahead = 4 * HOUR;
  });

  test("its cards are GET /analytics's figures for the campaign's life, compared with the campaign before at the same age", async () => {
    const from = dayIn(spring.launchedAt);
    const to = dayIn(t.deps.clock.now());
    const [page, api, api2] = await Promise.all([
      c.get(`/campaigns/${spring.campaignId}`, PAGE),
      c.get(`/analytics?campaignId=${spring.campaignId}&from=${from}&to=${to}`),
      c.get(`/analytics?campaignId=${earlier.campaignId}&from=${dayIn(earlier.launchedAt)}&to=${to}`),
    ]);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="report"');
    const totals = api.json.totals;
    expect(totals).toMatchObject({ sent: 10, delivered: 7, bounced: 2, complained: 2, uniqueOpens: 5, humanOpens: 4, uniqueClicks: 3, humanClicks: 2, clicked: 5 });
    // The campaign before is all within the same hours after its launch: its whole life is the comparison.
    for (const kpi of kpisOf(totals, api2.json.totals)) expect({ key: kpi.key, ...card(page.text, kpi.key) }).toEqual({ key: kpi.key, value: kpi.value, change: kpi.change?.text ?? "nothing to compare" });
    expect(card(page.text, "sent")).toEqual({ value: "10", change: "+150.0%" });
    expect(card(page.text, "delivery")).toEqual({ value: "70.0%", change: "−30.0 pts" });
    // 2 hard bounces of 9 mails with an outcome; 4 people opened of 7 delivered.
    expect(card(page.text, "bounce").value).toBe("22.2%");
    expect(card(page.text, "open").value).toBe("57.1%");
    expect(unescape(page.text)).toContain("Earlier news, the campaign before, in its first ");
    // Two days or less read hour by hour, the same buckets as the API's.
    const hourly = await c.get(`/analytics?campaignId=${spring.campaignId}&from=${from}&to=${to}&interval=hour`);
    const activity = chart(page.text, "activity-chart");
    expect(activity.step).toBe("hour");
    expect(activity.series.find((s) => s.label === "Sent")!.values).toEqual(hourly.json.series.map((b: { sent: number }) => b.sent));
    expect(activity.series.find((s) => s.label === "Bounced")!.values.reduce((a, b) => a + b, 0)).toBe(2);
    // The exports of exactly this period.
    const view = `campaignId=${spring.campaignId}&from=${from}&to=${to}`;
    expect(href(page.text, "export-opened")).toBe(`/analytics/recipients?${view}&activity=opened&format=csv`);
    expect(href(page.text, "export-clicked")).toBe(`/analytics/recipients?${view}&activity=clicked&format=csv`);
    // The workbook's series in the same buckets as the chart.
    expect(href(page.text, "export-excel")).toBe(`/analytics?${view}&interval=hour&format=xlsx`);
  });

  test("opens by hour counts each recipient's first open from the launch hour, people and machines apart", async () => {
    const asked = t.deps.clock.now().getTime();
    const page = await c.get(`/campaigns/${spring.campaignId}`, PAGE);
    const data = chart(page.text, "opens-by-hour-chart");
    const since = hourOf(spring.launchedAt.getTime());
    // Every hour from the launch hour to the one under way (the clock may have passed an hour meanwhile).
    expect(data.x).toEqual(Array.from({ length: data.x.length }, (_, i) => (since + i * HOUR) / 1000));
    expect(data.x.at(-1)! * 1000).toBeGreaterThanOrEqual(hourOf(asked));
    expect(data.x.at(-1)! * 1000).toBeLessThanOrEqual(hourOf(t.deps.clock.now().getTime()));
    const expected = data.x.map((x) => firstOpens.get(x * 1000) ?? { people: 0, anyone: 0 });
    expect(data.series.map((s) => s.label)).toEqual(["First opened by a person", "First fetched by a machine only"]);
    expect(data.series[0]!.values).toEqual(expected.map((b) => b.people));
    expect(data.series[1]!.values).toEqual(expected.map((b) => Math.max(0, b.anyone - b.people)));
    expect(data.series[0]!.values.reduce((a, b) => a + b, 0)).toBe(4);
  });

  test("top links count clicks, the people who clicked and the machines' clicks; addresses are shown as escaped text", async () => {
    const page = await c.get(`/campaigns/${spring.campaignId}`, PAGE);
    expect(rows(page.text, "data-link")).toEqual([
      { key: "1", cells: [LINK_A, "4", "2", "1"] },
      { key: "2", cells: [LINK_B, "1", "1", "0"] },
    ]);
    expect(page.text).toContain("https://example.com/b?x=&lt;b&gt;&amp;y=&quot;1&quot;");
    expect(page.text).not.toContain("<b>");
    expect(page.text).not.toContain(`href="${LINK_A}"`);
  });

  test("bounces are grouped by SES's type and sub-type with their share; complaints by feedback type", async () => {
    const page = await c.get(`/campaigns/${spring.campaignId}`, PAGE);
    expect(rows(page.text, "data-bounce")).toEqual([
      { key: "Transient/MailboxFull", cells: ["Transient · MailboxFull the mailbox is full", "2", "50.0%"] },
      { key: "Permanent/General", cells: ["Permanent · General the address does not exist or refuses mail", "1", "25.0%"] },
      { key: "Permanent/NoEmail", cells: ["Permanent · NoEmail the address does not exist", "1", "25.0%"] },
    ]);
    expect(rows(page.text, "data-complaint")).toEqual([
      { key: "abuse", cells: ["abuse unwanted mail or another kind of abuse", "1", "50.0%"] },
      { key: "", cells: ["not given the mailbox provider gave no type, as most do", "1", "50.0%"] },
    ]);
  });

  test("sections with nothing in them say so; the first campaign has nothing to compare", async () => {
    const page = await c.get(`/campaigns/${earlier.campaignId}`, PAGE);
    expect(page.text).toContain('data-testid="links-empty"');
    expect(page.text).toContain("No clicks yet.");
    expect(page.text).toContain("No bounces yet.");
    expect(page.text).toContain("No complaints yet.");
    expect(chart(page.text, "opens-by-hour-chart").series[0]!.values.reduce((a, b) => a + b, 0)).toBe(1);
    expect(card(page.text, "delivery")).toEqual({ value: "100.0%", change: "nothing to compare" });
    expect(page.text).toContain("No campaign was launched before it in this workspace, so there is nothing to compare.");
  });

  test("a campaign sent without tracking says opens and clicks are not tracked, instead of empty charts", async () => {
    const page = await c.get(`/campaigns/${untracked.campaignId}`, PAGE);
    expect(page.text).toContain('data-testid="not-tracked"');
    expect(page.text).toContain("Opens and clicks are not tracked for this campaign");
    expect(page.text).not.toContain("opens-by-hour-chart");
    expect(page.text).not.toContain('id="top-links"');
    expect(page.text).not.toContain("Export who opened");
    expect(card(page.text, "sent").value).toBe("1");
    expect(unescape(page.text)).toContain("Spring news, the campaign before");
  });

  test("a draft has no report; another workspace finds neither the page nor its report", async () => {
    const draft = (await c.post("/campaigns", { name: "Not yet", from: "news@example.com", subject: "s", html: "<p>s</p>", listIds: [] })).json.id;
    const page = await c.get(`/campaigns/${draft}`, PAGE);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-testid="report"');
    expect(page.text).not.toContain("uplot.min.js");
    // The recipients' filter swaps only the table in: no report there.
    const swap = await c.get(`/campaigns/${spring.campaignId}?status=bounced`, { ...PAGE, "hx-request": "true" });
    expect(swap.text).toContain('data-testid="recipients"');
    expect(swap.text).not.toContain('data-testid="report"');
    const other = new Client(t.app);
    await other.signup("report-stranger@example.com");
    const seen = await other.get(`/campaigns/${spring.campaignId}`, PAGE);
    expect(seen.status).toBe(404);
    expect(seen.text).not.toContain("Spring news");
    expect(seen.text).not.toContain("example.com/a");
  });
});
