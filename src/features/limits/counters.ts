import { lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { DAY_MS } from "./model";

/**
 * Fixed-window counters in the database, so a limit holds across every instance sharing it. One
 * upsert per count: it adds `amount` only while the total stays within `limit` (null: always), and
 * answers the new total, or null when adding would pass the limit (nothing is added then).
 */
export async function addToWindow(
  db: Database,
  key: string,
  windowStart: number,
  amount: number,
  limit: number | null,
): Promise<number | null> {
  if (limit !== null && amount > limit) return null;
  const within = limit === null ? sql`` : sql`where rate_counters.count + ${amount} <= ${limit}`;
  const rows = await db.rows<{ count: number | string }>(sql`
    insert into rate_counters (key, window_start, count) values (${key}, ${windowStart}, ${amount})
    on conflict (key, window_start) do update set count = rate_counters.count + ${amount}
    ${within}
    returning count`);
  return rows.length ? Number(rows[0]!.count) : null;
}

/** The current total of a window (0 when nothing was counted). */
export async function windowTotal(db: Database, key: string, windowStart: number): Promise<number> {
  const rows = await db.rows<{ count: number | string }>(sql`select count from rate_counters where key = ${key} and window_start = ${windowStart}`);
  return rows.length ? Number(rows[0]!.count) : 0;
}

/** Windows older than a day and a bit are of no use to anyone. */
export async function pruneCounters(db: Database, now: Date): Promise<void> {
  const { rateCounters } = db.t;
  await db.orm.delete(rateCounters).where(lt(rateCounters.windowStart, new Date(now.getTime() - 2 * DAY_MS)));
}
