import ExcelJS from "exceljs";
import { Writable } from "node:stream";
import type { Deps, Scope } from "../../deps";
import { csvLine } from "../../lib/csv";
import { Invalid } from "../../lib/errors";
import { describeForLog, type Logger } from "../../lib/log";
import { utcToZonedInput } from "../../lib/zones";
import { COUNTERS, ratesOf, SERIES_COUNTERS, type Analytics, type AnalyticsFilter, type Counter, type Counts } from "./model";
import { ACTIVITIES, campaignName, listName, recipientPages, type Activity, type RecipientRow, type RecipientsView } from "./recipients";
import { campaignScope, period, workspaceAnalytics } from "./service";

/**
 * The analytics exports: the workbook of a view (its totals, its series and its recipients) and the
 * recipients alone (everyone, who opened, who clicked) as CSV or a workbook. Both stream: rows are
 * read a page at a time and written as the client takes the bytes, so a million rows take the
 * memory of a page, and the download starts at once.
 */

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export interface Download {
  fileName: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** The counters in words, in the order the Totals sheet lists them. */
export const COUNTER_LABELS: Record<Counter, string> = {
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

/** The rates a person reads, as on the dashboard (ratesOf), with unique opens and clicks beside their human and machine parts. */
export function rateRows(t: Counts): { label: string; value: number | null }[] {
  const r = ratesOf(t);
  const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  return [
    { label: "Delivery rate", value: r.delivery },
    { label: "Bounce rate", value: r.bounce },
    { label: "Complaint rate", value: r.complaint },
    { label: "Unique open rate (people and machines)", value: sum(r.humanOpen, r.machineOpen) },
    { label: "Human open rate", value: r.humanOpen },
    { label: "Machine open rate", value: r.machineOpen },
    { label: "Unique click rate (people and machines)", value: sum(r.humanClick, r.machineClick) },
    { label: "Human click rate", value: r.humanClick },
    { label: "Machine click rate", value: r.machineClick },
    { label: "Unsubscribe rate", value: r.unsubscribe },
  ];
}

const MINUTE = 60_000;
/** A zone changes its offset on a whole minute, and never twice within a quarter hour. */
const SLOT = 15 * MINUTE;

/**
 * Instants as the zone's wall clock read as UTC. exceljs writes a Date as its UTC serial, so a
 * shifted Date shows in Excel the time the person's clock showed. The offset is looked up once per
 * quarter hour whose first and last minutes agree (a million rows sent within an hour cost a few
 * lookups), and per instant in the quarter hour where the clocks changed.
 */
function wallClock(zone: string): (at: number) => number {
  const offsetAt = (at: number) => {
    const minute = Math.floor(at / MINUTE) * MINUTE;
    return Date.parse(`${utcToZonedInput(new Date(minute), zone)}:00Z`) - minute;
  };
  const slots = new Map<number, number | null>();
  return (at) => {
    const slot = Math.floor(at / SLOT);
    let offset = slots.get(slot);
    if (offset === undefined) {
      const start = offsetAt(slot * SLOT);
      offset = start === offsetAt((slot + 1) * SLOT - MINUTE) ? start : null;
      if (slots.size > 10_000) slots.clear();
      slots.set(slot, offset);
    }
    return at + (offset ?? offsetAt(at));
  };
}

type Kind = "text" | "date" | "count";

interface Column {
  header: string;
  width: number;
  kind: Kind;
  value: (r: RecipientRow) => string | number | null;
}

/** The per-recipient columns, the same in the CSV and in the workbook. */
function recipientColumns(zone: string): Column[] {
  const at = (label: string, value: (r: RecipientRow) => number | null): Column => ({ header: `${label} (${zone})`, width: 20, kind: "date", value });
  const count = (header: string, value: (r: RecipientRow) => number): Column => ({ header, width: 12, kind: "count", value });
  return [
    { header: "Campaign", width: 28, kind: "text", value: (r) => r.campaign },
    { header: "Email", width: 34, kind: "text", value: (r) => r.email },
    { header: "Status", width: 12, kind: "text", value: (r) => r.status },
    at("Sent at", (r) => r.sentAt),
    at("Delivered at", (r) => r.deliveredAt),
    at("First opened at", (r) => r.openedAt),
    at("First clicked at", (r) => r.clickedAt),
    // A click is an open too (the mail was read to get there), as in the totals' unique opens.
    count("Opens (clicks included)", (r) => r.opens),
    count("Clicks", (r) => r.clicks),
    count("Human opens (clicks included)", (r) => r.humanOpens),
    count("Human clicks", (r) => r.humanClicks),
    at("Bounced at", (r) => r.bouncedAt),
    at("Complained at", (r) => r.complainedAt),
    at("Unsubscribed at", (r) => r.unsubscribedAt),
    { header: "SES message id", width: 44, kind: "text", value: (r) => r.messageId },
    { header: "Error", width: 60, kind: "text", value: (r) => r.error },
  ];
}

// One style object per look, shared by every cell that has it: exceljs looks a shared object's
// style up once instead of once per cell (a third of the time of a large sheet).
const HEADER = Object.freeze({ font: { bold: true } });
const DATE_TIME = Object.freeze({ numFmt: "yyyy-mm-dd hh:mm:ss" });
const HOUR = Object.freeze({ numFmt: "yyyy-mm-dd hh:mm" });
const DAY = Object.freeze({ numFmt: "yyyy-mm-dd" });
const COUNT = Object.freeze({ numFmt: "#,##0" });
const PERCENT = Object.freeze({ numFmt: "0.0%" });

type Sheet = ExcelJS.Worksheet;
type Style = Partial<ExcelJS.Style>;

function addSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, widths: number[], headers: string[]): Sheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = widths.map((width) => ({ width }));
  writeRow(
    sheet,
    headers,
    headers.map((h) => (h ? HEADER : null)),
  );
  return sheet;
}

function writeRow(sheet: Sheet, values: (string | number | Date | null)[], styles: (Style | null)[]) {
  const row = sheet.addRow(values);
  for (let i = 0; i < values.length; i++) {
    if (styles[i] && values[i] !== null) row.getCell(i + 1).style = styles[i] as Style;
  }
  row.commit();
}

/**
 * Waits until the sheet's bytes so far have gone on toward the client, then lets other work run.
 * exceljs 4 hands a sheet's XML to the zip through a stream (its `stream.pipes[0]`, a PassThrough)
 * without ever waiting on it: left alone, a fast reader and a slow client pile the whole sheet up
 * there. Its `drain` is the writer's; without it (another exceljs) only the yield remains.
 */
async function drained(sheet: Sheet, cancelled: AbortSignal) {
  const queue = (sheet as unknown as { stream?: { pipes?: { _writableState?: { needDrain?: boolean }; once(event: "drain", f: () => void): unknown; off(event: "drain", f: () => void): unknown }[] } })
    .stream?.pipes?.[0];
  while (queue?._writableState?.needDrain && !cancelled.aborted) {
    await new Promise<void>((resolve) => {
      const done = () => {
        queue.off("drain", done);
        cancelled.removeEventListener("abort", done);
        resolve();
      };
      queue.once("drain", done);
      cancelled.addEventListener("abort", done);
    });
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A workbook written by exceljs's streaming writer into a web stream. Bytes go out as the client
 * takes them: the writer's zip waits while the client is behind (its stream's callback is held until
 * the client pulls), and `write` waits in turn (see `drained`). Cancelling (the client went away)
 * stops the writing at the next page; what is still under way is dropped.
 */
function workbookStream(log: Logger, what: string, write: (workbook: ExcelJS.stream.xlsx.WorkbookWriter, cancelled: AbortSignal) => Promise<void>): ReadableStream<Uint8Array> {
  const cancel = new AbortController();
  let controller: ReadableStreamDefaultController<Uint8Array>;
  let held: (() => void) | null = null;
  const release = () => {
    const callback = held;
    held = null;
    callback?.();
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (cancel.signal.aborted) return callback();
      controller.enqueue(new Uint8Array(chunk));
      if ((controller.desiredSize ?? 0) > 0) callback();
      else held = callback;
    },
    final(callback) {
      if (!cancel.signal.aborted) controller.close();
      callback();
    },
  });
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
        write(workbook, cancel.signal).catch((err: unknown) => {
          if (cancel.signal.aborted) return;
          cancel.abort();
          log.error("export failed", { export: what, error: describeForLog(err).slice(0, 300) });
          controller.error(new Error("The export stopped part-way."));
        });
      },
      pull() {
        release();
      },
      cancel() {
        cancel.abort();
        release();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
}

/** A CSV written a page at a time, each page read when the client asks for more. */
function csvStream(log: Logger, what: string, lines: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        log.error("export failed", { export: what, error: describeForLog(err).slice(0, 300) });
        controller.error(new Error("The export stopped part-way."));
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}

/** Writes the view's recipients into the sheet, a page at a time, waiting for the client between pages. */
/** Excel's last row is 1,048,576: past that many recipients (less the header) the rows go on in "Recipients (2)", and so on. */
const ROWS_PER_SHEET = 1_048_575;

/** The recipients sheets, committed as they fill: a sheet per 1,048,575 rows, so Excel never cuts any off. */
async function writeRecipients(deps: Deps, workbook: ExcelJS.stream.xlsx.WorkbookWriter, view: RecipientsView, zone: string, cancelled: AbortSignal, rowsPerSheet = ROWS_PER_SHEET) {
  const columns = recipientColumns(zone);
  const shift = wallClock(zone);
  const styles = columns.map((c) => (c.kind === "date" ? DATE_TIME : c.kind === "count" ? COUNT : null));
  let sheets = 1;
  let sheet = recipientsSheet(workbook, zone, "Recipients");
  let rows = 0;
  for await (const page of recipientPages(deps.db, view, () => cancelled.aborted)) {
    for (const [i, r] of page.entries()) {
      if (rows === rowsPerSheet) {
        sheet.commit();
        sheet = recipientsSheet(workbook, zone, `Recipients (${++sheets})`);
        rows = 0;
      }
      writeRow(
        sheet,
        columns.map((c) => {
          const v = c.value(r);
          return c.kind === "date" && v !== null ? new Date(shift(v as number)) : v;
        }),
        styles,
      );
      rows++;
      // exceljs takes tens of microseconds a row: other requests get a turn every few hundred.
      if (i % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
    }
    await drained(sheet, cancelled);
  }
  if (!cancelled.aborted) sheet.commit();
}

function recipientsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, zone: string, name: string): Sheet {
  const columns = recipientColumns(zone);
  return addSheet(
    workbook,
    name,
    columns.map((c) => c.width),
    columns.map((c) => c.header),
  );
}

/** The view's recipients as CSV lines, a page per chunk; times are the person's wall clock. */
async function* recipientLines(deps: Deps, view: RecipientsView, zone: string): AsyncGenerator<string> {
  const columns = recipientColumns(zone);
  const shift = wallClock(zone);
  const text = (at: number) => new Date(shift(at)).toISOString().slice(0, 19).replace("T", " ");
  yield csvLine(columns.map((c) => c.header));
  // A cancelled download ends this generator where it waits (csvStream's cancel).
  for await (const page of recipientPages(deps.db, view)) {
    let out = "";
    for (const r of page) {
      out += csvLine(
        columns.map((c) => {
          const v = c.value(r);
          return c.kind === "date" && v !== null ? text(v as number) : v;
        }),
      );
    }
    yield out;
  }
}

async function viewOf(deps: Deps, scope: Scope, filter: AnalyticsFilter, activity: Activity, human: boolean): Promise<RecipientsView> {
  const { since, until } = period(filter);
  return { workspaceId: scope.workspaceId, campaignIds: await campaignScope(deps, scope, filter), since, until, activity, human };
}

/**
 * The workbook of an analytics view: "Totals" (every counter of the JSON answer and the rates,
 * beside the filter), "Series" (a row per bucket) and "Recipients" (a row per recipient of the
 * view). The figures are read, and the filter checked, before the first byte is sent.
 */
export async function analyticsWorkbook(deps: Deps, scope: Scope, filter: AnalyticsFilter): Promise<Download> {
  const data = await workspaceAnalytics(deps, scope, filter);
  const view = await viewOf(deps, scope, filter, "any", false);
  const names = {
    campaign: filter.campaignId ? await campaignName(deps.db, scope.workspaceId, filter.campaignId) : null,
    list: filter.listId ? await listName(deps.db, scope.workspaceId, filter.listId) : null,
  };
  const zone = filter.zone;
  const body = workbookStream(deps.log, "analytics", async (workbook, cancelled) => {
    writeTotals(workbook, data, names);
    writeSeries(workbook, data, zone);
    await writeRecipients(deps, workbook, view, zone, cancelled);
    if (cancelled.aborted) return;
    await workbook.commit();
  });
  return { fileName: `sesame-analytics-${filter.from}-to-${filter.to}.xlsx`, contentType: XLSX_TYPE, body };
}

function writeTotals(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: Analytics, names: { campaign: string | null; list: string | null }) {
  const sheet = addSheet(workbook, "Totals", [32, 14, 4, 14, 32], ["Figure", "Value", "", "Filter", ""]);
  const figures: [string, number | null, Style][] = [
    ...COUNTERS.map((c): [string, number, Style] => [COUNTER_LABELS[c], data.totals[c], COUNT]),
    ...rateRows(data.totals).map((r): [string, number | null, Style] => [r.label, r.value, PERCENT]),
  ];
  const day = (d: string) => new Date(`${d}T00:00:00Z`);
  const filter: [string, string | Date, Style | null][] = [
    ["From", day(data.filter.from), DAY],
    ["To", day(data.filter.to), DAY],
    ["Time zone", data.filter.timeZone, null],
    ["Campaign", names.campaign ?? "All campaigns", null],
    ["List", names.list ?? "All lists", null],
  ];
  for (let i = 0; i < Math.max(figures.length, filter.length); i++) {
    const [label, value, style] = figures[i] ?? [null, null, null];
    const [name, setting, settingStyle] = filter[i] ?? [null, null, null];
    writeRow(sheet, [label, value, null, name, setting], [null, style, null, null, settingStyle]);
  }
  sheet.commit();
}

function writeSeries(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: Analytics, zone: string) {
  const hourly = data.filter.interval === "hour";
  const sheet = addSheet(
    workbook,
    "Series",
    [hourly ? 18 : 12, ...SERIES_COUNTERS.map(() => 14)],
    [hourly ? `Hour (${zone})` : "Day", ...SERIES_COUNTERS.map((c) => COUNTER_LABELS[c])],
  );
  const shift = wallClock(zone);
  const styles = [hourly ? HOUR : DAY, ...SERIES_COUNTERS.map(() => COUNT)];
  for (const bucket of data.series) {
    const at = hourly ? new Date(shift(Date.parse(bucket.t))) : new Date(`${bucket.t}T00:00:00Z`);
    writeRow(sheet, [at, ...SERIES_COUNTERS.map((c) => bucket[c])], styles);
  }
  sheet.commit();
}

export interface RecipientsExportInput {
  activity?: string;
  class?: string;
  format?: string;
}

/** Who was mailed, who opened or who clicked in an analytics view, as CSV or a workbook. */
export async function recipientsExport(deps: Deps, scope: Scope, filter: AnalyticsFilter, input: RecipientsExportInput): Promise<Download> {
  const format = (input.format ?? "").trim() || "csv";
  if (format !== "csv" && format !== "xlsx") throw new Invalid('The "format" must be "csv" or "xlsx".', "invalid_format", "format");
  const activity = (input.activity ?? "").trim() || "any";
  if (!(ACTIVITIES as readonly string[]).includes(activity)) throw new Invalid('The "activity" must be "any", "opened" or "clicked".', "invalid_activity", "activity");
  const kind = (input.class ?? "").trim() || "any";
  if (kind !== "any" && kind !== "human") throw new Invalid('The "class" must be "human" (or left out for everyone).', "invalid_class", "class");
  const view = await viewOf(deps, scope, filter, activity as Activity, kind === "human");
  const name = `sesame-${activity === "any" ? "recipients" : activity}${view.human ? "-human" : ""}-${filter.from}-to-${filter.to}`;
  const zone = filter.zone;
  if (format === "csv") {
    return { fileName: `${name}.csv`, contentType: "text/csv; charset=utf-8", body: csvStream(deps.log, "recipients", recipientLines(deps, view, zone)) };
  }
  const body = workbookStream(deps.log, "recipients", async (workbook, cancelled) => {
    await writeRecipients(deps, workbook, view, zone, cancelled);
    if (cancelled.aborted) return;
    await workbook.commit();
  });
  return { fileName: `${name}.xlsx`, contentType: XLSX_TYPE, body };
}
