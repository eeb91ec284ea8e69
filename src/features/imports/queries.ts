import { and, eq, inArray, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { ImportCounts, ImportFormat, ImportMapping, ImportStatus, OnConflict } from "./model";

export async function insertImport(
  db: Database,
  row: { id: string; workspaceId: string; listId: string; fileName: string | null; filePath: string; fileSize: number; format: ImportFormat; createdBy: string; createdAt: Date },
) {
  await db.orm.insert(db.t.imports).values({ ...row, status: "uploaded" });
}

export async function findImport(db: Database, workspaceId: string, id: string) {
  const { imports } = db.t;
  const [row] = await db.orm.select().from(imports).where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id)));
  return row ?? null;
}

/**
 * uploaded → running, with its mapping. False when the import was not waiting to start. Throws on
 * the one-running-import-per-list unique index when another import into the list is running.
 */
export async function markImportRunning(db: Database, workspaceId: string, id: string, mapping: ImportMapping, onConflict: OnConflict, now: Date): Promise<boolean> {
  const { imports } = db.t;
  const updated = await db.orm
    .update(imports)
    .set({ status: "running", mapping, onConflict, startedAt: now })
    .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id), eq(imports.status, "uploaded")))
    .returning({ id: imports.id });
  return updated.length > 0;
}

export interface ImportCounters extends ImportCounts {
  bytesRead: number;
}

/** The counters of an import row, as the job carries them. */
export function importCounters(row: ImportCounters): ImportCounters {
  const { total, bytesRead, imported, updated, unchanged, duplicates, invalid, suppressed, errors } = row;
  return { total, bytesRead, imported, updated, unchanged, duplicates, invalid, suppressed, errors };
}

/** Which run holds a running import, until when. */
export interface ImportLease {
  runner: string;
  until: Date;
}

/** An import as the job names it: its workspace and id. */
export interface ImportRef {
  workspaceId: string;
  id: string;
}

function isImport(db: Database, ref: ImportRef) {
  const { imports } = db.t;
  return and(eq(imports.workspaceId, ref.workspaceId), eq(imports.id, ref.id));
}

/**
 * Takes a running import for one run of its job, unless another run holds an unexpired lease on it.
 * The queue may deliver one job twice (a retry, a recovery, several instances): only one run writes.
 */
export async function claimImport(db: Database, ref: ImportRef, lease: ImportLease, now: Date) {
  const { imports } = db.t;
  const [row] = await db.orm
    .update(imports)
    .set({ runner: lease.runner, leaseUntil: lease.until })
    .where(and(isImport(db, ref), eq(imports.status, "running"), or(isNull(imports.leaseUntil), lt(imports.leaseUntil, now))))
    .returning();
  return row ?? null;
}

/**
 * The running totals, written in the same transaction as the batch they count (the kept errors only
 * when they grew), renewing the lease. False when the run no longer holds the import: the caller
 * must roll the batch back.
 */
export async function saveImportProgress(db: Database, ref: ImportRef, counters: ImportCounters, errorsChanged: boolean, lease: ImportLease): Promise<boolean> {
  const { imports } = db.t;
  const { errors, ...totals } = counters;
  const saved = await db.orm
    .update(imports)
    .set({ ...(errorsChanged ? counters : totals), leaseUntil: lease.until })
    .where(and(isImport(db, ref), eq(imports.status, "running"), eq(imports.runner, lease.runner)))
    .returning({ id: imports.id });
  return saved.length > 0;
}

/** Ends a running import, if this run still holds it; false when it no longer did (nothing changed). */
export async function finishImport(db: Database, ref: ImportRef, status: Extract<ImportStatus, "done" | "failed">, failure: string | null, now: Date, lease: ImportLease): Promise<boolean> {
  const { imports } = db.t;
  const finished = await db.orm
    .update(imports)
    .set({ status, failure, finishedAt: now, leaseUntil: null })
    .where(and(isImport(db, ref), eq(imports.status, "running"), eq(imports.runner, lease.runner)))
    .returning({ id: imports.id });
  return finished.length > 0;
}

/** Renews a run's lease while it works on something slow; false when it no longer holds the import (taken over, or cancelled). */
export async function renewImportLease(db: Database, ref: ImportRef, lease: ImportLease): Promise<boolean> {
  const { imports } = db.t;
  const renewed = await db.orm
    .update(imports)
    .set({ leaseUntil: lease.until })
    .where(and(isImport(db, ref), eq(imports.status, "running"), eq(imports.runner, lease.runner)))
    .returning({ id: imports.id });
  return renewed.length > 0;
}

/** Lets go of an import a run stopped working on (or whose run died), so the next run takes it at once. */
export async function releaseImportLease(db: Database, ref: ImportRef, runner: string) {
  const { imports } = db.t;
  await db.orm.update(imports).set({ leaseUntil: null }).where(and(isImport(db, ref), eq(imports.runner, runner)));
}

/** At boot of the only instance: no run of an earlier process can still hold an import. */
export async function takeOverRunningImports(db: Database) {
  const { imports } = db.t;
  await db.orm.update(imports).set({ leaseUntil: null }).where(eq(imports.status, "running"));
}

export async function findImportStatus(db: Database, ref: ImportRef): Promise<string | null> {
  const { imports } = db.t;
  const [row] = await db.orm.select({ status: imports.status }).from(imports).where(isImport(db, ref));
  return row?.status ?? null;
}

/** Cancels an import that has not finished; the rows it committed stay. False when it had already ended. */
export async function cancelImportRow(db: Database, workspaceId: string, id: string, failure: string, now: Date): Promise<boolean> {
  const { imports } = db.t;
  const cancelled = await db.orm
    .update(imports)
    .set({ status: "cancelled", failure, finishedAt: now, leaseUntil: null })
    .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, id), inArray(imports.status, ["running", "uploaded"])))
    .returning({ id: imports.id });
  return cancelled.length > 0;
}

/** The import running into a list, if any. */
export async function findRunningImport(db: Database, workspaceId: string, listId: string) {
  const { imports } = db.t;
  const [row] = await db.orm
    .select({ id: imports.id })
    .from(imports)
    .where(and(eq(imports.workspaceId, workspaceId), eq(imports.listId, listId), eq(imports.status, "running")))
    .limit(1);
  return row ?? null;
}

/** Imports marked running, with their leases: the ones a dead run left behind are picked up again. */
export async function runningImports(db: Database) {
  const { imports } = db.t;
  return db.orm.select({ id: imports.id, workspaceId: imports.workspaceId, leaseUntil: imports.leaseUntil }).from(imports).where(eq(imports.status, "running"));
}

export async function deleteImport(db: Database, ref: ImportRef) {
  await db.orm.delete(db.t.imports).where(isImport(db, ref));
}

/** Uploads that will never be read again: failed or cancelled imports, and previews not started within a day. */
export async function staleUploads(db: Database, before: Date) {
  const { imports } = db.t;
  return db.orm
    .select({ id: imports.id, status: imports.status, filePath: imports.filePath })
    .from(imports)
    .where(and(isNotNull(imports.filePath), or(inArray(imports.status, ["failed", "cancelled"]), and(eq(imports.status, "uploaded"), lt(imports.createdAt, before)))));
}

export async function forgetUpload(db: Database, id: string, expired: boolean, now: Date) {
  const { imports } = db.t;
  await db.orm
    .update(imports)
    .set(expired ? { filePath: null, status: "failed", failure: "The upload was not started within a day and was discarded.", finishedAt: now } : { filePath: null })
    .where(eq(imports.id, id));
}
