import { randomBytes } from "node:crypto";
import { and, count, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { AuditEntry } from "./model";

/** Whose log is read: one workspace's, or the instance's own entries (workspace_id null). */
export type AuditScope = { workspaceId: string } | { instance: true };

/** A checked filter (service.ts reads it from the query string). `since` inclusive, `until` exclusive. */
export interface AuditFilter {
  actions: string[];
  /** Matched inside the actor's label whatever the case (an address, a key's name), or equal to its id. */
  actor: string;
  from: string;
  to: string;
  since: Date | null;
  until: Date | null;
  page: number;
  pageSize: number;
}

/** Counting stops this far past the page being read, as in the events explorer. */
const COUNT_AHEAD = 10_000;

let sequence = 0;

/** The next number of this process's count of happenings: taken when a request is answered, so entries keep that order. */
export function nextAuditSequence(): number {
  sequence = (sequence + 1) % 36 ** 4;
  return sequence;
}

/**
 * Ids that sort as the entries happened: the time, then the process's count, then random
 * characters. The log reads newest first by (at, id), so entries of one millisecond keep their order.
 * Lower-case letters and digits only, which every collation orders alike.
 */
function auditId(at: Date, order: number): string {
  const random = Array.from(randomBytes(8), (b) => (b % 36).toString(36)).join("");
  return `aud_${at.getTime().toString(36).padStart(9, "0")}${order.toString(36).padStart(4, "0")}${random}`;
}

/** `order`: the happening's place in this process's count (nextAuditSequence), taken when it happened; new otherwise. */
export async function insertAuditEntries(db: Database, entries: AuditEntry[], order?: number) {
  if (entries.length === 0) return;
  const place = order ?? nextAuditSequence();
  await db.orm.insert(db.t.auditLog).values(
    entries.map((e) => ({
      id: auditId(e.at, place),
      workspaceId: e.workspaceId,
      actorType: e.actor.type,
      actorId: e.actor.id,
      actorLabel: e.actor.label,
      action: e.action,
      targetType: e.target?.type ?? null,
      targetId: e.target?.id ?? null,
      targetLabel: e.target?.label ?? null,
      detail: e.detail,
      ip: e.ip,
      userAgent: e.userAgent,
      at: e.at,
    })),
  );
}

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterWhere(db: Database, scope: AuditScope, filter: AuditFilter): SQL | undefined {
  const { auditLog } = db.t;
  const pattern = `%${likeLiteral(filter.actor)}%`;
  return and(
    "workspaceId" in scope ? eq(auditLog.workspaceId, scope.workspaceId) : isNull(auditLog.workspaceId),
    filter.actions.length ? inArray(auditLog.action, filter.actions) : undefined,
    filter.actor
      ? or(
          eq(auditLog.actorId, filter.actor),
          // Labels keep their case; PostgreSQL's LIKE minds it, SQLite's does not for ASCII.
          db.dialect === "postgres" ? sql`${auditLog.actorLabel} ilike ${pattern} escape '\\'` : sql`${auditLog.actorLabel} like ${pattern} escape '\\'`,
        )
      : undefined,
    filter.since ? gte(auditLog.at, filter.since) : undefined,
    filter.until ? lt(auditLog.at, filter.until) : undefined,
  );
}

function columns(db: Database) {
  const a = db.t.auditLog;
  return {
    id: a.id,
    at: a.at,
    action: a.action,
    actorType: a.actorType,
    actorId: a.actorId,
    actorLabel: a.actorLabel,
    targetType: a.targetType,
    targetId: a.targetId,
    targetLabel: a.targetLabel,
    detail: a.detail,
    ip: a.ip,
    userAgent: a.userAgent,
  };
}

export type AuditRow = Awaited<ReturnType<typeof listAuditRows>>["rows"][number];

/** A page of entries, newest first, and how many match (counted up to COUNT_AHEAD past the page). */
export async function listAuditRows(db: Database, scope: AuditScope, filter: AuditFilter) {
  const { auditLog } = db.t;
  const where = filterWhere(db, scope, filter);
  const offset = (filter.page - 1) * filter.pageSize;
  const countLimit = offset + COUNT_AHEAD + 1;
  const [rows, [counted]] = await Promise.all([
    db.orm.select(columns(db)).from(auditLog).where(where).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(filter.pageSize).offset(offset),
    db.orm.select({ n: count() }).from(db.orm.select({ one: sql`1`.as("one") }).from(auditLog).where(where).limit(countLimit).as("capped")),
  ]);
  const found = Number(counted?.n ?? 0);
  return { rows, total: Math.min(found, countLimit - 1), totalCapped: found >= countLimit };
}

/** The next entries of an export, newest first, after the (at, id) of the last one read. */
export async function auditRowsBefore(db: Database, scope: AuditScope, filter: AuditFilter, before: { at: Date; id: string } | null, limit: number) {
  const { auditLog } = db.t;
  return db.orm
    .select(columns(db))
    .from(auditLog)
    .where(and(filterWhere(db, scope, filter), before ? or(lt(auditLog.at, before.at), and(eq(auditLog.at, before.at), lt(auditLog.id, before.id))) : undefined))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
}

export async function anyAuditEntries(db: Database, scope: AuditScope): Promise<boolean> {
  const { auditLog } = db.t;
  const [row] = await db.orm
    .select({ id: auditLog.id })
    .from(auditLog)
    .where("workspaceId" in scope ? eq(auditLog.workspaceId, scope.workspaceId) : isNull(auditLog.workspaceId))
    .limit(1);
  return row !== undefined;
}

/**
 * Whether an entry of `action` with this `reason` in its detail, from this address and naming this
 * actor, was written since `since` (to write refusals once a minute, not once a request). The detail
 * is read as text: the window holds a handful of rows, found along the time index.
 */
export async function recentAuditEntry(db: Database, action: string, reason: string, ip: string | null, actorLabel: string, since: Date): Promise<boolean> {
  const { auditLog } = db.t;
  const [row] = await db.orm
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(
      and(
        gte(auditLog.at, since),
        eq(auditLog.action, action),
        ip === null ? isNull(auditLog.ip) : eq(auditLog.ip, ip),
        eq(auditLog.actorLabel, actorLabel),
        sql`cast(${auditLog.detail} as text) like ${`%"reason":%"${likeLiteral(reason)}"%`} escape '\\'`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

// Look-ups for targets' labels: one indexed read each, scoped to the workspace where the row has one.

export async function findUserLabel(db: Database, id: string) {
  const { users } = db.t;
  const [row] = await db.orm.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function findUserByEmail(db: Database, email: string) {
  const { users } = db.t;
  const [row] = await db.orm.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email));
  return row ?? null;
}

export async function workspaceIdsOf(db: Database, userId: string): Promise<string[]> {
  const { memberships } = db.t;
  const rows = await db.orm.select({ workspaceId: memberships.workspaceId }).from(memberships).where(eq(memberships.userId, userId));
  return rows.map((r) => r.workspaceId);
}

export async function findCampaignName(db: Database, workspaceId: string, id: string): Promise<string | null> {
  const { campaigns } = db.t;
  const [row] = await db.orm
    .select({ name: campaigns.name })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)));
  return row?.name ?? null;
}

export async function findApiKeyLabel(db: Database, id: string) {
  const { apiKeys } = db.t;
  const [row] = await db.orm.select({ name: apiKeys.name, workspaceId: apiKeys.workspaceId }).from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}

/** The key a person just made in a workspace (an htmx answer shows the key, not its id). */
export async function findNewestApiKey(db: Database, workspaceId: string, createdBy: string) {
  const { apiKeys } = db.t;
  const [row] = await db.orm
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.createdBy, createdBy)))
    .orderBy(desc(apiKeys.createdAt))
    .limit(1);
  return row ?? null;
}

/** The invite a person just made in a workspace (an htmx answer shows the link, not the id). */
export async function findNewestInvite(db: Database, workspaceId: string, createdBy: string) {
  const { invites } = db.t;
  const [row] = await db.orm
    .select({ id: invites.id })
    .from(invites)
    .where(and(eq(invites.workspaceId, workspaceId), eq(invites.createdBy, createdBy)))
    .orderBy(desc(invites.createdAt))
    .limit(1);
  return row ?? null;
}

export async function findWorkspaceName(db: Database, id: string): Promise<string | null> {
  const { workspaces } = db.t;
  const [row] = await db.orm.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, id));
  return row?.name ?? null;
}

export async function findInviteLabel(db: Database, workspaceId: string, id: string) {
  const { invites } = db.t;
  const [row] = await db.orm
    .select({ email: invites.email, role: invites.role })
    .from(invites)
    .where(and(eq(invites.workspaceId, workspaceId), eq(invites.id, id)));
  return row ?? null;
}

export async function findInviteByTokenHash(db: Database, tokenHash: string) {
  const { invites, workspaces } = db.t;
  const [row] = await db.orm
    .select({ id: invites.id, workspaceId: invites.workspaceId, role: invites.role, email: invites.email, workspaceName: workspaces.name })
    .from(invites)
    .innerJoin(workspaces, eq(workspaces.id, invites.workspaceId))
    .where(eq(invites.tokenHash, tokenHash));
  return row ?? null;
}

export async function findResetUser(db: Database, tokenHash: string) {
  const { passwordResets, users } = db.t;
  const [row] = await db.orm
    .select({ id: users.id, email: users.email })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, tokenHash));
  return row ?? null;
}
