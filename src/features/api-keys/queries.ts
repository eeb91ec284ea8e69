import { and, desc, eq, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { KeyRole, KeyScope } from "./model";

export async function insertKey(
  db: Database,
  row: { id: string; workspaceId: string; name: string; scope: KeyScope; role: KeyRole; keyHash: string; prefix: string; createdBy: string; createdAt: Date },
) {
  await db.orm.insert(db.t.apiKeys).values(row);
}

/** The workspace's keys, newest first, optionally only one creator's or only one key. Never the hash. */
export async function listKeys(db: Database, workspaceId: string, only: { createdBy?: string; id?: string } = {}) {
  const { apiKeys, users } = db.t;
  return db.orm
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scope: apiKeys.scope,
      role: apiKeys.role,
      prefix: apiKeys.prefix,
      createdBy: apiKeys.createdBy,
      createdByEmail: users.email,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(
      and(
        eq(apiKeys.workspaceId, workspaceId),
        only.createdBy ? eq(apiKeys.createdBy, only.createdBy) : undefined,
        only.id ? eq(apiKeys.id, only.id) : undefined,
      ),
    )
    .orderBy(desc(apiKeys.createdAt));
}

export async function findKey(db: Database, workspaceId: string, id: string) {
  const { apiKeys } = db.t;
  const [row] = await db.orm.select().from(apiKeys).where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, id)));
  return row ?? null;
}

export async function revokeKeyRow(db: Database, workspaceId: string, id: string, now: Date): Promise<boolean> {
  const { apiKeys } = db.t;
  const rows = await db.orm
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/**
 * A live key by its hash, with who it acts as: its creator (still a member of the key's workspace,
 * not disabled) and the workspace. A revoked key, a removed or disabled creator: nothing.
 */
export async function findLiveKey(db: Database, keyHash: string) {
  const { apiKeys, users, memberships, workspaces } = db.t;
  const [row] = await db.orm
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scope: apiKeys.scope,
      role: apiKeys.role,
      requestsPerMinute: apiKeys.requestsPerMinute,
      mailsPerDay: apiKeys.mailsPerDay,
      lastUsedAt: apiKeys.lastUsedAt,
      workspaceId: apiKeys.workspaceId,
      workspaceName: workspaces.name,
      userId: users.id,
      email: users.email,
      name_: users.name,
      userRole: users.role,
      timeZone: users.timeZone,
      memberRole: memberships.role,
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .innerJoin(users, eq(users.id, apiKeys.createdBy))
    .innerJoin(memberships, and(eq(memberships.workspaceId, apiKeys.workspaceId), eq(memberships.userId, apiKeys.createdBy)))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt), eq(users.disabled, false)));
  return row ?? null;
}

export async function touchKey(db: Database, id: string, now: Date) {
  const { apiKeys } = db.t;
  await db.orm.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id));
}
