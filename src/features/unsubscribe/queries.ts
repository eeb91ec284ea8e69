import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";

/** Flags the campaign's recipient row, so the campaign counts its unsubscribes. */
export async function markRecipientUnsubscribed(db: Database, workspaceId: string, campaignId: string, email: string, at: Date) {
  const { recipients } = db.t;
  await db.orm
    .update(recipients)
    .set({ unsubscribedAt: at })
    .where(and(eq(recipients.workspaceId, workspaceId), eq(recipients.campaignId, campaignId), eq(recipients.email, email)));
}
