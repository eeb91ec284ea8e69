import { and, desc, eq, lt, ne, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { NotFound } from "../../lib/errors";
import { countsByHour } from "../analytics/queries";
import { MAX_DAYS, zeroCounts, type Analytics, type Counts } from "../analytics/model";
import { addDays, dayIn, readFilter, workspaceAnalytics } from "../analytics/service";

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** The opens-by-hour chart covers the first three days after the launch, when nearly every open happens. */
const OPEN_HOURS = 72;
/** Links listed at most: the rest are counted, not shown. */
const TOP_LINKS = 20;

export interface TopLink {
  /** Null for clicks that carried no address. */
  url: string | null;
  /** Every click recorded, people's and machines'. */
  clicks: number;
  /** Recipients with at least one click on it classified human. */
  people: number;
  /** Clicks classified as machines' (link scanners, privacy proxies). */
  machine: number;
}

export interface BounceKind {
  /** SES's bounceType and bounceSubType, null when SES did not say. */
  type: string | null;
  subType: string | null;
  count: number;
}

export interface ComplaintKind {
  /** SES's complaintFeedbackType (abuse, fraud, not-spam, virus, other…), null when the mailbox gave none. */
  feedbackType: string | null;
  count: number;
}

export interface CampaignReport {
  campaignId: string;
  launchedAt: Date;
  tracking: boolean;
  /** The campaign's whole life, launch day to today in the person's zone: what GET /analytics gives for it. */
  now: Analytics;
  /** True when the life is longer than one view covers, so `now` starts later than the launch day. */
  clipped: boolean;
  /** The campaign launched before it, over the same time after its own launch (zeros when there is none). */
  before: Counts;
  /** What `before` is, in words, for the cards. */
  previous: string;
  /** The campaign compared with, or null when none was launched before. */
  previousCampaign: { id: string; name: string } | null;
  /** First opens per hour from the launch hour (epoch ms of each hour): the first `limit` hours, or up to now. */
  opensByHour: { hours: number[]; people: number[]; machines: number[]; limit: number };
  links: TopLink[];
  /** Distinct links clicked, shown or not. */
  linkCount: number;
  bounces: BounceKind[];
  complaints: ComplaintKind[];
  downloads: { opened: string; clicked: string; excel: string };
}

/** What the report needs of the campaign; null when it is not the workspace's. */
async function reportedCampaign(db: Database, workspaceId: string, id: string) {
  const { campaigns: c } = db.t;
  const [row] = await db.orm
    .select({ id: c.id, kind: c.kind, status: c.status, tracking: c.tracking, launchedAt: c.launchedAt })
    .from(c)
    .where(and(eq(c.workspaceId, workspaceId), eq(c.id, id)))
    .limit(1);
  return row ?? null;
}

/** The workspace's campaign of the same kind launched last before `launchedAt` (a one-off send is no yardstick for a newsletter). */
async function campaignLaunchedBefore(db: Database, workspaceId: string, kind: "campaign" | "send", launchedAt: Date, id: string) {
  const { campaigns: c } = db.t;
  const [row] = await db.orm
    .select({ id: c.id, name: c.name, launchedAt: c.launchedAt })
    .from(c)
    .where(and(eq(c.workspaceId, workspaceId), eq(c.kind, kind), lt(c.launchedAt, launchedAt), ne(c.id, id)))
    .orderBy(desc(c.launchedAt))
    .limit(1);
  return row && row.launchedAt ? { ...row, launchedAt: row.launchedAt } : null;
}

const hourOf = (at: Date) => Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;

async function sumOfHours(db: Database, workspaceId: string, campaignId: string, since: number, until: number): Promise<Counts> {
  const totals = zeroCounts();
  for (const row of await countsByHour(db, workspaceId, new Date(since), new Date(until), [campaignId])) {
    for (const counter of Object.keys(totals) as (keyof Counts)[]) totals[counter] += row[counter];
  }
  return totals;
}

/**
 * The campaign's links by clicks, grouped in the database from the clicks-only index
 * events_click_links_idx (workspace, campaign, url, class, recipient) without reading the rows:
 * one row per link, never one per click. `count(*) over ()` counts the links cut off.
 */
export async function topClickedLinks(db: Database, workspaceId: string, campaignId: string, limit: number): Promise<{ links: TopLink[]; linkCount: number }> {
  const { events: e } = db.t;
  const url = sql<string | null>`${e.detail} ->> 'url'`;
  const clicks = sql<number>`count(*)`;
  const rows = await db.orm
    .select({
      url,
      clicks: clicks.mapWith(Number),
      people: sql<number>`count(distinct case when ${e.class} = 'human' then ${e.recipientId} end)`.mapWith(Number),
      machine: sql<number>`coalesce(sum(case when ${e.class} = 'machine' then 1 else 0 end), 0)`.mapWith(Number),
      linkCount: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(e)
    .where(and(eq(e.campaignId, campaignId), eq(e.type, "click"), eq(e.workspaceId, workspaceId)))
    .groupBy(url)
    .orderBy(desc(clicks), sql`${url} is null`, url)
    .limit(limit);
  return { links: rows.map(({ linkCount: _, ...link }) => link), linkCount: rows[0]?.linkCount ?? 0 };
}

/** Every bounce SES reported for the campaign, by SES's type and sub-type, the commonest first. */
export async function bouncesByKind(db: Database, workspaceId: string, campaignId: string): Promise<BounceKind[]> {
  const { events: e } = db.t;
  const type = sql<string | null>`${e.detail} ->> 'bounceType'`;
  const subType = sql<string | null>`${e.detail} ->> 'bounceSubType'`;
  const count = sql<number>`count(*)`;
  return db.orm
    .select({ type, subType, count: count.mapWith(Number) })
    .from(e)
    .where(and(eq(e.campaignId, campaignId), eq(e.type, "bounce"), eq(e.workspaceId, workspaceId)))
    .groupBy(type, subType)
    .orderBy(desc(count), sql`${type} is null`, type, sql`${subType} is null`, subType)
    .limit(50);
}

/** Complaints about the campaign by the feedback type the mailbox provider gave, the commonest first. */
export async function complaintsByKind(db: Database, workspaceId: string, campaignId: string): Promise<ComplaintKind[]> {
  const { events: e } = db.t;
  const feedbackType = sql<string | null>`${e.detail} ->> 'complaintFeedbackType'`;
  const count = sql<number>`count(*)`;
  return db.orm
    .select({ feedbackType, count: count.mapWith(Number) })
    .from(e)
    .where(and(eq(e.campaignId, campaignId), eq(e.type, "complaint"), eq(e.workspaceId, workspaceId)))
    .groupBy(feedbackType)
    .orderBy(desc(count), sql`${feedbackType} is null`, feedbackType)
    .limit(50);
}

function ageInWords(ms: number): string {
  const hours = Math.max(1, Math.round(ms / HOUR_MS));
  if (hours <= 48) return hours === 1 ? "first hour" : `first ${hours} hours`;
  return `first ${Math.round(ms / DAY_MS)} days`;
}

function days(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
}

/**
 * The campaign's report: the dashboard's figures for its whole life (the same filter GET /analytics
 * reads), compared with the campaign launched before it at the same age, and what the events say
 * about links, bounces and complaints. Null until the campaign has started. Every figure is summed
 * in the database from the hourly counters or grouped events; no recipient is read.
 */
export async function campaignReport(deps: Deps, scope: Scope, campaignId: string, zone: string): Promise<CampaignReport | null> {
  const campaign = await reportedCampaign(deps.db, scope.workspaceId, campaignId);
  if (!campaign) throw new NotFound("There is no such campaign.");
  if (!campaign.launchedAt || campaign.status === "draft" || campaign.status === "scheduled") return null;
  const launchedAt = campaign.launchedAt;
  const now = deps.clock.now();

  const today = dayIn(now, zone);
  const launchDay = dayIn(launchedAt, zone);
  // A campaign older than one view can cover shows its last three years, as the API would.
  const earliest = addDays(today, 1 - MAX_DAYS.day);
  const from = launchDay < earliest ? earliest : launchDay > today ? today : launchDay;
  const filter = readFilter({ from, to: today, campaignId, interval: days(from, today) <= 2 ? "hour" : "day" }, zone, now);

  const since = hourOf(launchedAt);
  // The hours with anything of this campaign so far, the current one included.
  const span = Math.max(HOUR_MS, hourOf(now) + HOUR_MS - since);
  const openUntil = since + Math.min(span, OPEN_HOURS * HOUR_MS);

  const [life, previous, hourly, links, bounces, complaints] = await Promise.all([
    workspaceAnalytics(deps, scope, filter),
    campaignLaunchedBefore(deps.db, scope.workspaceId, campaign.kind, launchedAt, campaign.id),
    countsByHour(deps.db, scope.workspaceId, new Date(since), new Date(openUntil), [campaign.id]),
    topClickedLinks(deps.db, scope.workspaceId, campaign.id, TOP_LINKS),
    bouncesByKind(deps.db, scope.workspaceId, campaign.id),
    complaintsByKind(deps.db, scope.workspaceId, campaign.id),
  ]);
  const prevSince = previous ? hourOf(previous.launchedAt) : 0;
  const before = previous ? await sumOfHours(deps.db, scope.workspaceId, previous.id, prevSince, prevSince + span) : zeroCounts();

  const byHour = new Map(hourly.map((r) => [r.hour, r]));
  const opensByHour: CampaignReport["opensByHour"] = { hours: [], people: [], machines: [], limit: OPEN_HOURS };
  for (let hour = since; hour < openUntil; hour += HOUR_MS) {
    const row = byHour.get(hour);
    opensByHour.hours.push(hour);
    opensByHour.people.push(row?.humanOpens ?? 0);
    // First opens of the hour not matched by a person's first open in it: what only machines fetched.
    opensByHour.machines.push(Math.max(0, (row?.uniqueOpens ?? 0) - (row?.humanOpens ?? 0)));
  }

  const view = { campaignId: campaign.id, from: filter.from, to: filter.to };
  const recipientsExport = (activity: string) => `/analytics/recipients?${new URLSearchParams({ ...view, activity, format: "csv" })}`;
  return {
    campaignId: campaign.id,
    launchedAt,
    tracking: campaign.tracking,
    now: life,
    clipped: launchDay < from,
    before,
    previous: previous ? `${previous.name}, the campaign before, in its ${ageInWords(span)}` : "nothing to compare",
    previousCampaign: previous ? { id: previous.id, name: previous.name } : null,
    opensByHour,
    links: links.links,
    linkCount: links.linkCount,
    bounces,
    complaints,
    downloads: { opened: recipientsExport("opened"), clicked: recipientsExport("clicked"), excel: `/analytics?${new URLSearchParams({ ...view, interval: filter.interval, format: "xlsx" })}` },
  };
}
