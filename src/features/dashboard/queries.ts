import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";

/** Whether anything was ever sent from the workspace: until then the dashboard shows the first steps, not empty charts. */
export async function hasSentAnything(db: Database, workspaceId: string): Promise<boolean> {
  const { campaignStats: s } = db.t;
  const [row] = await db.orm.select({ hour: s.hour }).from(s).where(eq(s.workspaceId, workspaceId)).limit(1);
  return Boolean(row);
}

/** The newest campaigns with their totals, read from the hourly counters (no recipient scan). */
export async function recentCampaigns(db: Database, workspaceId: string, limit: number) {
  const { campaigns: c, campaignStats: s } = db.t;
  const recent = db.orm
    .select({ id: c.id, name: c.name, status: c.status, kind: c.kind, createdAt: c.createdAt, launchedAt: c.launchedAt })
    .from(c)
    .where(eq(c.workspaceId, workspaceId))
    .orderBy(desc(c.createdAt), desc(c.id))
    .limit(limit)
    .as("recent");
  const total = (column: import("drizzle-orm").SQLWrapper) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);
  return db.orm
    .select({
      id: recent.id,
      name: recent.name,
      status: recent.status,
      kind: recent.kind,
      createdAt: recent.createdAt,
      launchedAt: recent.launchedAt,
      sent: total(s.sent),
      delivered: total(s.delivered),
      bounced: total(s.bounced),
      humanOpens: total(s.humanOpens),
      humanClicks: total(s.humanClicks),
    })
    .from(recent)
    .leftJoin(s, eq(s.campaignId, recent.id))
    .groupBy(recent.id, recent.name, recent.status, recent.kind, recent.createdAt, recent.launchedAt)
    .orderBy(desc(recent.createdAt), desc(recent.id));
}

/** Campaigns to pick from in the filter: the newest first, names only. */
export async function campaignChoices(db: Database, workspaceId: string, limit: number) {
  const { campaigns: c } = db.t;
  return db.orm
    .select({ id: c.id, name: c.name, kind: c.kind })
    .from(c)
    .where(and(eq(c.workspaceId, workspaceId), sql`${c.status} <> 'draft'`))
    .orderBy(desc(c.createdAt), desc(c.id))
    .limit(limit);
}

export async function campaignChoice(db: Database, workspaceId: string, id: string) {
  const { campaigns: c } = db.t;
  const [row] = await db.orm.select({ id: c.id, name: c.name, kind: c.kind }).from(c).where(and(eq(c.workspaceId, workspaceId), eq(c.id, id)));
  return row ?? null;
}

export async function listChoices(db: Database, workspaceId: string) {
  const { lists: l } = db.t;
  return db.orm.select({ id: l.id, name: l.name }).from(l).where(eq(l.workspaceId, workspaceId)).orderBy(asc(l.name));
}

/** GetAccount readings of the workspace in [since, until), in the region of its newest reading, with the one before `since` to start from. */
export async function quotaReadings(db: Database, workspaceId: string, since: Date, until: Date) {
  const { awsAccountSamples: a } = db.t;
  const [newest] = await db.orm.select({ region: a.region }).from(a).where(eq(a.workspaceId, workspaceId)).orderBy(desc(a.at), desc(a.id)).limit(1);
  if (!newest) return { region: null, readings: [] };
  const columns = { at: a.at, maxSendRate: a.maxSendRate, max24HourSend: a.max24HourSend, sentLast24Hours: a.sentLast24Hours };
  const inRegion = and(eq(a.workspaceId, workspaceId), eq(a.region, newest.region));
  const [before] = await db.orm.select(columns).from(a).where(and(inRegion, lt(a.at, since))).orderBy(desc(a.at), desc(a.id)).limit(1);
  const during = await db.orm.select(columns).from(a).where(and(inRegion, gte(a.at, since), lt(a.at, until))).orderBy(asc(a.at), asc(a.id)).limit(20_000);
  return { region: newest.region, readings: before ? [before, ...during] : during };
}
