import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";

export async function findSavedCredentials(db: Database, workspaceId: string) {
  const { awsCredentials } = db.t;
  const [row] = await db.orm.select().from(awsCredentials).where(eq(awsCredentials.workspaceId, workspaceId));
  return row ?? null;
}

export async function upsertSavedCredentials(
  db: Database,
  row: { workspaceId: string; accessKeyIdMasked: string; region: string; sealed: string; keyId: string; now: Date },
) {
  const { awsCredentials } = db.t;
  const values = { accessKeyIdMasked: row.accessKeyIdMasked, region: row.region, sealed: row.sealed, keyId: row.keyId, updatedAt: row.now };
  await db.orm
    .insert(awsCredentials)
    .values({ workspaceId: row.workspaceId, ...values, createdAt: row.now })
    .onConflictDoUpdate({ target: awsCredentials.workspaceId, set: values });
}

export async function deleteSavedCredentials(db: Database, workspaceId: string) {
  await db.orm.delete(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, workspaceId));
}

/** Session-only keys live in the session row (sealed); null erases them. */
export async function setSessionCredentials(db: Database, sessionId: string, value: string | null) {
  await db.orm.update(db.t.sessions).set({ awsCredentials: value }).where(eq(db.t.sessions.id, sessionId));
}

export async function findWorkspaceEvents(db: Database, workspaceId: string) {
  const { workspaces } = db.t;
  const [row] = await db.orm
    .select({
      configurationSet: workspaces.configurationSet,
      topicArn: workspaces.eventTopicArn,
      subscriptionArn: workspaces.eventSubscriptionArn,
      subscriptionStatus: workspaces.eventSubscriptionStatus,
    })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row ?? null;
}

export async function updateWorkspaceEvents(
  db: Database,
  workspaceId: string,
  values: { configurationSet: string; eventTopicArn: string; eventSubscriptionArn: string | null; eventSubscriptionStatus: string },
) {
  await db.orm.update(db.t.workspaces).set(values).where(eq(db.t.workspaces.id, workspaceId));
}

/** A session's sealed AWS keys while it is live (not revoked, not expired) and belongs to `workspaceId`. */
export async function findLiveSessionKeys(db: Database, sessionId: string, workspaceId: string, now: Date) {
  const { sessions } = db.t;
  const [row] = await db.orm
    .select({ awsCredentials: sessions.awsCredentials })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.workspaceId, workspaceId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
  return row ?? null;
}
