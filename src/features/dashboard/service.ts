import type { Deps, Scope } from "../../deps";
import { Invalid } from "../../lib/errors";
import type { Analytics, AnalyticsFilter } from "../analytics/model";
import { addDays, campaignScope, dayIn, period, readFilter, workspaceAnalytics, type AnalyticsInput } from "../analytics/service";
import { workspaceReputation } from "../campaigns/service";
import { campaignChoice, campaignChoices, hasSentAnything, listChoices, quotaReadings, recentCampaigns } from "./queries";

/** The period presets of the filter; "custom" is any from/to a person typed. */
export const RANGES = { today: 1, "7d": 7, "30d": 30, "90d": 90 } as const;
export type Range = keyof typeof RANGES | "custom";
export const RANGE_LABELS: Record<Range, string> = { today: "Today", "7d": "7 days", "30d": "30 days", "90d": "90 days", custom: "Custom" };

export interface DashboardQuery extends AnalyticsInput {
  range?: string;
}

const HOUR_MS = 3600_000;

/**
 * The dashboard's filter from its address: a preset range ending today, or the from/to typed in.
 * A preset stays a preset in the address, so a bookmark of "7 days" shows the last 7 days tomorrow too.
 */
function dashboardFilter(query: DashboardQuery, zone: string, now: Date): { filter: AnalyticsFilter; range: Range } {
  const asked = (query.range ?? "").trim();
  if (asked && asked !== "custom" && !(asked in RANGES)) throw new Invalid('The "range" must be today, 7d, 30d, 90d or custom.', "invalid_range", "range");
  const custom = asked === "custom" || (!asked && Boolean(query.from?.trim() || query.to?.trim()));
  const range: Range = custom ? "custom" : ((asked || "30d") as Range);
  let input: AnalyticsInput = { ...query };
  if (range !== "custom") {
    const to = dayIn(now, zone);
    input = { ...input, from: addDays(to, 1 - RANGES[range]), to };
  }
  // A day or two reads best hour by hour.
  const filter = readFilter(input, zone, now);
  if (!query.interval?.trim() && days(filter) <= 2) filter.interval = "hour";
  return { filter, range };
}

const days = (f: AnalyticsFilter) => (Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / (24 * HOUR_MS) + 1;

/** The period of the same length just before: what each card compares with. */
function previousFilter(f: AnalyticsFilter): AnalyticsFilter {
  const n = days(f);
  return { ...f, from: addDays(f.from, -n), to: addDays(f.from, -1) };
}

/**
 * How far into the previous period to count: when the period runs into the future (today so far, or
 * the last 7 days with today not over), the previous one is cut at the same point, so this morning
 * is compared with yesterday morning, not with the whole of yesterday. Hours are whole, as counted.
 */
function comparableUntil(f: AnalyticsFilter, now: Date): Date | undefined {
  const { until } = period(f);
  if (until.getTime() <= now.getTime()) return undefined;
  const hourAfterNow = (Math.floor(now.getTime() / HOUR_MS) + 1) * HOUR_MS;
  return new Date(hourAfterNow - (until.getTime() - period(previousFilter(f)).until.getTime()));
}

export interface QuotaPoint {
  /** Unix seconds, the start of each hour. */
  t: number;
  sentLast24Hours: number | null;
  max24HourSend: number | null;
  maxSendRate: number | null;
  /** Mails Sesame sent that hour, per second on average. */
  ratePerSecond: number;
}

/**
 * SES's quota and pace over the period, hour by hour: the last GetAccount reading at each hour (kept
 * every 5 minutes when it changes, hourly otherwise) beside what Sesame sent that hour.
 */
async function quotaUse(deps: Deps, scope: Scope, filter: AnalyticsFilter, sentByHour: Map<number, number>): Promise<{ region: string | null; points: QuotaPoint[] }> {
  const { since, until } = period(filter);
  const { region, readings } = await quotaReadings(deps.db, scope.workspaceId, since, until);
  if (!region || readings.length === 0) return { region, points: [] };
  // Up to the hour under way, not the rest of the day.
  const end = Math.min(until.getTime(), (Math.floor(deps.clock.now().getTime() / HOUR_MS) + 1) * HOUR_MS);
  const points: QuotaPoint[] = [];
  let next = 0;
  let current: (typeof readings)[number] | null = null;
  for (let hour = since.getTime(); hour < end; hour += HOUR_MS) {
    while (next < readings.length && readings[next]!.at.getTime() < hour + HOUR_MS) current = readings[next++]!;
    points.push({
      t: hour / 1000,
      sentLast24Hours: current ? current.sentLast24Hours : null,
      max24HourSend: current ? current.max24HourSend : null,
      maxSendRate: current ? current.maxSendRate : null,
      ratePerSecond: (sentByHour.get(hour) ?? 0) / 3600,
    });
  }
  return { region, points };
}

export interface Dashboard {
  empty: boolean;
  range: Range;
  now: Analytics;
  before: Analytics;
  /** The previous period is counted only as far as the current one has got (it runs to the present). */
  beforeCut: boolean;
  quota: { region: string | null; points: QuotaPoint[] };
  recent: Awaited<ReturnType<typeof recentCampaigns>>;
  campaigns: { id: string; name: string; kind: string }[];
  lists: { id: string; name: string }[];
  reputation: Awaited<ReturnType<typeof workspaceReputation>>;
}

export async function dashboard(deps: Deps, scope: Scope, query: DashboardQuery, zone: string): Promise<Dashboard> {
  const { filter, range } = dashboardFilter(query, zone, deps.clock.now());
  // The quota is the account's, whatever the filter: the whole workspace, hour by hour, at most the 90 days readings are kept.
  const quotaFilter: AnalyticsFilter = { ...filter, campaignId: null, listId: null, interval: "hour", from: days(filter) > 92 ? addDays(filter.to, -91) : filter.from };
  const cut = comparableUntil(filter, deps.clock.now());
  // The filter's campaigns, found once for this period and the one before.
  const campaignIds = await campaignScope(deps, scope, filter);
  const [empty, now, before, recent, campaigns, lists, reputation, hourly] = await Promise.all([
    hasSentAnything(deps.db, scope.workspaceId).then((any) => !any),
    workspaceAnalytics(deps, scope, filter, { campaignIds }),
    workspaceAnalytics(deps, scope, previousFilter(filter), { countUntil: cut, campaignIds }),
    recentCampaigns(deps.db, scope.workspaceId, 5),
    campaignChoices(deps.db, scope.workspaceId, 500),
    listChoices(deps.db, scope.workspaceId),
    workspaceReputation(deps, scope),
    workspaceAnalytics(deps, scope, quotaFilter, { campaignIds: null }),
  ]);
  // The campaign in view stays in the picker, however old: otherwise the next change of filter would drop it.
  if (filter.campaignId && !campaigns.some((c) => c.id === filter.campaignId)) {
    const chosen = await campaignChoice(deps.db, scope.workspaceId, filter.campaignId);
    if (chosen) campaigns.unshift(chosen);
  }
  const sentByHour = new Map<number, number>(hourly.series.map((b) => [Date.parse(b.t), b.sent]));
  const quota = await quotaUse(deps, scope, quotaFilter, sentByHour);
  return { empty, range, now, before, beforeCut: Boolean(cut), quota, recent, campaigns, lists, reputation };
}
