import { and, eq, gte, lt, sql } from "drizzle-orm";
import { inJson, type Database } from "../../db/client";
import { COUNTERS, type Counts } from "./model";

/**
 * The workspace's counters per hour in [since, until), summed over its campaigns (or the given ones).
 * Counters are written by the hour of what they count, in the same transaction as the event, so
 * these sums are exact however late or often SES's events arrive.
 */
export async function countsByHour(db: Database, workspaceId: string, since: Date, until: Date, campaignIds: string[] | null): Promise<({ hour: number } & Counts)[]> {
  const { campaignStats: s } = db.t;
  if (campaignIds && campaignIds.length === 0) return [];
  const hours = db.orm
    .select({ hour: s.hour, ...Object.fromEntries(COUNTERS.map((c) => [c, sql`coalesce(sum(${s[c]}), 0)`.as(c)])) })
    .from(s)
    .where(
      and(
        eq(s.workspaceId, workspaceId),
        gte(s.hour, since.getTime()),
        lt(s.hour, until.getTime()),
        // One JSON parameter, however many campaigns a list has sent (SQLite takes at most 32,766 parameters).
        campaignIds ? inJson(db, s.campaignId, campaignIds) : undefined,
      ),
    )
    .groupBy(s.hour)
    .as("hours");
  const fields = sql.raw(["hour", ...COUNTERS].map((c) => `"${c}"`).join(", "));
  // The hours come back as one JSON array, not as rows: turning two months of hours (1,440 rows of
  // 14 numbers) into row objects took SQLite's driver about a third of the query's time
  // (bench/analytics.ts). PostgreSQL's answers the same either way.
  const array = db.dialect === "postgres" ? sql<string>`coalesce(json_agg(json_build_array(${fields})), '[]')::text` : sql<string>`json_group_array(json_array(${fields}))`;
  const [row] = await db.orm.select({ array }).from(hours);
  const rows = (JSON.parse(row?.array ?? "[]") as number[][]).map(([hour, ...counts]) => {
    const counted = Object.fromEntries(COUNTERS.map((c, i) => [c, Number(counts[i])])) as Counts;
    return { ...counted, hour: Number(hour) };
  });
  return rows.sort((a, b) => a.hour - b.hour);
}

/** Ids of the workspace's campaigns that send to `listId` (lists are kept on the campaign as a JSON array). */
export async function campaignIdsForList(db: Database, workspaceId: string, listId: string): Promise<string[]> {
  const { campaigns } = db.t;
  const sendsToList =
    db.dialect === "postgres" ? sql`${campaigns.listIds} @> ${JSON.stringify([listId])}::jsonb` : sql`exists (select 1 from json_each(${campaigns.listIds}) where value = ${listId})`;
  const rows = await db.orm.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.workspaceId, workspaceId), sendsToList));
  return rows.map((r) => r.id);
}

export async function campaignExists(db: Database, workspaceId: string, id: string): Promise<boolean> {
  const { campaigns } = db.t;
  const [row] = await db.orm.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id))).limit(1);
  return Boolean(row);
}

export async function listExists(db: Database, workspaceId: string, id: string): Promise<boolean> {
  const { lists } = db.t;
  const [row] = await db.orm.select({ id: lists.id }).from(lists).where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, id))).limit(1);
  return Boolean(row);
}
