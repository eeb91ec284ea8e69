import { and, count, eq, gt, gte, inArray, isNotNull, isNull, lt, max, ne, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { UserRole, WorkspaceRole } from "./model";

export async function countUsers(db: Database): Promise<number> {
  const [row] = await db.orm.select({ n: count() }).from(db.t.users);
  return Number(row?.n ?? 0);
}

export async function findUserByEmail(db: Database, email: string) {
  const [row] = await db.orm.select().from(db.t.users).where(eq(db.t.users.email, email));
  return row ?? null;
}

export async function insertUser(
  db: Database,
  row: { id: string; email: string; name: string; passwordHash: string; role: UserRole; timeZone: string | null; createdAt: Date },
) {
  await db.orm.insert(db.t.users).values({ ...row, disabled: false, updatedAt: row.createdAt });
}

/** Sets the user's time zone only if they have none yet: a zone they chose is never overwritten by a browser's. */
export async function setTimeZoneIfNone(db: Database, userId: string, timeZone: string, now: Date) {
  const { users } = db.t;
  await db.orm
    .update(users)
    .set({ timeZone, updatedAt: now })
    .where(and(eq(users.id, userId), isNull(users.timeZone)));
}

export async function setTimeZone(db: Database, userId: string, timeZone: string, now: Date) {
  await db.orm.update(db.t.users).set({ timeZone, updatedAt: now }).where(eq(db.t.users.id, userId));
}

export async function insertSession(
  db: Database,
  row: { id: string; userId: string; workspaceId: string; createdAt: Date; expiresAt: Date; ip: string; userAgent: string | null },
) {
  await db.orm.insert(db.t.sessions).values({ ...row, lastSeenAt: row.createdAt });
}

/** A live session with its user and workspace role; null when revoked, expired, idle or the user is disabled. */
export async function findLiveSession(db: Database, id: string, now: Date, idleSince: Date) {
  const { sessions, users, workspaces, memberships } = db.t;
  const [row] = await db.orm
    .select({
      sessionId: sessions.id,
      lastSeenAt: sessions.lastSeenAt,
      awsCredentials: sessions.awsCredentials,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      timeZone: users.timeZone,
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      workspaceRole: memberships.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    // The membership is re-read on every request, so removing someone from a workspace takes effect at once.
    .innerJoin(memberships, and(eq(memberships.workspaceId, sessions.workspaceId), eq(memberships.userId, sessions.userId)))
    .where(
      and(
        eq(sessions.id, id),
        isNull(sessions.revokedAt),
        gte(sessions.expiresAt, now),
        gte(sessions.lastSeenAt, idleSince),
        eq(users.disabled, false),
      ),
    );
  return row ? { ...row, workspaceRole: row.workspaceRole as WorkspaceRole } : null;
}

export async function touchSession(db: Database, id: string, now: Date) {
  await db.orm.update(db.t.sessions).set({ lastSeenAt: now }).where(eq(db.t.sessions.id, id));
}

export async function revokeSession(db: Database, id: string, now: Date) {
  const { sessions } = db.t;
  await db.orm
    .update(sessions)
    .set({ revokedAt: now, awsCredentials: null })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
}

export async function revokeUserSessions(db: Database, userId: string, now: Date) {
  const { sessions } = db.t;
  await db.orm
    .update(sessions)
    .set({ revokedAt: now, awsCredentials: null })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

/*
 * auth_failures is the ledger behind every throttle here: failed password checks under "acct:",
 * "acct-ip:" and "ip:" keys, and sign-ups under "signup:" keys.
 */

/** Per key: the entries after `since` and the latest of them. */
export async function recentEntries(db: Database, keys: string[], since: Date) {
  const { authFailures } = db.t;
  return db.orm
    .select({ key: authFailures.key, n: count(), last: max(authFailures.at) })
    .from(authFailures)
    .where(and(inArray(authFailures.key, keys), gt(authFailures.at, since)))
    .groupBy(authFailures.key);
}

/** The time of the n-th most recent entry for a key. */
export async function nthRecentEntry(db: Database, key: string, n: number): Promise<Date | null> {
  const { authFailures } = db.t;
  const rows = await db.orm
    .select({ at: authFailures.at })
    .from(authFailures)
    .where(eq(authFailures.key, key))
    .orderBy(sql`${authFailures.at} desc`)
    .limit(1)
    .offset(n - 1);
  return rows[0]?.at ?? null;
}

export async function recordEntries(db: Database, keys: string[], at: Date) {
  await db.orm.insert(db.t.authFailures).values(keys.map((key) => ({ key, at })));
}

/** Forgets the entries under `key` and under every key starting with `prefix`. */
export async function clearEntries(db: Database, key: string, prefix: string) {
  const { authFailures } = db.t;
  // substr rather than LIKE: an address may hold % and _, and SQLite's LIKE ignores case.
  // Both databases count characters, hence code points rather than UTF-16 units.
  await db.orm.delete(authFailures).where(or(eq(authFailures.key, key), sql`substr(${authFailures.key}, 1, ${[...prefix].length}) = ${prefix}`));
}

/** Housekeeping: ledger entries older than any throttle looks back, and sessions that can no longer be used. */
export async function pruneAuthRecords(db: Database, limits: { entriesBefore: Date; now: Date; idleBefore: Date }) {
  const { authFailures, sessions } = db.t;
  await db.orm.delete(authFailures).where(lt(authFailures.at, limits.entriesBefore));
  await db.orm
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, limits.now), isNotNull(sessions.revokedAt), lt(sessions.lastSeenAt, limits.idleBefore)));
}

export async function findUserById(db: Database, id: string) {
  const [row] = await db.orm.select().from(db.t.users).where(eq(db.t.users.id, id));
  return row ?? null;
}

export async function updateProfileRow(db: Database, id: string, patch: { name?: string; timeZone?: string; updatedAt: Date }) {
  await db.orm.update(db.t.users).set(patch).where(eq(db.t.users.id, id));
}

export async function setPasswordHash(db: Database, id: string, passwordHash: string, now: Date) {
  await db.orm.update(db.t.users).set({ passwordHash, updatedAt: now }).where(eq(db.t.users.id, id));
}

/** Ends every live session of the user except `keepId` (the one that asked). */
export async function revokeOtherSessions(db: Database, userId: string, keepId: string, now: Date) {
  const { sessions } = db.t;
  await db.orm
    .update(sessions)
    .set({ revokedAt: now, awsCredentials: null })
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepId), isNull(sessions.revokedAt)));
}

export async function insertPasswordReset(db: Database, row: { id: string; userId: string; tokenHash: string; createdBy: string | null; createdAt: Date; expiresAt: Date }) {
  await db.orm.insert(db.t.passwordResets).values(row);
}

/** A reset link by its token's hash, with the account it resets. */
export async function findPasswordReset(db: Database, tokenHash: string) {
  const { passwordResets: r, users } = db.t;
  const [row] = await db.orm
    .select({ id: r.id, userId: r.userId, email: users.email, disabled: users.disabled, expiresAt: r.expiresAt, usedAt: r.usedAt })
    .from(r)
    .innerJoin(users, eq(users.id, r.userId))
    .where(eq(r.tokenHash, tokenHash));
  return row ?? null;
}

/**
 * Marks a reset link used if it still can be; the conditions sit in the statement itself, so two
 * uses of one link race to a single winner. Returns whether this call won.
 */
export async function claimPasswordReset(db: Database, id: string, now: Date): Promise<boolean> {
  const { passwordResets: r } = db.t;
  const rows = await db.orm
    .update(r)
    .set({ usedAt: now })
    .where(and(eq(r.id, id), isNull(r.usedAt), gt(r.expiresAt, now)))
    .returning({ id: r.id });
  return rows.length === 1;
}

/** Spends every other link still open for the user: a new password makes them pointless. */
export async function spendPasswordResets(db: Database, userId: string, now: Date) {
  const { passwordResets: r } = db.t;
  await db.orm
    .update(r)
    .set({ usedAt: now })
    .where(and(eq(r.userId, userId), isNull(r.usedAt)));
}
