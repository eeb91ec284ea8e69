import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";

/**
 * Flags the campaign's recipient row the first time, and counts it in the campaign's hourly
 * statistics in the same transaction, so the campaign page reads a counter, not every recipient.
 */
export async function markRecipientUnsubscribed(db: Database, workspaceId: string, campaignId: string, email: string, at: Date): Promise<number | null> {
  const { recipients } = db.t;
  const marked = await db.orm
    .update(recipients)
    .set({ unsubscribedAt: at })
    .where(and(eq(recipients.workspaceId, workspaceId), eq(recipients.campaignId, campaignId), eq(recipients.email, email), isNull(recipients.unsubscribedAt)))
    .returning({ id: recipients.id });
  if (marked.length === 0) return null;
  const hour = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
  await db.rows(sql`insert into campaign_stats (workspace_id, campaign_id, hour, unsubscribed) values (${workspaceId}, ${campaignId}, ${hour}, 1)
    on conflict (campaign_id, hour) do update set unsubscribed = campaign_stats.unsubscribed + 1`);
  return marked[0]!.id;
}
