import { and, asc, count, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { Invalid } from "../../lib/errors";
import { zonedToUtc } from "../../lib/zones";
import { EVENT_TYPES, type EventType } from "./model";

/**
 * The events explorer and the per-recipient timeline: reading `events`, newest first or one
 * address's story oldest first. Every query is scoped by the caller's workspace.
 */

export const PAGE_SIZE = 50;
const PAGE_SIZE_MAX = 200;
const PAGE_MAX = 100_000;
const Q_MAX = 320;
/**
 * Counting stops this far past the page being read: a workspace with millions of events is never
 * counted whole for one page. The total is then "at least", and says so (`totalCapped`).
 */
const COUNT_AHEAD = 10_000;
/** A timeline shows at most this many of an address's latest events. */
export const TIMELINE_MAX = 500;
const CAMPAIGN_CHOICES = 200;

/** What a request asks for, as it came (query strings, or the page's form). */
export interface EventFilterInput {
  type?: string[] | string;
  campaignId?: string;
  q?: string;
  from?: string;
  to?: string;
  page?: string | number;
  pageSize?: string | number;
}

/** A checked filter: `since` and `until` bound `at` (since inclusive, until exclusive). */
export interface EventFilter {
  types: EventType[];
  campaignId: string | null;
  /** Lower-cased; matched exactly when it is a whole address, else anywhere in the address. */
  q: string;
  from: string;
  to: string;
  since: Date | null;
  until: Date | null;
  page: number;
  pageSize: number;
}

export interface EventItem {
  id: number;
  type: EventType;
  email: string | null;
  campaignId: string | null;
  campaignName: string | null;
  at: Date;
  class: "human" | "machine" | null;
  detail: Record<string, unknown> | null;
}

export interface EventsPage {
  items: EventItem[];
  total: number;
  /** `total` is where counting stopped: there are more. */
  totalCapped: boolean;
  page: number;
  pageSize: number;
}

export interface CampaignChoice {
  id: string;
  name: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A day that exists on the calendar ("2026-02-31" does not). */
function realDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 3600_000).toISOString().slice(0, 10);
}

/**
 * One end of the period: a day (YYYY-MM-DD, the whole day in the person's zone) or an instant with
 * its offset. The end of a day is the start of the next one, so `to` is read as inclusive either way.
 */
export function readBound(raw: string, field: "from" | "to", zone: string): Date | null {
  const value = raw.trim();
  if (!value) return null;
  const problem = () =>
    new Invalid(
      `The "${field}" date must be a day as YYYY-MM-DD or an ISO 8601 instant with its offset, such as 2026-06-01T09:00:00Z.`,
      `invalid_${field}`,
      field,
    );
  const day = DAY.exec(value);
  if (day) {
    if (!realDay(day[1]!, day[2]!, day[3]!)) throw problem();
    const at = zonedToUtc(`${field === "from" ? value : nextDay(value)}T00:00`, zone);
    if (!at) throw problem();
    return at;
  }
  const instant = INSTANT.exec(value);
  const at = instant && realDay(instant[1]!, instant[2]!, instant[3]!) ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) throw problem();
  // Times are kept to the millisecond: the instant itself is in the period.
  return field === "to" ? new Date(at.getTime() + 1) : at;
}

export function readWhole(raw: string | number | undefined, field: "page" | "pageSize", fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const text = String(raw).trim();
  const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= max)) throw new Invalid(`The "${field}" must be a whole number from 1 to ${max.toLocaleString("en")}.`, `invalid_${field}`, field);
  return n;
}

/** Types from repeated or comma-separated `type` parameters; none means every type. */
function readTypes(raw: string[] | string | undefined): EventType[] {
  const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase()).filter(Boolean);
  const unknown = given.find((v) => !EVENT_TYPES.includes(v as EventType));
  if (unknown !== undefined) {
    throw new Invalid(`The "type" filter takes ${EVENT_TYPES.join(", ")}; "${unknown.slice(0, 40)}" is none of these.`, "invalid_type", "type");
  }
  return EVENT_TYPES.filter((t) => given.includes(t));
}

/** Checks a filter; anything wrong is an Invalid naming its field (422), never a failed query. */
export function readEventFilter(input: EventFilterInput, zone: string): EventFilter {
  const q = (input.q ?? "").trim().toLowerCase();
  if (q.length > Q_MAX) throw new Invalid(`The address search "q" is too long: keep it under ${Q_MAX} characters.`, "invalid_q", "q");
  const campaignId = (input.campaignId ?? "").trim();
  if (campaignId.length > 100) throw new Invalid(`The "campaignId" is not the id of a campaign.`, "invalid_campaign_id", "campaignId");
  const from = (input.from ?? "").trim();
  const to = (input.to ?? "").trim();
  const since = readBound(from, "from", zone);
  const until = readBound(to, "to", zone);
  if (since && until && until.getTime() <= since.getTime()) throw new Invalid(`The "to" date is before the "from" date.`, "invalid_to", "to");
  return {
    types: readTypes(input.type),
    campaignId: campaignId || null,
    q,
    from,
    to,
    since,
    until,
    page: readWhole(input.page, "page", 1, PAGE_MAX),
    pageSize: readWhole(input.pageSize, "pageSize", PAGE_SIZE, PAGE_SIZE_MAX),
  };
}

/** A whole address (something on both sides of an @) is looked up along the address index; anything else is searched for inside addresses. */
function isWholeAddress(q: string): boolean {
  const at = q.indexOf("@");
  return at > 0 && at < q.length - 1;
}

async function requireCampaignOf(db: Database, workspaceId: string, id: string): Promise<CampaignChoice> {
  const { campaigns } = db.t;
  const [row] = await db.orm
    .select({ id: campaigns.id, name: campaigns.name })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)));
  if (!row) throw new Invalid(`There is no campaign with that "campaignId" in this workspace.`, "campaign_not_found", "campaignId");
  return row;
}

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterWhere(db: Database, workspaceId: string, filter: EventFilter): SQL | undefined {
  const { events } = db.t;
  const pattern = `%${likeLiteral(filter.q)}%`;
  return and(
    eq(events.workspaceId, workspaceId),
    filter.types.length ? inArray(events.type, filter.types) : undefined,
    filter.campaignId ? eq(events.campaignId, filter.campaignId) : undefined,
    !filter.q
      ? undefined
      : isWholeAddress(filter.q)
        ? eq(events.email, filter.q)
        : // Addresses are stored lower-cased; PostgreSQL's LIKE minds case, SQLite's does not for ASCII.
          db.dialect === "postgres"
          ? sql`${events.email} ilike ${pattern} escape '\\'`
          : sql`${events.email} like ${pattern} escape '\\'`,
    filter.since ? gte(events.at, filter.since) : undefined,
    filter.until ? lt(events.at, filter.until) : undefined,
  );
}

function eventColumns(db: Database) {
  const { events, campaigns } = db.t;
  return {
    id: events.id,
    type: events.type,
    email: events.email,
    campaignId: events.campaignId,
    campaignName: campaigns.name,
    at: events.at,
    class: events.class,
    detail: events.detail,
  };
}

/** Events joined to their campaign's name; the join is scoped too, so no other workspace's name can show. */
function selectEvents(db: Database) {
  const { events, campaigns } = db.t;
  return db.orm
    .select(eventColumns(db))
    .from(events)
    .leftJoin(campaigns, and(eq(campaigns.id, events.campaignId), eq(campaigns.workspaceId, events.workspaceId)));
}

function toItem(row: { id: number; type: string; email: string | null; campaignId: string | null; campaignName: string | null; at: Date; class: string | null; detail: Record<string, unknown> | null }): EventItem {
  return {
    id: row.id,
    type: row.type as EventType,
    email: row.email,
    campaignId: row.campaignId,
    campaignName: row.campaignName,
    at: row.at,
    class: row.class === "human" || row.class === "machine" ? row.class : null,
    detail: row.detail,
  };
}

export async function listEventsPage(db: Database, workspaceId: string, filter: EventFilter): Promise<EventsPage> {
  const { events } = db.t;
  const where = filterWhere(db, workspaceId, filter);
  const offset = (filter.page - 1) * filter.pageSize;
  const countLimit = offset + COUNT_AHEAD + 1;
  const [rows, [counted]] = await Promise.all([
    selectEvents(db).where(where).orderBy(desc(events.at), desc(events.id)).limit(filter.pageSize).offset(offset),
    db.orm.select({ n: count() }).from(db.orm.select({ one: sql`1`.as("one") }).from(events).where(where).limit(countLimit).as("capped")),
  ]);
  const found = Number(counted?.n ?? 0);
  return { items: rows.map(toItem), total: Math.min(found, countLimit - 1), totalCapped: found >= countLimit, page: filter.page, pageSize: filter.pageSize };
}

export async function workspaceHasEvents(db: Database, workspaceId: string): Promise<boolean> {
  const { events } = db.t;
  const [row] = await db.orm.select({ id: events.id }).from(events).where(eq(events.workspaceId, workspaceId)).limit(1);
  return row !== undefined;
}

/** The latest events of one address (in one campaign, or all), oldest first; one more than `limit` is read to know whether older ones were left out. */
export async function listTimeline(db: Database, workspaceId: string, email: string, campaignId: string | null, limit: number) {
  const { events } = db.t;
  const rows = await selectEvents(db)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.email, email), campaignId ? eq(events.campaignId, campaignId) : undefined))
    .orderBy(desc(events.at), desc(events.id))
    .limit(limit + 1);
  return { items: rows.slice(0, limit).reverse().map(toItem), truncated: rows.length > limit };
}

/** The workspace's latest campaigns for the filter's pick (API sends are left out: they are many and nameless). */
export async function listCampaignChoices(db: Database, workspaceId: string, limit: number): Promise<CampaignChoice[]> {
  const { campaigns } = db.t;
  return db.orm
    .select({ id: campaigns.id, name: campaigns.name })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.kind, "campaign")))
    .orderBy(desc(campaigns.createdAt), asc(campaigns.id))
    .limit(limit);
}

/** A page of the workspace's events, newest first. */
export async function exploreEvents(deps: Deps, scope: Scope, filter: EventFilter): Promise<EventsPage> {
  if (filter.campaignId) await requireCampaignOf(deps.db, scope.workspaceId, filter.campaignId);
  return listEventsPage(deps.db, scope.workspaceId, filter);
}

/** What the explorer page shows around the table: whether there is anything at all, and the campaigns to pick from (the chosen one always among them). */
export async function explorerChoices(deps: Deps, scope: Scope, campaignId: string | null): Promise<{ anyEvents: boolean; campaigns: CampaignChoice[] }> {
  const [anyEvents, campaigns] = await Promise.all([workspaceHasEvents(deps.db, scope.workspaceId), listCampaignChoices(deps.db, scope.workspaceId, CAMPAIGN_CHOICES)]);
  if (campaignId && !campaigns.some((c) => c.id === campaignId)) {
    const chosen = await requireCampaignOf(deps.db, scope.workspaceId, campaignId).catch(() => null);
    if (chosen) campaigns.unshift(chosen);
  }
  return { anyEvents, campaigns };
}

export interface TimelineInput {
  email?: string;
  campaignId?: string;
}

export interface Timeline {
  email: string;
  campaignId: string | null;
  campaignName: string | null;
  items: EventItem[];
  /** Older events were left out (more than TIMELINE_MAX). */
  truncated: boolean;
}

/** Everything that happened to one address, in one campaign or in all of them, oldest first. */
export async function eventTimeline(deps: Deps, scope: Scope, input: TimelineInput): Promise<Timeline> {
  const email = (input.email ?? "").trim().toLowerCase();
  if (!email.includes("@") || email.length > Q_MAX) throw new Invalid(`The "email" must be the address whose events to show.`, "invalid_email", "email");
  const campaignId = (input.campaignId ?? "").trim() || null;
  if (campaignId && campaignId.length > 100) throw new Invalid(`The "campaignId" is not the id of a campaign.`, "invalid_campaign_id", "campaignId");
  const campaign = campaignId ? await requireCampaignOf(deps.db, scope.workspaceId, campaignId) : null;
  const { items, truncated } = await listTimeline(deps.db, scope.workspaceId, email, campaignId, TIMELINE_MAX);
  return { email, campaignId, campaignName: campaign?.name ?? null, items, truncated };
}
