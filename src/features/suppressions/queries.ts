import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { inJson, type Database } from "../../db/client";

export type SuppressionReason = "hard_bounce" | "soft_bounce" | "complaint" | "unsubscribe" | "manual";

/** Adds addresses to a workspace's suppression list; an address already there keeps its first reason. */
export async function addSuppressions(db: Database, rows: { workspaceId: string; email: string; reason: SuppressionReason; source: string; createdAt: Date; eventId?: number | null }[]) {
  if (rows.length === 0) return;
  const { suppressions } = db.t;
  await db.orm.insert(suppressions).values(rows).onConflictDoNothing({ target: [suppressions.workspaceId, suppressions.email] });
}

export async function findSuppressed(db: Database, workspaceId: string, emails: string[]) {
  if (emails.length === 0) return [];
  const { suppressions } = db.t;
  return db.orm
    .select({ email: suppressions.email, reason: suppressions.reason })
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, workspaceId), inJson(db, suppressions.email, emails)));
}

export async function listSuppressionsPage(db: Database, workspaceId: string, options: { q: string; reason: SuppressionReason | null; page: number; pageSize: number }) {
  const { suppressions } = db.t;
  const pattern = `%${options.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = and(
    eq(suppressions.workspaceId, workspaceId),
    options.q ? sql`${suppressions.email} like ${pattern} escape '\\'` : undefined,
    options.reason ? eq(suppressions.reason, options.reason) : undefined,
  );
  const [items, [total]] = await Promise.all([
    db.orm
      .select({ id: suppressions.id, email: suppressions.email, reason: suppressions.reason, source: suppressions.source, eventId: suppressions.eventId, createdAt: suppressions.createdAt })
      .from(suppressions)
      .where(where)
      .orderBy(desc(suppressions.id))
      .limit(options.pageSize)
      .offset((options.page - 1) * options.pageSize),
    db.orm.select({ n: count() }).from(suppressions).where(where),
  ]);
  return { items, total: Number(total?.n ?? 0) };
}

export async function deleteSuppression(db: Database, workspaceId: string, id: number) {
  const { suppressions } = db.t;
  const [row] = await db.orm
    .delete(suppressions)
    .where(and(eq(suppressions.workspaceId, workspaceId), eq(suppressions.id, id)))
    .returning({ email: suppressions.email });
  return row ?? null;
}

/** Suppressions after `afterId`, in id order, for streaming an export. */
export async function suppressionsAfter(db: Database, workspaceId: string, afterId: number, limit: number) {
  const { suppressions } = db.t;
  return db.orm
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, workspaceId), gt(suppressions.id, afterId)))
    .orderBy(asc(suppressions.id))
    .limit(limit);
}

export async function hasSuppressions(db: Database, workspaceId: string): Promise<boolean> {
  const { suppressions } = db.t;
  const [row] = await db.orm.select({ id: suppressions.id }).from(suppressions).where(eq(suppressions.workspaceId, workspaceId)).limit(1);
  return row !== undefined;
}

/** Adds addresses pulled from SES's suppression list (already there, so `sesPushedAt` is set); returns the rows that were new. */
export async function addPulledSuppressions(
  db: Database,
  rows: { workspaceId: string; email: string; reason: SuppressionReason; source: string; createdAt: Date; sesPushedAt: Date }[],
) {
  if (rows.length === 0) return [];
  const { suppressions } = db.t;
  return db.orm
    .insert(suppressions)
    .values(rows)
    .onConflictDoNothing({ target: [suppressions.workspaceId, suppressions.email] })
    .returning({ email: suppressions.email, reason: suppressions.reason });
}

/** Records that SES's suppression list has these addresses (pushed there, or seen there when pulling). */
export async function markSesPushed(db: Database, workspaceId: string, emails: string[], at: Date) {
  if (emails.length === 0) return;
  const { suppressions } = db.t;
  await db.orm
    .update(suppressions)
    .set({ sesPushedAt: at })
    .where(
      and(
        eq(suppressions.workspaceId, workspaceId),
        isNull(suppressions.sesPushedAt),
        // One address (a push marks each as SES accepts it) is an index look-up; PostgreSQL plans the JSON list as a scan.
        emails.length === 1 ? eq(suppressions.email, emails[0]!) : inJson(db, suppressions.email, emails),
      ),
    );
}

/** Forgets which addresses SES's list has: the workspace's sync now points at another list (other keys, another region). */
export async function clearSesPushed(db: Database, workspaceId: string) {
  const { suppressions } = db.t;
  await db.orm
    .update(suppressions)
    .set({ sesPushedAt: null })
    .where(and(eq(suppressions.workspaceId, workspaceId), isNotNull(suppressions.sesPushedAt)));
}

/** Hard bounces and complaints SES's list does not have yet, in id order after `afterId` (a push's cursor). */
export async function suppressionsToPush(db: Database, workspaceId: string, afterId: number, limit: number) {
  const { suppressions } = db.t;
  return db.orm
    .select({ id: suppressions.id, email: suppressions.email, reason: suppressions.reason })
    .from(suppressions)
    .where(
      and(eq(suppressions.workspaceId, workspaceId), gt(suppressions.id, afterId), isNull(suppressions.sesPushedAt), inArray(suppressions.reason, ["hard_bounce", "complaint"])),
    )
    .orderBy(asc(suppressions.id))
    .limit(limit);
}

/** Hard bounces and complaints SES's list already has. */
export async function countSesPushed(db: Database, workspaceId: string): Promise<number> {
  const { suppressions } = db.t;
  const [row] = await db.orm
    .select({ n: count() })
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, workspaceId), isNotNull(suppressions.sesPushedAt), inArray(suppressions.reason, ["hard_bounce", "complaint"])));
  return Number(row?.n ?? 0);
}
