import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql, type SQL } from "drizzle-orm";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import { transaction } from "../../src/db/client";
import { applyFacts, type Fact } from "../../src/features/events/facts";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";
import { waitFor } from "../support/wait";

/**
 * The analytics exports: the workbook of a view (Totals, Series, Recipients) and the per-recipient
 * export of who was mailed, who opened and who clicked. "Spring news" is sent for real through the
 * SES emulator, and what happens to its mail afterwards is recorded by applyFacts, the function SNS
 * events and tracking hits go through (recipients, events and hourly counters in one transaction).
 * "March news" is written straight into the tables, consistently, around the night Paris moved its
 * clocks forward, so every boundary and every wall-clock time is known to the minute.
 */

const KEY = { accessKeyId: "AKIAANALYTICSEXPORT1", secretAccessKey: "analytics-export-secret-access-key-00000" };
const ZONE = "Europe/Paris";
const HOUR = 3600_000;

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let c: Client;
let workspaceId: string;
let readers: string;
let marchList: string;
let spring: string;
let march: string;
/** The days around now in Paris: everything "Spring news" did lies within them. */
let from: string;
let to: string;

interface Downloaded {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

/** A GET whose body is kept as bytes (the test client reads text). */
async function fetchBytes(client: Client, path: string): Promise<Downloaded> {
  const response = await t.app.handle(
    new Request(`http://localhost${path}`, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } }),
  );
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function workbook(client: Client, path: string): Promise<ExcelJS.Workbook> {
  const reply = await fetchBytes(client, path);
  expect(reply.status).toBe(200);
  expect(reply.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(reply.bytes) as unknown as ArrayBuffer);
  return book;
}

/** A sheet's rows after the header, keyed by the header's words. */
function rowsOf(sheet: ExcelJS.Worksheet): Record<string, ExcelJS.Cell>[] {
  const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, ExcelJS.Cell>[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    rows.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1)])));
  });
  return rows;
}

function csvRows(text: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
}

const dayInParis = (at: number) => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

/** The wall clock in Paris at `at`, as a Date whose UTC fields read it (what Excel must show). */
function parisWallClock(at: number): Date {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return new Date(Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`) + (at % 1000));
}

type Happening = Pick<Fact, "type" | "email" | "at" | "campaignId" | "recipientId"> & { class?: "human" | "machine"; hard?: boolean };

/** Records what happened to mails as SES events and tracking hits do. */
async function record(happenings: Happening[]) {
  const facts: Fact[] = happenings.map((h, i) => ({ workspaceId, detail: {}, key: `test:${h.recipientId}:${h.type}:${h.at.getTime()}:${i}`, ...h, class: h.class ?? null }));
  await transaction(t.deps.db, (tx) => applyFacts(tx, facts));
}

type Seeded = { id: number; email: string; sentAt: number };

/** "March news": recipients written directly, each counted as sent in its hour, as the sender does. */
async function seedMarch(): Promise<Seeded[]> {
  const { db } = t.deps;
  march = (await c.post("/campaigns", { name: "March news", from: "news@example.com", subject: "March", html: "<p>March</p>", listIds: [marchList] })).json.id;
  await db.orm.update(db.t.campaigns).set({ status: "sent" }).where(eq(db.t.campaigns.id, march));
  const times: [string, string][] = [
    ["before@example.com", "2026-03-27T22:59:00Z"], // 23:59 on 27 March in Paris: before the period
    ["midnight@example.com", "2026-03-27T23:00:00Z"], // 00:00 on 28 March in Paris
    ["winter@example.com", "2026-03-29T00:30:00Z"], // 01:30 in Paris (UTC+01:00), half an hour before the change
    ["summer@example.com", "2026-03-29T01:30:00Z"], // 03:30 in Paris (UTC+02:00), half an hour after it
    ["late@example.com", "2026-03-29T21:59:00Z"], // 23:59 on 29 March in Paris
    ["after@example.com", "2026-03-29T22:00:00Z"], // 00:00 on 30 March in Paris: after the period
  ];
  const seeded: Seeded[] = [];
  for (const [email, at] of times) {
    const sentAt = Date.parse(at);
    const [row] = await db.orm
      .insert(db.t.recipients)
      .values({ workspaceId, campaignId: march, email, status: "sent", messageId: `march-${email}`, attempts: 1, sentAt: new Date(sentAt) })
      .returning({ id: db.t.recipients.id });
    const hour = Math.floor(sentAt / HOUR) * HOUR;
    await db.rows(sql`insert into campaign_stats (workspace_id, campaign_id, hour, sent) values (${workspaceId}, ${march}, ${hour}, 1)
      on conflict (campaign_id, hour) do update set sent = campaign_stats.sent + 1`);
    seeded.push({ id: row!.id, email, sentAt });
  }
  const by = (email: string) => seeded.find((s) => s.email === email)!;
  await record([
    { type: "delivery", email: "summer@example.com", at: new Date("2026-03-29T01:31:00Z"), campaignId: march, recipientId: by("summer@example.com").id },
    { type: "open", email: "summer@example.com", at: new Date("2026-03-29T06:00:00Z"), campaignId: march, recipientId: by("summer@example.com").id, class: "human" },
  ]);
  return seeded;
}

let springRows: Seeded[];
let marchRows: Seeded[];

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com" } });
  c = new Client(t.app);
  workspaceId = (await c.signup("exports@example.com")).workspace.id;
  expect((await c.put("/me/time-zone", { timeZone: ZONE })).status).toBeLessThan(300);
  await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });

  readers = (await importInto(c, "email\nana@example.com\nbo@example.com\ncy@example.com\ndee@example.com\n", {}, "Readers")).listId;
  marchList = (await c.post("/lists", { name: "March readers" })).json.id;
  spring = (await c.post("/campaigns", { name: "Spring news", from: "news@example.com", subject: "Spring", html: '<p>Spring <a href="https://example.com/a">A</a></p>', listIds: [readers] })).json.id;
  expect((await c.post(`/campaigns/${spring}/launch`)).status).toBe(202);
  const done = await waitFor(
    async () => (await c.get(`/campaigns/${spring}`)).json,
    (j) => j.status === "sent",
  );
  expect(done.counts.sent).toBe(4);

  const { db } = t.deps;
  springRows = (
    await db.orm.select({ id: db.t.recipients.id, email: db.t.recipients.email, sentAt: db.t.recipients.sentAt }).from(db.t.recipients).where(eq(db.t.recipients.campaignId, spring))
  ).map((r) => ({ id: r.id, email: r.email, sentAt: r.sentAt!.getTime() }));
  const who = (email: string) => ({ email, campaignId: spring, recipientId: springRows.find((r) => r.email === email)!.id });
  const soon = (seconds: number) => new Date(Math.max(...springRows.map((r) => r.sentAt)) + seconds * 1000);
  await record([
    { type: "delivery", at: soon(1), ...who("ana@example.com") },
    // A privacy proxy fetches the pixel at once; Ana herself opens twice and clicks later.
    { type: "open", at: soon(2), ...who("ana@example.com"), class: "machine" },
    { type: "open", at: soon(60), ...who("ana@example.com"), class: "human" },
    { type: "open", at: soon(120), ...who("ana@example.com"), class: "human" },
    { type: "click", at: soon(130), ...who("ana@example.com"), class: "human" },
    // Bo's mail is read by a scanner only, which opens and follows the link.
    { type: "delivery", at: soon(1), ...who("bo@example.com") },
    { type: "open", at: soon(3), ...who("bo@example.com"), class: "machine" },
    { type: "click", at: soon(3), ...who("bo@example.com"), class: "machine" },
    { type: "bounce", at: soon(2), ...who("cy@example.com"), hard: true },
    { type: "delivery", at: soon(1), ...who("dee@example.com") },
    { type: "complaint", at: soon(300), ...who("dee@example.com") },
  ]);
  from = dayInParis(Date.now() - 24 * HOUR);
  to = dayInParis(Date.now() + 24 * HOUR);
  marchRows = await seedMarch();
}, 60_000);
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

describe("GET /analytics?format=xlsx", () => {
  test("Totals and Series hold exactly the JSON answer's figures, as numbers and real dates, under a bold frozen header", async () => {
    const query = `from=${from}&to=${to}`;
    const json = (await c.get(`/analytics?${query}`)).json;
    expect(json.totals).toMatchObject({ sent: 4, delivered: 3, bounced: 1, complained: 1, opened: 4, clicked: 2, uniqueOpens: 2, uniqueClicks: 2, humanOpens: 1, humanClicks: 1 });

    const reply = await fetchBytes(c, `/analytics?${query}&format=xlsx`);
    expect(reply.headers.get("content-disposition")).toBe(`attachment; filename="sesame-analytics-${from}-to-${to}.xlsx"`);
    expect(reply.headers.get("cache-control")).toBe("no-store");
    const book = await workbook(c, `/analytics?${query}&format=xlsx`);
    expect(book.worksheets.map((s) => s.name)).toEqual(["Totals", "Series", "Recipients"]);
    for (const sheet of book.worksheets) {
      expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
      expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(sheet.getColumn(1).width).toBeGreaterThan(10);
    }

    const totals = book.getWorksheet("Totals")!;
    const figure = new Map<string, ExcelJS.Cell>();
    totals.eachRow((row, n) => {
      if (n > 1 && row.getCell(1).value) figure.set(String(row.getCell(1).value), row.getCell(2));
    });
    const labels: Record<string, string> = {
      sent: "Sent",
      delivered: "Delivered",
      bounced: "Bounced (permanent)",
      complained: "Complaints",
      opened: "Opens (every open)",
      clicked: "Clicks (every click)",
      uniqueOpens: "Recipients who opened",
      uniqueClicks: "Recipients who clicked",
      humanOpens: "Recipients who opened (human)",
      humanClicks: "Recipients who clicked (human)",
      unsubscribed: "Unsubscribed",
      failed: "Failed",
      rejected: "Rejected by SES",
    };
    for (const [counter, value] of Object.entries(json.totals)) {
      const cell = figure.get(labels[counter]!);
      expect({ counter, value: cell?.value, numFmt: cell?.numFmt }).toEqual({ counter, value: value as number, numFmt: "#,##0" });
    }
    // The dashboard's rates (ratesOf): bounces out of the mails with an outcome, complaints, opens and clicks out of delivered.
    expect(figure.get("Delivery rate")).toMatchObject({ value: 0.75, numFmt: "0.0%" });
    expect(figure.get("Bounce rate")!.value).toBe(1 / 4);
    expect(figure.get("Complaint rate")!.value).toBeCloseTo(1 / 3, 12);
    expect(figure.get("Unique open rate (people and machines)")!.value).toBeCloseTo(2 / 3, 12);
    expect(figure.get("Human open rate")!.value).toBeCloseTo(1 / 3, 12);
    expect(figure.get("Machine open rate")!.value).toBeCloseTo(1 / 3, 12);
    expect(figure.get("Machine click rate")!.value).toBeCloseTo(1 / 3, 12);
    const setting = new Map<string, ExcelJS.Cell>();
    totals.eachRow((row, n) => {
      if (n > 1 && row.getCell(4).value) setting.set(String(row.getCell(4).value), row.getCell(5));
    });
    expect(setting.get("From")!.value).toEqual(new Date(`${from}T00:00:00Z`));
    expect(setting.get("From")!.numFmt).toBe("yyyy-mm-dd");
    expect(setting.get("To")!.value).toEqual(new Date(`${to}T00:00:00Z`));
    expect(setting.get("Time zone")!.value).toBe(ZONE);
    expect(setting.get("Campaign")!.value).toBe("All campaigns");

    const series = rowsOf(book.getWorksheet("Series")!);
    expect(series).toHaveLength(json.series.length);
    json.series.forEach((bucket: Record<string, string | number>, i: number) => {
      const row = series[i]!;
      expect(row.Day!.value).toEqual(new Date(`${bucket.t}T00:00:00Z`));
      expect(row.Day!.numFmt).toBe("yyyy-mm-dd");
      for (const [counter, label] of Object.entries(labels)) {
        if (counter in bucket) expect({ t: bucket.t, counter, value: row[label]!.value }).toEqual({ t: bucket.t as string, counter, value: bucket[counter] as number });
      }
      expect(row.Sent!.numFmt).toBe("#,##0");
    });
  });

  test("the Recipients sheet has a row per mail sent in the period, with its status, counts and times in the person's zone", async () => {
    const book = await workbook(c, `/analytics?from=${from}&to=${to}&format=xlsx`);
    const rows = rowsOf(book.getWorksheet("Recipients")!);
    expect(rows).toHaveLength(4);
    const byEmail = new Map(rows.map((r) => [String(r.Email!.value), r]));
    const pick = (email: string) => {
      const r = byEmail.get(email)!;
      return { campaign: r.Campaign!.value, status: r.Status!.value, opens: r["Opens (clicks included)"]!.value, clicks: r.Clicks!.value, humanOpens: r["Human opens (clicks included)"]!.value, humanClicks: r["Human clicks"]!.value };
    };
    // A click counts as an open too (the mail was read to get there), as for the first-open time.
    expect(pick("ana@example.com")).toEqual({ campaign: "Spring news", status: "clicked", opens: 4, clicks: 1, humanOpens: 3, humanClicks: 1 });
    expect(pick("bo@example.com")).toEqual({ campaign: "Spring news", status: "clicked", opens: 2, clicks: 1, humanOpens: 0, humanClicks: 0 });
    expect(pick("cy@example.com")).toMatchObject({ status: "bounced", opens: 0, clicks: 0 });
    expect(pick("dee@example.com")).toMatchObject({ status: "complained", opens: 0, clicks: 0 });

    const ana = byEmail.get("ana@example.com")!;
    const sentAt = springRows.find((r) => r.email === "ana@example.com")!.sentAt;
    expect(ana[`Sent at (${ZONE})`]!.value).toBeInstanceOf(Date);
    expect(ana[`Sent at (${ZONE})`]!.value).toEqual(parisWallClock(sentAt));
    expect(ana[`Sent at (${ZONE})`]!.numFmt).toBe("yyyy-mm-dd hh:mm:ss");
    expect(ana[`First opened at (${ZONE})`]!.value).toEqual(parisWallClock(Math.max(...springRows.map((r) => r.sentAt)) + 2000));
    expect(ana[`First clicked at (${ZONE})`]!.value).toBeInstanceOf(Date);
    expect(ana[`Bounced at (${ZONE})`]!.value).toBeNull();
    expect(ana["Opens (clicks included)"]!.numFmt).toBe("#,##0");
    expect(String(ana["SES message id"]!.value)).toMatch(/\S{10,}/);
    expect(byEmail.get("cy@example.com")![`Bounced at (${ZONE})`]!.value).toBeInstanceOf(Date);
    expect(byEmail.get("dee@example.com")![`Complained at (${ZONE})`]!.value).toBeInstanceOf(Date);
  });

  test("the rows of a period are the mail sent in the person's days, as many as totals.sent, at the wall-clock time either side of a clock change", async () => {
    const query = `from=2026-03-28&to=2026-03-29&listId=${marchList}`;
    const json = (await c.get(`/analytics?${query}`)).json;
    expect(json.totals.sent).toBe(4);
    const book = await workbook(c, `/analytics?${query}&format=xlsx`);
    const rows = rowsOf(book.getWorksheet("Recipients")!);
    expect(rows.map((r) => r.Email!.value)).toEqual(["midnight@example.com", "winter@example.com", "summer@example.com", "late@example.com"]);
    expect(rows).toHaveLength(json.totals.sent);
    const sent = (email: string) => rows.find((r) => r.Email!.value === email)![`Sent at (${ZONE})`]!.value;
    expect(sent("midnight@example.com")).toEqual(new Date("2026-03-28T00:00:00Z"));
    expect(sent("winter@example.com")).toEqual(new Date("2026-03-29T01:30:00Z"));
    expect(sent("summer@example.com")).toEqual(new Date("2026-03-29T03:30:00Z"));
    expect(sent("late@example.com")).toEqual(new Date("2026-03-29T23:59:00Z"));
    const summer = rows.find((r) => r.Email!.value === "summer@example.com")!;
    expect(summer[`First opened at (${ZONE})`]!.value).toEqual(new Date("2026-03-29T08:00:00Z"));
    expect(summer["Human opens (clicks included)"]!.value).toBe(1);
    const setting = new Map<string, unknown>();
    book.getWorksheet("Totals")!.eachRow((row) => setting.set(String(row.getCell(4).value), row.getCell(5).value));
    expect(setting.get("List")).toBe("March readers");
    expect(setting.get("Campaign")).toBe("All campaigns");
  });

  test("hourly series are dated by the hour on the person's clock", async () => {
    const query = `from=2026-03-29&to=2026-03-29&interval=hour&campaignId=${march}`;
    const json = (await c.get(`/analytics?${query}`)).json;
    const book = await workbook(c, `/analytics?${query}&format=xlsx`);
    const rows = rowsOf(book.getWorksheet("Series")!);
    // 29 March in Paris is 23 hours long.
    expect(rows).toHaveLength(23);
    expect(rows).toHaveLength(json.series.length);
    const hour = `Hour (${ZONE})`;
    expect(rows.slice(0, 4).map((r) => r[hour]!.value)).toEqual(["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T03:00:00Z", "2026-03-29T04:00:00Z"].map((d) => new Date(d)));
    expect(rows[0]![hour]!.numFmt).toBe("yyyy-mm-dd hh:mm");
    expect(rows.map((r) => r.Sent!.value)).toEqual(json.series.map((b: { sent: number }) => b.sent));
    const setting = new Map<string, unknown>();
    book.getWorksheet("Totals")!.eachRow((row) => setting.set(String(row.getCell(4).value), row.getCell(5).value));
    expect(setting.get("Campaign")).toBe("March news");
  });
});

describe("GET /analytics/recipients", () => {
  const emails = (rows: Record<string, string>[]) => rows.map((r) => r.Email).sort();

  test("lists everyone mailed, who opened and who clicked, human ones apart, as CSV", async () => {
    const base = `/analytics/recipients?from=${from}&to=${to}`;
    const all = await c.get(base);
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(all.headers.get("content-disposition")).toBe(`attachment; filename="sesame-recipients-${from}-to-${to}.csv"`);
    expect(all.headers.get("cache-control")).toBe("no-store");
    expect(all.text.split("\r\n")[0]).toBe(
      `Campaign,Email,Status,Sent at (${ZONE}),Delivered at (${ZONE}),First opened at (${ZONE}),First clicked at (${ZONE}),Opens (clicks included),Clicks,Human opens (clicks included),Human clicks,Bounced at (${ZONE}),Complained at (${ZONE}),Unsubscribed at (${ZONE}),SES message id,Error`,
    );
    expect(emails(csvRows(all.text))).toEqual(["ana@example.com", "bo@example.com", "cy@example.com", "dee@example.com"]);
    const ana = csvRows(all.text).find((r) => r.Email === "ana@example.com")!;
    expect(ana).toMatchObject({ Campaign: "Spring news", Status: "clicked", "Opens (clicks included)": "4", Clicks: "1", "Human opens (clicks included)": "3", "Human clicks": "1" });
    const sentAt = springRows.find((r) => r.email === "ana@example.com")!.sentAt;
    expect(ana[`Sent at (${ZONE})`]).toBe(parisWallClock(sentAt).toISOString().slice(0, 19).replace("T", " "));

    expect(emails(csvRows((await c.get(`${base}&activity=opened`)).text))).toEqual(["ana@example.com", "bo@example.com"]);
    expect(emails(csvRows((await c.get(`${base}&activity=clicked`)).text))).toEqual(["ana@example.com", "bo@example.com"]);
    expect(emails(csvRows((await c.get(`${base}&activity=opened&class=human`)).text))).toEqual(["ana@example.com"]);
    expect(emails(csvRows((await c.get(`${base}&activity=clicked&class=human`)).text))).toEqual(["ana@example.com"]);
    expect(emails(csvRows((await c.get(`${base}&class=human`)).text))).toEqual(["ana@example.com"]);
    const opened = await c.get(`${base}&activity=opened&class=human`);
    expect(opened.headers.get("content-disposition")).toContain(`sesame-opened-human-${from}-to-${to}.csv`);
  });

  test("as a workbook, with the same people and real dates", async () => {
    const book = await workbook(c, `/analytics/recipients?from=${from}&to=${to}&activity=clicked&format=xlsx`);
    expect(book.worksheets.map((s) => s.name)).toEqual(["Recipients"]);
    const sheet = book.getWorksheet("Recipients")!;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    const rows = rowsOf(sheet);
    expect(rows.map((r) => r.Email!.value).sort()).toEqual(["ana@example.com", "bo@example.com"]);
    for (const r of rows) expect(r[`First clicked at (${ZONE})`]!.value).toBeInstanceOf(Date);
  });

  test("filters by campaign and by list", async () => {
    const period = "from=2026-03-01&to=2026-12-31";
    expect(emails(csvRows((await c.get(`/analytics/recipients?${period}&campaignId=${spring}`)).text))).toEqual(["ana@example.com", "bo@example.com", "cy@example.com", "dee@example.com"]);
    expect(emails(csvRows((await c.get(`/analytics/recipients?${period}&campaignId=${march}`)).text))).toHaveLength(marchRows.length);
    expect(emails(csvRows((await c.get(`/analytics/recipients?${period}&listId=${readers}`)).text))).toEqual(["ana@example.com", "bo@example.com", "cy@example.com", "dee@example.com"]);
    expect(emails(csvRows((await c.get(`/analytics/recipients?${period}&listId=${marchList}&activity=opened`)).text))).toEqual(["summer@example.com"]);
    // A campaign that does not send to the list: nobody.
    const none = await c.get(`/analytics/recipients?${period}&listId=${marchList}&campaignId=${spring}`);
    expect(none.status).toBe(200);
    expect(csvRows(none.text)).toEqual([]);
  });

  test("bad choices are refused with a sentence naming the field, before any download starts", async () => {
    const cases: [string, string][] = [
      ["/analytics/recipients?format=pdf", "format"],
      ["/analytics/recipients?activity=read", "activity"],
      ["/analytics/recipients?class=robot", "class"],
      ["/analytics/recipients?from=2026-02-30", "from"],
      ["/analytics?format=xls", "format"],
    ];
    for (const [path, field] of cases) {
      const reply = await c.get(path);
      expect({ path, status: reply.status, field: reply.json?.field }).toEqual({ path, status: 422, field });
      expect(reply.headers.get("content-type")).toContain("application/json");
      expect(reply.json.error).toMatch(/^[A-Z].*\.$/);
    }
  });

  test("another workspace's campaign or list is not found, and its own exports hold none of these rows", async () => {
    const other = new Client(t.app);
    await other.signup("someone-else@example.com");
    for (const path of [`/analytics/recipients?campaignId=${spring}`, `/analytics/recipients?listId=${readers}&format=xlsx`, `/analytics?campaignId=${spring}&format=xlsx`, `/analytics?listId=${marchList}&format=xlsx`]) {
      expect({ path, status: (await other.get(path)).status }).toEqual({ path, status: 404 });
    }
    const own = await other.get(`/analytics/recipients?from=2026-03-01&to=2026-12-31`);
    expect(own.status).toBe(200);
    expect(csvRows(own.text)).toEqual([]);
    const book = await workbook(other, `/analytics?from=${from}&to=${to}&format=xlsx`);
    expect(rowsOf(book.getWorksheet("Recipients")!)).toEqual([]);
  });

  test("a member of the workspace, not only its owner, may export it", async () => {
    const member = new Client(t.app);
    const me = await member.signup("member@example.com");
    const { db } = t.deps;
    await db.orm.insert(db.t.memberships).values({ workspaceId, userId: me.user.id, role: "member", createdAt: new Date() });
    await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.userId, me.user.id));
    const reply = await member.get(`/analytics/recipients?from=${from}&to=${to}&activity=opened`);
    expect(reply.status).toBe(200);
    expect(emails(csvRows(reply.text))).toEqual(["ana@example.com", "bo@example.com"]);
    // The member's own zone (none chosen: UTC) names the times.
    expect(reply.text.split("\r\n")[0]).toContain("Sent at (UTC)");
  });
});

describe("large exports", () => {
  /** Two campaigns whose recipients were written in turns, so each one's ids are spread over twice as many. */
  const BULK = 25_000;
  const MAY = "from=2026-05-10&to=2026-05-10";
  let even: string;
  let odd: string;
  let pageReads = 0;
  let restore: () => void;

  beforeAll(async () => {
    const { db } = t.deps;
    even = (await c.post("/campaigns", { name: "Bulk even", from: "news@example.com", subject: "Bulk", html: "<p>Bulk</p>", listIds: [] })).json.id;
    odd = (await c.post("/campaigns", { name: "Bulk odd", from: "news@example.com", subject: "Bulk", html: "<p>Bulk</p>", listIds: [] })).json.id;
    const sentAt = Date.parse("2026-05-10T10:00:00Z");
    const pick = sql`case when i % 2 = 0 then ${even} else ${odd} end`;
    // Message ids as random as SES's, so the file does not shrink to nothing in the zip.
    const random = db.dialect === "postgres" ? sql`md5(random()::text) || md5(random()::text)` : sql`lower(hex(randomblob(32)))`;
    const values = sql`${workspaceId}, ${pick}, 'bulk' || i || '@example.com', 'sent', ${random}, ${sentAt}, 1`;
    const columns = sql`recipients (workspace_id, campaign_id, email, status, message_id, sent_at, attempts)`;
    await db.rows(
      db.dialect === "postgres"
        ? sql`insert into ${columns} select ${values} from generate_series(1, ${2 * BULK}) as g(i)`
        : sql`insert into ${columns} with recursive n(i) as (select 1 union all select i + 1 from n where i < ${2 * BULK}) select ${values} from n`,
    );
    // Every third one opened once, by a person a minute later, as applyFacts would have written it.
    const openedAt = sentAt + 60_000;
    await db.rows(sql`update recipients set status = 'opened', opened_at = ${openedAt}, human_opened_at = ${openedAt} where campaign_id in (${even}, ${odd}) and id % 3 = 0`);
    await db.rows(sql`insert into events (workspace_id, type, source_id, campaign_id, recipient_id, email, at, class)
      select workspace_id, 'open', 'bulk-open-' || id, campaign_id, id, email, ${openedAt}, 'human' from recipients where campaign_id in (${even}, ${odd}) and opened_at is not null`);
    for (const id of [even, odd]) {
      const [{ n }] = await db.rows<{ n: number }>(sql`select count(*) as n from recipients where campaign_id = ${id} and opened_at is not null`);
      await db.rows(sql`insert into campaign_stats (workspace_id, campaign_id, hour, sent, opened, unique_opens, human_opens) values (${workspaceId}, ${id}, ${sentAt}, ${BULK}, ${n}, ${n}, ${n})`);
    }

    // Counts the pages of recipients read, by every export from here on.
    const rows = db.rows;
    const text = (query: SQL) => query.queryChunks.map((chunk) => ((chunk as { value?: unknown }).value instanceof Array ? (chunk as { value: string[] }).value.join("") : "")).join("");
    db.rows = (query, on) => {
      if (/from recipients\s+where id >/.test(text(query))) pageReads++;
      return rows(query, on);
    };
    restore = () => {
      db.rows = rows;
    };
  });
  afterAll(() => restore());

  test("every row once, in keyset pages through campaigns whose ids interleave, as many as totals.sent", async () => {
    const one = csvRows((await c.get(`/analytics/recipients?${MAY}&campaignId=${even}`)).text);
    expect(one).toHaveLength(BULK);
    expect(new Set(one.map((r) => r.Email)).size).toBe(BULK);
    expect(one.every((r) => Number(/\d+/.exec(r.Email!)![0]) % 2 === 0 && r.Campaign === "Bulk even")).toBe(true);
    const all = csvRows((await c.get(`/analytics/recipients?${MAY}`)).text);
    expect(all).toHaveLength((await c.get(`/analytics?${MAY}`)).json.totals.sent);
    expect(all).toHaveLength(2 * BULK);
    const totals = (await c.get(`/analytics?${MAY}`)).json.totals;
    expect(all.reduce((n, r) => n + Number(r["Opens (clicks included)"]), 0)).toBe(totals.opened + totals.clicked);
    expect(all.filter((r) => Number(r["Opens (clicks included)"]) > 0)).toHaveLength(totals.uniqueOpens);
    const opened = csvRows((await c.get(`/analytics/recipients?${MAY}&activity=opened&class=human`)).text);
    expect(opened).toHaveLength(totals.humanOpens);
    expect(opened.length).toBeGreaterThan(9_000);
  }, 60_000);

  for (const format of ["xlsx", "csv"]) {
    test(`a ${format} download starts at once, reads no further than the client takes, and stops when the client goes away`, async () => {
      const before = pageReads;
      const response = await t.app.handle(
        new Request(`http://localhost/analytics/recipients?${MAY}&format=${format}`, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } }),
      );
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect((await reader.read()).value!.byteLength).toBeGreaterThan(0);
      // The client stops reading: the export waits for it instead of reading on into memory. It comes
      // to rest within a few pages (what the stream's buffers hold), far from the end.
      const settled = async () => {
        for (let last = -1; pageReads !== last; ) {
          last = pageReads;
          await Bun.sleep(700);
        }
        return pageReads - before;
      };
      const held = await settled();
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan((2 * BULK) / 2_000 / 2);
      await reader.cancel();
      expect(await settled()).toBeLessThanOrEqual(held + 1);
    }, 30_000);
  }
});
