import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import ExcelJS from "exceljs";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

setDefaultTimeout(120_000);

/**
 * The "done when": the dashboard on seeded data; the range and the campaign change and the
 * cards and charts change with them; back and forward restore each view; both exports download,
 * open, and hold the API's figures.
 */

const HOUR = 3600_000;
let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

/** Campaigns a week apart, each with a day of counters, over the last two months. */
async function seed(workspaceId: string) {
  const { db } = j.t.deps;
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const id = `e2e-campaign-${i}`;
    const launched = new Date(Math.floor((now - (56 - i * 7) * 24 * HOUR) / HOUR) * HOUR);
    await db.orm.insert(db.t.campaigns).values({ id, workspaceId, name: `Weekly letter ${i + 1}`, status: "sent", fromAddress: "news@example.com", subject: "News", createdAt: launched, updatedAt: launched, launchedAt: launched, finishedAt: launched });
    for (let h = 0; h < 24; h++) {
      const sent = h < 3 ? 1000 * (i + 1) : 0;
      await db.orm.insert(db.t.campaignStats).values({
        workspaceId,
        campaignId: id,
        hour: launched.getTime() + h * HOUR,
        sent,
        delivered: Math.round(sent * 0.96),
        bounced: Math.round(sent * 0.04),
        complained: h === 5 ? i : 0,
        opened: 120 - h * 4,
        uniqueOpens: 90 - h * 3,
        humanOpens: 60 - h * 2,
        clicked: 30 - h,
        uniqueClicks: 24 - h,
        humanClicks: 20 - h,
        unsubscribed: h % 6 === 0 ? 1 : 0,
      });
    }
    ids.push(id);
  }
  return ids;
}

/** Waits for the activity chart's drawing (a canvas uPlot put in the figure). */
const chartDrawn = (page: Page) => page.locator("[data-testid=activity-chart] canvas").first().waitFor({ state: "visible", timeout: 10_000 });

/** Waits until the "Sent" card shows `text`. */
async function sentShows(page: Page, text: string) {
  await page.waitForFunction((want) => document.querySelector('[data-kpi="sent"] [data-kpi-value]')?.textContent?.trim() === want, text, { timeout: 10_000 });
}

const cardValue = (page: Page, key: string) => page.locator(`[data-kpi="${key}"] [data-kpi-value]`).innerText();
const count = (n: number) => n.toLocaleString("en");

async function api(page: Page, query: string) {
  const reply = await page.request.get(`${j.url}/analytics?${query}`, { headers: { accept: "application/json" } });
  expect(reply.status()).toBe(200);
  return reply.json();
}

/** The view's filter, as the download links carry it. */
async function viewQuery(page: Page) {
  const href = (await page.getByTestId("download-csv").getAttribute("href"))!;
  return new URL(href, j.url).searchParams;
}

test("a person filters the dashboard, goes back and forward, and downloads both exports of the view", async () => {
  const context = await j.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "analyst@example.com", "analyst password");
  const me = await (await page.request.get(`${j.url}/auth/me`)).json();
  const campaigns = await seed(me.workspace.id);
  await page.goto(`${j.url}/dashboard`);

  // The default view: the last 30 days, drawn.
  await chartDrawn(page);
  const month = await api(page, (await viewQuery(page)).toString().replace(/&?format=csv/, ""));
  expect(await cardValue(page, "sent")).toBe(count(month.totals.sent));
  expect(month.totals.sent).toBeGreaterThan(0);

  // 90 days: more campaigns, other cards, another chart.
  await page.getByRole("link", { name: "90 days" }).click();
  await page.waitForURL(/range=90d/);
  const quarter = await api(page, (await viewQuery(page)).toString().replace(/&?format=csv/, ""));
  expect(quarter.totals.sent).toBeGreaterThan(month.totals.sent);
  await sentShows(page, count(quarter.totals.sent));
  await chartDrawn(page);

  // One campaign of that period.
  await page.getByLabel("Campaign", { exact: true }).selectOption(campaigns[2]!);
  await page.waitForURL(new RegExp(`campaignId=${campaigns[2]}`));
  expect(page.url()).toContain("range=90d");
  const one = await api(page, (await viewQuery(page)).toString().replace(/&?format=csv/, ""));
  expect(one.totals.sent).toBe(9000); // three hours of 3,000
  await sentShows(page, "9,000");

  // Back to the whole period, forward to the campaign again: each view as it was, charts drawn.
  await page.goBack();
  await page.waitForURL((url) => url.searchParams.get("range") === "90d" && !url.searchParams.has("campaignId"));
  await sentShows(page, count(quarter.totals.sent));
  expect(await page.getByLabel("Campaign", { exact: true }).inputValue()).toBe("");
  await chartDrawn(page);
  await page.goForward();
  await page.waitForURL(new RegExp(`campaignId=${campaigns[2]}`));
  await sentShows(page, "9,000");
  await chartDrawn(page);

  // The view's CSV: a row per day and the totals, the API's figures.
  const csvDownload = page.waitForEvent("download");
  await page.getByTestId("download-csv").click();
  const csv = (await readFile((await (await csvDownload).path())!, "utf8")).trim().split(/\r?\n/).map((line) => line.split(","));
  const header = csv[0]!;
  const total = csv.at(-1)!;
  expect(total[0]).toBe("total");
  expect(Number(total[header.indexOf("sent")])).toBe(one.totals.sent);
  expect(Number(total[header.indexOf("delivered")])).toBe(one.totals.delivered);
  expect(csv.length - 2).toBe(one.series.length);

  // The view's workbook: it opens, and its totals and series are the API's.
  const xlsxDownload = page.waitForEvent("download");
  await page.getByTestId("download-xlsx").click();
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile((await (await xlsxDownload).path())!);
  const series = book.getWorksheet("Series")!;
  expect(series.rowCount - 1).toBe(one.series.length);
  const sentColumn = (series.getRow(1).values as unknown[]).indexOf("Sent");
  expect(sentColumn).toBeGreaterThan(0);
  let seriesSent = 0;
  series.eachRow((row, n) => {
    if (n > 1) seriesSent += Number(row.getCell(sentColumn).value);
  });
  expect(seriesSent).toBe(one.totals.sent);
  expect(series.getRow(2).getCell(1).value).toBeInstanceOf(Date);
  const totals = book.getWorksheet("Totals")!;
  const totalsText: string[] = [];
  totals.eachRow((row) => totalsText.push(`${row.getCell(1).value}|${row.getCell(2).value}`));
  expect(totalsText).toContain(`Sent|${one.totals.sent}`);
  expect(totalsText).toContain(`Delivered|${one.totals.delivered}`);
  expect(totalsText).toContain(`Unsubscribed|${one.totals.unsubscribed}`);

  // The same page on a phone: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await chartDrawn(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  expect(problems).toEqual([]);
  await context.close();
});
