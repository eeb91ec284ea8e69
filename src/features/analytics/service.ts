import type { Deps, Scope } from "../../deps";
import { Invalid, NotFound } from "../../lib/errors";
import { isTimeZone, zonedToUtc } from "../../lib/zones";
import { MAX_DAYS, SERIES_COUNTERS, zeroCounts, type Analytics, type AnalyticsFilter, type Counts, type Interval } from "./model";
import { campaignExists, campaignIdsForList, countsByHour, listExists } from "./queries";

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR_MS = 3600_000;

export interface AnalyticsInput {
  from?: string;
  to?: string;
  campaignId?: string;
  listId?: string;
  interval?: string;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD: the day `at` falls on in `zone`. */
export function dayIn(at: Date, zone: string): string {
  let formatter = dayFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormatters.set(zone, formatter);
  }
  return formatter.format(at);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 24 * HOUR_MS).toISOString().slice(0, 10);
}

function readDay(raw: string | undefined, field: "from" | "to"): string | null {
  const value = (raw ?? "").trim();
  if (!value) return null;
  const m = DAY.exec(value);
  const at = Date.parse(`${value}T00:00:00Z`);
  // A day that does not exist (2026-13-01, 2026-02-30) is refused, not a crash on an invalid date.
  if (!m || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value) {
    throw new Invalid(`The "${field}" date must be a day written as YYYY-MM-DD, such as 2026-06-01.`, `invalid_${field}`, field);
  }
  // Years Sesame can place in a time zone, with room for the period before (the dashboard's comparison).
  if (Number(m[1]) < 2000 || Number(m[1]) > 2999) {
    throw new Invalid(`The "${field}" date must fall between the years 2000 and 2999.`, `invalid_${field}`, field);
  }
  return value;
}

/** The filter as asked, checked: the last 30 days by default, ending today in the person's zone. */
export function readFilter(input: AnalyticsInput, zone: string, now: Date): AnalyticsFilter {
  const interval = (input.interval ?? "day").trim() || "day";
  if (interval !== "day" && interval !== "hour") throw new Invalid('The "interval" must be "day" or "hour".', "invalid_interval", "interval");
  const to = readDay(input.to, "to") ?? dayIn(now, zone);
  const from = readDay(input.from, "from") ?? addDays(to, -29);
  if (from > to) throw new Invalid('The "to" date is before the "from" date.', "invalid_to", "to");
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / (24 * HOUR_MS) + 1;
  if (days > MAX_DAYS[interval as Interval]) {
    throw new Invalid(
      interval === "hour" ? `Hourly figures cover at most ${MAX_DAYS.hour} days: choose a shorter period, or daily figures.` : `One view covers at most ${MAX_DAYS.day.toLocaleString("en")} days: choose a shorter period.`,
      "period_too_long",
      "from",
    );
  }
  return {
    from,
    to,
    campaignId: input.campaignId?.trim() || null,
    listId: input.listId?.trim() || null,
    interval: interval as Interval,
    zone: isTimeZone(zone) ? zone : "UTC",
  };
}

/**
 * The period's instants. The counters are kept per UTC hour, so a day starts at the hour its local
 * midnight falls in: exact in whole-hour zones, and up to 45 minutes early in zones such as
 * Asia/Kolkata (UTC+05:30), the same for every view, export and the API alike.
 */
export function period(filter: AnalyticsFilter): { since: Date; until: Date } {
  const since = zonedToUtc(`${filter.from}T00:00`, filter.zone)!;
  const until = zonedToUtc(`${addDays(filter.to, 1)}T00:00`, filter.zone)!;
  const floor = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
  return { since: floor(since), until: floor(until) };
}

/** Which campaigns the filter covers: all (null), one, or those sending to a list (possibly none). */
export async function campaignScope(deps: Deps, scope: Scope, filter: AnalyticsFilter): Promise<string[] | null> {
  let ids: string[] | null = null;
  if (filter.campaignId) {
    if (!(await campaignExists(deps.db, scope.workspaceId, filter.campaignId))) throw new NotFound("There is no such campaign.");
    ids = [filter.campaignId];
  }
  if (filter.listId) {
    if (!(await listExists(deps.db, scope.workspaceId, filter.listId))) throw new NotFound("There is no such list.");
    const ofList = await campaignIdsForList(deps.db, scope.workspaceId, filter.listId);
    ids = ids ? ids.filter((id) => ofList.includes(id)) : ofList;
  }
  return ids;
}

/** Totals and a gap-free series for the filter: what the dashboard, the API and the exports all read. */
export async function workspaceAnalytics(deps: Deps, scope: Scope, filter: AnalyticsFilter, options: { countUntil?: Date; campaignIds?: string[] | null } = {}): Promise<Analytics> {
  const { since, until: end } = period(filter);
  // A comparison period can stop early: as far into it as the current period has got (its buckets stay, empty).
  const until = options.countUntil && options.countUntil < end ? new Date(Math.max(since.getTime(), options.countUntil.getTime())) : end;
  // A caller reading several periods of one filter finds its campaigns once and passes them.
  const campaignIds = options.campaignIds !== undefined ? options.campaignIds : await campaignScope(deps, scope, filter);
  const rows = await countsByHour(deps.db, scope.workspaceId, since, until, campaignIds);
  const totals = zeroCounts();
  const buckets = new Map<string, Counts>();
  const keyOf = (hour: number) => (filter.interval === "hour" ? new Date(hour).toISOString() : dayIn(new Date(hour), filter.zone));
  if (filter.interval === "hour") {
    for (let hour = since.getTime(); hour < until.getTime(); hour += HOUR_MS) buckets.set(keyOf(hour), zeroCounts());
  } else {
    for (let day = filter.from; day <= filter.to; day = addDays(day, 1)) buckets.set(day, zeroCounts());
  }
  for (const row of rows) {
    const bucket = buckets.get(keyOf(row.hour)) ?? buckets.get(filter.from)!;
    for (const counter of Object.keys(totals) as (keyof Counts)[]) {
      totals[counter] += row[counter];
      bucket[counter] += row[counter];
    }
  }
  const { zone, ...shown } = filter;
  return {
    filter: { ...shown, timeZone: zone },
    totals,
    series: [...buckets].map(([t, counts]) => ({ t, ...Object.fromEntries(SERIES_COUNTERS.map((c) => [c, counts[c]])) }) as Analytics["series"][number]),
  };
}
