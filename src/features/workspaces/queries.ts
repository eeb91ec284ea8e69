import { and, count, desc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { WorkspaceRole } from "../auth/model";
import type { InviteRole } from "./model";

export async function insertWorkspace(db: Database, row: { id: string; name: string; createdAt: Date }) {
  await db.orm.insert(db.t.workspaces).values(row);
}

export async function insertMembership(
  db: Database,
  row: { workspaceId: string; userId: string; role: WorkspaceRole; createdAt: Date },
) {
  await db.orm.insert(db.t.memberships).values(row);
}

/** The workspace a user lands in at login: the oldest one they belong to. */
export async function findHomeMembership(db: Database, userId: string) {
  const { memberships, workspaces } = db.t;
  const [row] = await db.orm
    .select({ workspaceId: memberships.workspaceId, workspaceName: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt)
    .limit(1);
  return row ?? null;
}

export async function findMembership(db: Database, workspaceId: string, userId: string) {
  const { memberships } = db.t;
  const [row] = await db.orm
    .select()
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row ?? null;
}

export async function findWorkspace(db: Database, id: string) {
  const { workspaces } = db.t;
  const [row] = await db.orm.select().from(workspaces).where(eq(workspaces.id, id));
  return row ?? null;
}

export async function renameWorkspaceRow(db: Database, id: string, name: string) {
  const { workspaces } = db.t;
  await db.orm.update(workspaces).set({ name }).where(eq(workspaces.id, id));
}

/** Every workspace a user belongs to, oldest membership first, with their role there. */
export async function findUserWorkspaces(db: Database, userId: string) {
  const { memberships, workspaces } = db.t;
  const rows = await db.orm
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt, workspaces.id);
  return rows.map((row) => ({ ...row, role: row.role as WorkspaceRole }));
}

export async function findMembers(db: Database, workspaceId: string) {
  const { memberships, users } = db.t;
  const rows = await db.orm
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(memberships.createdAt, users.email);
  return rows.map((row) => ({ ...row, role: row.role as WorkspaceRole }));
}

export async function countOwners(db: Database, workspaceId: string): Promise<number> {
  const { memberships } = db.t;
  const [row] = await db.orm
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner")));
  return Number(row?.n ?? 0);
}

export async function setMembershipRole(db: Database, workspaceId: string, userId: string, role: WorkspaceRole) {
  const { memberships } = db.t;
  await db.orm
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
}

export async function deleteMembership(db: Database, workspaceId: string, userId: string) {
  const { memberships } = db.t;
  await db.orm.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
}

/**
 * Points one session at another workspace. Session-only AWS keys are sealed to the workspace they
 * were connected in (see credentials/service.ts), so they are forgotten on the way.
 */
export async function pointSessionAt(db: Database, sessionId: string, workspaceId: string) {
  const { sessions } = db.t;
  await db.orm.update(sessions).set({ workspaceId, awsCredentials: null }).where(eq(sessions.id, sessionId));
}

/** Moves a user's live sessions in one workspace to another of theirs (forgetting session-only keys, as above). */
export async function moveUserSessions(db: Database, userId: string, fromWorkspaceId: string, toWorkspaceId: string) {
  const { sessions } = db.t;
  await db.orm
    .update(sessions)
    .set({ workspaceId: toWorkspaceId, awsCredentials: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.workspaceId, fromWorkspaceId), isNull(sessions.revokedAt)));
}

export async function revokeUserSessionsIn(db: Database, userId: string, workspaceId: string, now: Date) {
  const { sessions } = db.t;
  await db.orm
    .update(sessions)
    .set({ revokedAt: now, awsCredentials: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.workspaceId, workspaceId), isNull(sessions.revokedAt)));
}

export async function insertInvite(
  db: Database,
  row: { id: string; workspaceId: string; role: InviteRole; tokenHash: string; email: string | null; createdBy: string; createdAt: Date; expiresAt: Date },
) {
  await db.orm.insert(db.t.invites).values(row);
}

/** An invite by its token's hash, with its workspace's name. */
export async function findInviteByTokenHash(db: Database, tokenHash: string) {
  const { invites, workspaces } = db.t;
  const [row] = await db.orm
    .select({
      id: invites.id,
      workspaceId: invites.workspaceId,
      workspaceName: workspaces.name,
      role: invites.role,
      email: invites.email,
      expiresAt: invites.expiresAt,
      usedAt: invites.usedAt,
      revokedAt: invites.revokedAt,
    })
    .from(invites)
    .innerJoin(workspaces, eq(workspaces.id, invites.workspaceId))
    .where(eq(invites.tokenHash, tokenHash));
  return row ?? null;
}

/**
 * Marks an invite used if it still can be: the conditions in the statement itself make two accepts
 * of one link race to a single winner. Returns whether this call won.
 */
export async function claimInvite(db: Database, id: string, userId: string, now: Date): Promise<boolean> {
  const { invites } = db.t;
  const rows = await db.orm
    .update(invites)
    .set({ usedAt: now, usedBy: userId })
    .where(and(eq(invites.id, id), isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
    .returning({ id: invites.id });
  return rows.length === 1;
}

/** A workspace's invites not yet used, revoked or expired, newest first, with who made each. */
export async function findPendingInvites(db: Database, workspaceId: string, now: Date) {
  const { invites, users } = db.t;
  return db.orm
    .select({
      id: invites.id,
      role: invites.role,
      email: invites.email,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
      creatorId: users.id,
      creatorEmail: users.email,
      creatorName: users.name,
    })
    .from(invites)
    .leftJoin(users, eq(users.id, invites.createdBy))
    .where(and(eq(invites.workspaceId, workspaceId), isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
    .orderBy(desc(invites.createdAt), invites.id);
}

/** Revokes a pending invite of this workspace; returns whether there was one. */
export async function revokeInviteRow(db: Database, workspaceId: string, id: string, now: Date): Promise<boolean> {
  const { invites } = db.t;
  const rows = await db.orm
    .update(invites)
    .set({ revokedAt: now })
    .where(and(eq(invites.id, id), eq(invites.workspaceId, workspaceId), isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
    .returning({ id: invites.id });
  return rows.length === 1;
}
