import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { inJson, type Database } from "../../db/client";
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

/** Inserts events, skipping any whose source id the workspace already has. Returns the ids of the new ones. */
export async function insertEvents(
  db: Database,
  rows: { workspaceId: string; type: EventType; sourceId: string; email: string; at: Date; detail: Record<string, unknown>; campaignId?: string | null; recipientId?: number | null }[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const { events } = db.t;
  const inserted = await db.orm
    .insert(events)
    .values(rows)
    .onConflictDoNothing({ target: [events.workspaceId, events.sourceId] })
    .returning({ id: events.id });
  return inserted.map((r) => r.id);
}

export async function setContactsStatus(db: Database, workspaceId: string, emails: string[], status: "bounced" | "complained", now: Date) {
  if (emails.length === 0) return;
  const { contacts } = db.t;
  await db.orm
    .update(contacts)
    .set({ status, updatedAt: now })
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.email, emails)));
}

/** What an event needs to know about the recipient it names. */
export interface RecipientRef {
  id: number;
  campaignId: string;
  email: string;
  messageId: string | null;
  status: string;
  sentAt: Date | null;
  deliveredAt: Date | null;
}

const refColumns = (db: Database) => {
  const { recipients } = db.t;
  return {
    id: recipients.id,
    campaignId: recipients.campaignId,
    email: recipients.email,
    messageId: recipients.messageId,
    status: recipients.status,
    sentAt: recipients.sentAt,
    deliveredAt: recipients.deliveredAt,
  };
};

/** The workspace's recipients an SES event or a hit names: by SES message id, or by recipient id. */
export async function recipientRefs(db: Database, workspaceId: string, by: { messageIds: string[] } | { ids: number[] }): Promise<RecipientRef[]> {
  const { recipients } = db.t;
  const match = "ids" in by ? (by.ids.length ? inArray(recipients.id, by.ids) : null) : by.messageIds.length ? inJson(db, recipients.messageId, by.messageIds) : null;
  if (!match) return [];
  return db.orm
    .select(refColumns(db))
    .from(recipients)
    .where(and(match, eq(recipients.workspaceId, workspaceId)));
}

/** Transient bounces of an address since `since`, the event being counted included. */
export async function softBouncesSince(db: Database, workspaceId: string, email: string, since: Date): Promise<number> {
  const { events } = db.t;
  const [row] = await db.orm
    .select({ n: sql<number>`count(*)` })
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.email, email), gte(events.at, since), eq(events.type, "bounce"), sql`${events.detail} ->> 'bounceType' = 'Transient'`));
  return Number(row?.n ?? 0);
}
