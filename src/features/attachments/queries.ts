import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Attachment } from "./model";

export async function findWorkspaceBucket(db: Database, workspaceId: string): Promise<{ bucket: string | null; region: string | null }> {
  const { workspaces } = db.t;
  const [row] = await db.orm.select({ bucket: workspaces.s3Bucket, region: workspaces.s3Region }).from(workspaces).where(eq(workspaces.id, workspaceId));
  return row ?? { bucket: null, region: null };
}

export async function setWorkspaceBucket(db: Database, workspaceId: string, bucket: string | null, region: string | null): Promise<void> {
  await db.orm.update(db.t.workspaces).set({ s3Bucket: bucket, s3Region: region }).where(eq(db.t.workspaces.id, workspaceId));
}

export async function findCampaignAttachments(db: Database, workspaceId: string, id: string) {
  const { campaigns } = db.t;
  const [row] = await db.orm
    .select({
      id: campaigns.id,
      status: campaigns.status,
      subject: campaigns.subject,
      html: campaigns.html,
      text: campaigns.text,
      attachments: campaigns.attachments,
      updatedAt: campaigns.updatedAt,
    })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)));
  return row ?? null;
}

/**
 * Replaces a campaign's attachments if nothing changed the row since it was read at `seen` and it is
 * still in one of `states`: two uploads at once must not drop one another's file.
 */
export async function replaceCampaignAttachments(
  db: Database,
  workspaceId: string,
  id: string,
  states: string[],
  seen: Date,
  attachments: Attachment[],
  now: Date,
): Promise<boolean> {
  const { campaigns } = db.t;
  // Strictly later than what was seen, so the next writer's check tells the two apart.
  const updatedAt = new Date(Math.max(now.getTime(), seen.getTime() + 1));
  const updated = await db.orm
    .update(campaigns)
    .set({ attachments, updatedAt })
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id), inArray(campaigns.status, states), eq(campaigns.updatedAt, seen)))
    .returning({ id: campaigns.id });
  return updated.length > 0;
}
