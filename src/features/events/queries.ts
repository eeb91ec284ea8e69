import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { EventType } from "./model";

export async function findWorkspacesByTopic(db: Database, topicArn: string) {
  const { workspaces } = db.t;
  return db.orm
    .select({ id: workspaces.id, configurationSet: workspaces.configurationSet })
    .from(workspaces)
    .where(eq(workspaces.eventTopicArn, topicArn));
}

export async function markSubscription(db: Database, workspaceIds: string[], status: "confirmed" | "none", arn: string | null) {
  const { workspaces } = db.t;
  await db.orm.update(workspaces).set({ eventSubscriptionStatus: status, eventSubscriptionArn: arn }).where(inArray(workspaces.id, workspaceIds));
}

/** Inserts events, skipping any whose source id the workspace already has (SNS redelivers). Returns how many were new. */
export async function insertEvents(
  db: Database,
  rows: { workspaceId: string; type: EventType; sourceId: string; email: string; at: Date; detail: Record<string, unknown>; campaignId?: string | null }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const { events } = db.t;
  const inserted = await db.orm
    .insert(events)
    .values(rows)
    .onConflictDoNothing({ target: [events.workspaceId, events.sourceId] })
    .returning({ id: events.id });
  return inserted.length;
}

export async function setContactsStatus(db: Database, workspaceId: string, emails: string[], status: "bounced" | "complained", now: Date) {
  if (emails.length === 0) return;
  const { contacts } = db.t;
  await db.orm
    .update(contacts)
    .set({ status, updatedAt: now })
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.email, emails)));
}
