import { createReadStream } from "node:fs";
import { appendFile, mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import Papa from "papaparse";
import { sql, transaction } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { csvLine } from "../../lib/csv";
import { isEmail } from "../../lib/email";
import { Conflict, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { describeForLog } from "../../lib/log";
import { STATUS_FOR_SUPPRESSION } from "../contacts/model";
import { findContactsByEmails, refreshContactStats, upsertContactsOnList } from "../contacts/queries";
import { findList } from "../lists/queries";
import { findSuppressed, hasSuppressions } from "../suppressions/queries";
import {
  CELL_MAX,
  checkMapping,
  cleanAddress,
  defaultMapping,
  ERRORS_KEPT,
  guessEmailColumn,
  mappingFromForm,
  IMPORT_BATCH,
  IMPORT_LEASE_MS,
  sniff,
  UPLOAD_MAX_BYTES,
  type ImportMapping,
  type ImportReport,
  type OnConflict,
  type Preview,
} from "./model";
import {
  deleteImport,
  findImport,
  claimImport,
  runningImports,
  type ImportLease,
  type ImportRef,
  finishImport,
  forgetUpload,
  importCounters,
  insertImport,
  markImportRunning,
  saveImportProgress,
  staleUploads,
  type ImportCounters,
} from "./queries";
import { saveUpload } from "./upload";

const SNIFF_BYTES = 64 * 1024;

export function importsDir(deps: Deps): string {
  return join(deps.config.dataDir, "imports");
}

export interface ImportOptions {
  /** Stop after the upload and return a preview, so the user can map columns first. */
  preview: boolean;
  email?: string;
  skip?: string[];
  onConflict: OnConflict;
}

export function parseOnConflict(value: string | undefined): OnConflict {
  if (value === undefined || value === "" || value === "update") return "update";
  if (value === "keep") return "keep";
  throw new Invalid('onConflict is "update" (existing contacts get the new attributes) or "keep" (they stay as they are).', "invalid_on_conflict", "onConflict");
}

/**
 * Takes an upload (streamed to disk, never held whole in memory), checks that it is a CSV with an
 * address column, and either starts importing it or, with `preview`, waits for a column mapping.
 */
export async function receiveImport(
  deps: Deps,
  scope: Scope,
  listId: string,
  request: Request,
): Promise<{ importId: string; status: string; fileName: string | null; preview?: Preview }> {
  const list = await findList(deps.db, scope.workspaceId, listId);
  if (!list) throw new NotFound("There is no such list.");
  const dir = importsDir(deps);
  await mkdir(dir, { recursive: true });
  const id = newId("imp");
  const path = join(dir, `${id}.csv`);
  const upload = await saveUpload(request, `${path}.part`, UPLOAD_MAX_BYTES);
  let options: ImportOptions;
  let preview: Preview;
  try {
    options = {
      preview: ["1", "true", "on"].includes(upload.fields.preview ?? ""),
      email: upload.fields.email,
      skip: upload.fields.skip ? upload.fields.skip.split(",").map((s) => s.trim()) : [],
      onConflict: parseOnConflict(upload.fields.onConflict),
    };
    preview = sniff(await readStart(upload.path, SNIFF_BYTES), upload.size <= SNIFF_BYTES);
    await rename(upload.path, path);
  } catch (err) {
    await rm(upload.path, { force: true });
    throw err;
  }
  await insertImport(deps.db, {
    id,
    workspaceId: scope.workspaceId,
    listId,
    fileName: upload.fileName?.slice(0, 200) ?? null,
    filePath: path,
    fileSize: upload.size,
    format: preview.format,
    createdBy: scope.userId,
    createdAt: deps.clock.now(),
  });
  if (options.preview) return { importId: id, status: "uploaded", fileName: upload.fileName, preview };
  try {
    await startImport(deps, scope, id, defaultMapping(preview, options.email, options.skip), options.onConflict);
  } catch (err) {
    // Nothing was imported: leave no half-made import behind.
    await deleteImport(deps.db, { workspaceId: scope.workspaceId, id });
    await rm(path, { force: true });
    throw err;
  }
  return { importId: id, status: "running", fileName: upload.fileName };
}

async function readStart(path: string, bytes: number): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export interface StartInput {
  /** An explicit mapping (JSON clients). */
  mapping?: ImportMapping;
  /** The mapping form's fields (use_<i>, key_<i>). */
  form?: Record<string, unknown>;
  /** Otherwise: the address column by name or index, and columns to leave out. */
  email?: string;
  skip?: string[];
  onConflict?: string;
}

/** Starts an uploaded import with whichever form of mapping the caller sent. */
export async function startImportWith(deps: Deps, scope: Scope, id: string, input: StartInput): Promise<void> {
  const row = await findImport(deps.db, scope.workspaceId, id);
  if (!row || !row.format) throw new NotFound("There is no such import.");
  const mapping =
    input.mapping ??
    (input.form ? mappingFromForm(input.form, row.format.columns) : null) ??
    defaultMapping({ format: row.format, rows: [], emailColumn: guessEmailColumn(row.format.columns, []) }, input.email, input.skip);
  await startImport(deps, scope, id, mapping, parseOnConflict(input.onConflict));
}

export async function startImport(deps: Deps, scope: Scope, id: string, mapping: ImportMapping, onConflict: OnConflict): Promise<void> {
  const row = await findImport(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such import.");
  if (row.status !== "uploaded") throw new Conflict("This import has already been started.", "import_started");
  const checked = checkMapping(row.format!.columns, mapping);
  let started: boolean;
  try {
    started = await markImportRunning(deps.db, scope.workspaceId, id, checked, onConflict, deps.clock.now());
  } catch {
    throw new Conflict("Another import into this list is still running; start this one when it has finished.", "import_running");
  }
  if (!started) throw new Conflict("This import has already been started.", "import_started");
  // The status is committed first: a job that ran before it would find nothing to do.
  await deps.jobs.enqueue("imports", { id, workspaceId: scope.workspaceId }, { jobId: `import-${id}` });
}

export async function importReport(deps: Deps, scope: Scope, id: string): Promise<ImportReport> {
  const row = await findImport(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such import.");
  const end = row.finishedAt ?? deps.clock.now();
  const seconds = row.startedAt ? Math.max((end.getTime() - row.startedAt.getTime()) / 1000, 0.001) : 0;
  const { bytesRead: _, ...counts } = importCounters(row);
  return {
    id: row.id,
    listId: row.listId,
    status: row.status,
    fileName: row.fileName,
    ...counts,
    progress: row.status === "done" ? 1 : row.fileSize > 0 ? Math.min(row.bytesRead / row.fileSize, 0.99) : 0,
    rowsPerSecond: seconds > 0 ? Math.round(row.total / seconds) : 0,
    failure: row.failure,
    columns: row.format?.columns ?? [],
  };
}

/** The invalid rows as CSV: every one of them, from the errors file the import wrote. */
export async function importErrorsCsv(deps: Deps, scope: Scope, id: string): Promise<{ fileName: string; body: string }> {
  const row = await findImport(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such import.");
  const file = Bun.file(`${row.filePath}.errors.csv`);
  const fileName = `${(row.fileName ?? "import").replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_")}-invalid-rows.csv`;
  if (await file.exists()) return { fileName, body: csvLine(["row", "reason"]) + (await file.text()) };
  return { fileName, body: csvLine(["row", "reason"]) + row.errors.map((e) => csvLine([e.row, e.reason])).join("") };
}

/** Decodes a byte stream in the file's encoding, dropping a UTF-8 byte order mark. */
export function decoder(encoding: string) {
  const text = new TextDecoder(encoding);
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let out = text.decode(chunk, { stream: true });
      if (first) {
        out = out.replace(/^\uFEFF/, "");
        first = false;
      }
      done(null, out);
    },
    flush(done) {
      done(null, text.decode());
    },
  });
}

/**
 * The import job: reads the file as a stream, writes contacts a batch per transaction, and keeps its
 * counters (and its cursor, `total`) in the same transaction, so a restart resumes after the last
 * committed row and the report always says exactly what was written.
 */
export async function runImport(deps: Deps, ref: ImportRef): Promise<void> {
  const { db, clock } = deps;
  const { id } = ref;
  const lease: ImportLease = { runner: newId("run"), until: new Date(clock.now().getTime() + IMPORT_LEASE_MS) };
  // Nothing to do when the import is not running, or when another run holds it.
  const row = await claimImport(db, ref, lease, clock.now());
  if (!row || !row.mapping || !row.format) return;
  const { mapping, format, workspaceId, listId, onConflict } = row;
  const filePath = row.filePath!;
  let counters: ImportCounters = importCounters(row);
  const seen = new Set<string>();
  // Sending checks the suppression list itself; here it only sets the status new contacts show, so a
  // workspace with no suppressions skips the lookup per batch.
  const checkSuppressions = await hasSuppressions(db, workspaceId);
  const errorsFile = `${filePath}.errors.csv`;
  let batches = 0;

  /** The row's address, or why the row cannot be imported. */
  function check(cells: string[]): { email: string; reason?: undefined } | { reason: string } {
    const email = cleanAddress(cells[mapping.email]);
    if (!email) return { reason: "No email address." };
    if (!isEmail(email)) return { reason: `"${email.slice(0, 80)}" is not a valid email address.` };
    const tooLong = mapping.attributes.find((a) => (cells[a.index] ?? "").length > CELL_MAX);
    if (tooLong) return { reason: `The value in column "${format.columns[tooLong.index]}" is longer than ${CELL_MAX.toLocaleString("en")} characters.` };
    return { email };
  }

  /**
   * Writes one batch in its own transaction. Its counts are kept apart and added to the totals only
   * once the batch before it has committed (`previous`), in the same transaction as the rows, so
   * batches commit in file order, a failure never reports rows that were not written, and a batch
   * whose predecessor failed rolls back too.
   */
  async function writeBatch(batch: { row: number; cells: string[] }[], position: number, previous: Promise<void>) {
    const errors: { row: number; reason: string }[] = [];
    const valid: { email: string; attributes: Record<string, string> }[] = [];
    const delta = { imported: 0, updated: 0, unchanged: 0, duplicates: 0, suppressed: 0 };
    // Runs before any await, so batches see each other's addresses in file order.
    for (const { row: number, cells } of batch) {
      const checked = check(cells);
      if (checked.reason !== undefined) errors.push({ row: number, reason: checked.reason });
      else if (seen.has(checked.email)) delta.duplicates++;
      else {
        seen.add(checked.email);
        const attributes: Record<string, string> = {};
        // A blank cell leaves an existing value alone rather than erasing it.
        for (const a of mapping.attributes) {
          const value = (cells[a.index] ?? "").trim();
          if (value !== "") attributes[a.key] = value;
        }
        valid.push({ email: checked.email, attributes });
      }
    }
    const now = clock.now();
    let next = counters;
    await transaction(db, async (tx) => {
      // Two writers that each wait for the other (one of them on this job's own ordering, which the
      // database cannot see) give up instead of hanging; the run then resumes one batch at a time.
      if (db.dialect === "postgres") await tx.rows(sql`set local lock_timeout = '5s'`);
      const emails = valid.map((v) => v.email);
      const existing = new Map((await findContactsByEmails(tx, workspaceId, emails)).map((c) => [c.email, c]));
      const suppressed = new Map(checkSuppressions ? (await findSuppressed(tx, workspaceId, emails)).map((s) => [s.email, s.reason]) : []);
      const writes: Parameters<typeof upsertContactsOnList>[2] = [];
      const kept: Parameters<typeof upsertContactsOnList>[3] = [];
      const looksNew = new Set<string>();
      for (const v of valid) {
        const old = existing.get(v.email);
        const reason = suppressed.get(v.email);
        if (reason) delta.suppressed++;
        if (!old) {
          writes.push({ email: v.email, attributes: v.attributes, status: reason ? STATUS_FOR_SUPPRESSION[reason] : "active" });
          looksNew.add(v.email);
          delta.imported++;
          continue;
        }
        const merged = { ...old.attributes, ...v.attributes };
        if (onConflict === "keep" || JSON.stringify(merged) === JSON.stringify(old.attributes)) {
          kept.push({ id: old.id, email: v.email });
          delta.unchanged++;
        } else {
          writes.push({ email: v.email, attributes: merged, status: old.status });
          delta.updated++;
        }
      }
      const outcome = await upsertContactsOnList(tx, { workspaceId, listId }, writes, kept, now, onConflict === "update");
      // Another import may have added (or a user deleted) an address since the lookup: count what happened.
      for (const w of outcome ? writes : []) {
        const guessed = looksNew.has(w.email) ? "imported" : "updated";
        const actual = outcome!.get(w.email) ?? "unchanged";
        if (guessed === actual) continue;
        delta[guessed]--;
        delta[actual]++;
      }
      await previous;
      const keep = errors.slice(0, ERRORS_KEPT - counters.errors.length);
      next = {
        total: counters.total + batch.length,
        bytesRead: position,
        imported: counters.imported + delta.imported,
        updated: counters.updated + delta.updated,
        unchanged: counters.unchanged + delta.unchanged,
        duplicates: counters.duplicates + delta.duplicates,
        invalid: counters.invalid + errors.length,
        suppressed: counters.suppressed + delta.suppressed,
        errors: keep.length ? [...counters.errors, ...keep] : counters.errors,
      };
      lease.until = new Date(now.getTime() + IMPORT_LEASE_MS);
      // The kept errors (up to a thousand) are rewritten only by a batch that adds to them.
      if (!(await saveImportProgress(tx, ref, next, keep.length > 0, lease))) throw new LeaseLost();
    });
    counters = next;
    if (errors.length) await appendFile(errorsFile, errors.map((e) => csvLine([e.row, e.reason])).join(""));
    batches++;
    // JavaScriptCore collects lazily; on a million-row import the garbage of parsed rows would
    // otherwise take RSS far past what the import needs.
    if (batches % 32 === 0) Bun.gc(true);
    // After batches 1, 4, 16, 64, 256…: each time the table has grown several-fold.
    if ((batches & (batches - 1)) === 0 && Math.log2(batches) % 2 === 0) await refreshContactStats(db);
  }

  /**
   * One read of the file from its start, writing the rows after the committed cursor with up to
   * `parallel` batches in flight. On PostgreSQL a second transaction writes its rows on the
   * server's other core while the first commits, and parsing overlaps both; their commits stay in
   * file order (above). SQLite has one writer: a second transaction would only wait.
   */
  async function pass(parallel: number) {
    const cursor = counters.total;
    seen.clear();
    const inFlight: Promise<void>[] = [];
    const source = createReadStream(filePath, { highWaterMark: 1024 * 1024 });
    let bytesRead = 0;
    let unreadable: Error | null = null;
    source.on("data", (chunk) => (bytesRead += chunk.length));
    let header = true;
    // `line` numbers rows as a spreadsheet shows them (blank ones included), for the report;
    // `record` counts the rows with content, up to the cursor.
    let line = 0;
    let record = 0;
    let batch: { row: number; cells: string[] }[] = [];
    // A failed batch surfaces when a later one waits for room.
    const write = async (rows: typeof batch) => {
      if (inFlight.length >= parallel) await inFlight.shift();
      const started = writeBatch(rows, bytesRead, inFlight.at(-1) ?? Promise.resolve());
      started.catch(() => {});
      inFlight.push(started);
    };
    const take = async (rows: string[][]) => {
      for (const cells of rows) {
        line++;
        if (cells.every((cell) => cell.trim() === "")) continue;
        if (header) {
          header = false;
          continue;
        }
        record++;
        if (record <= cursor) {
          // Committed by an earlier pass or run; its address still makes later repeats duplicates.
          const checked = check(cells);
          if (checked.reason === undefined) seen.add(checked.email);
          continue;
        }
        batch.push({ row: line, cells });
        if (batch.length >= IMPORT_BATCH) {
          await write(batch);
          batch = [];
        }
      }
    };
    try {
      // The parser is paused while a chunk's rows wait for room: the file streams through at the
      // pace of the database.
      await new Promise<void>((resolve, reject) => {
        let failure: unknown = null;
        // A file that cannot be read (gone, unreadable) fails the pass rather than leaving it waiting.
        source.once("error", (err) => {
          unreadable = err;
          reject(err);
        });
        Papa.parse(source.pipe(decoder(format.encoding)) as unknown as File, {
          delimiter: format.delimiter,
          chunk: (results: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
            parser.pause();
            take(results.data).then(
              () => parser.resume(),
              (err) => {
                // abort() calls complete(), which then rejects with this.
                failure = err;
                parser.abort();
              },
            );
          },
          complete: () => (failure ? reject(failure) : resolve()),
          error: (err: Error) => reject(err),
        });
      });
      if (unreadable) throw unreadable;
      if (batch.length) await write(batch);
      // In order, each left in the list until settled, so a failure still leaves the rest to the finally.
      while (inFlight.length) {
        await inFlight[0];
        inFlight.shift();
      }
    } finally {
      // Batches still in flight settle (commit or roll back) first, so what follows sees every
      // commit and no transaction of this pass is left holding locks.
      await Promise.allSettled(inFlight);
      source.destroy();
    }
  }

  let outcome: "done" | "failed" | "taken" = "done";
  try {
    for (let attempt = 1; ; attempt++) {
      const before = counters.total;
      try {
        await pass(attempt === 1 && db.dialect === "postgres" ? 2 : 1);
        break;
      } catch (err) {
        // A pass that got further earns fresh attempts: only a run stuck at one place gives up.
        if (counters.total > before) attempt = 1;
        if (!isLockConflict(err) || attempt >= 3) throw err;
        deps.log.warn("import met another writer's locks; resuming from its last committed row", { importId: id, rows: counters.total, attempt });
        await Bun.sleep(100 + Math.random() * 900);
      }
    }
  } catch (err) {
    if (err instanceof LeaseLost) outcome = "taken";
    else {
      outcome = "failed";
      deps.log.error("import failed", { importId: id, error: describeForLog(err) });
    }
  }
  if (outcome === "done" && (await finishImport(db, ref, "done", null, clock.now(), lease))) {
    deps.log.info("import finished", { importId: id, rows: counters.total, imported: counters.imported, invalid: counters.invalid });
    await rm(filePath, { force: true }).catch(() => {});
    return;
  }
  if (outcome === "failed") {
    const failure = `The import stopped after ${counters.total.toLocaleString("en")} rows; those rows were imported as reported. Upload the file again to import the rest.`;
    if (await finishImport(db, ref, "failed", failure, clock.now(), lease)) return;
  }
  // The import is another run's now (its lease had lapsed): that run finishes it, from this file.
  deps.log.warn("import taken over by another run", { importId: id, rows: counters.total });
}

/** PostgreSQL gave up waiting for a lock (lock_timeout) or broke a deadlock: the transaction can simply run again. */
function isLockConflict(err: unknown): boolean {
  for (let e = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === "55P03" || code === "40P01") return true;
  }
  return false;
}

/** A run found, on committing a batch, that another run had taken its import over (its lease had lapsed). */
class LeaseLost extends Error {}

/**
 * Queues again the imports left "running" by a run that died (a crash, a lost job): at once when
 * their lease has lapsed or was never taken, otherwise just after it lapses. A run that is still
 * alive keeps its lease, so the extra job finds nothing to do.
 */
export async function recoverImports(deps: Deps): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const running of await runningImports(deps.db)) {
    const delayMs = running.leaseUntil ? Math.max(0, running.leaseUntil.getTime() - now + 1000) : 0;
    await deps.jobs.enqueue("imports", { id: running.id, workspaceId: running.workspaceId }, { jobId: `import-${running.id}-recover-${now}`, delayMs });
  }
}

/** Housekeeping: removes upload files nothing will read again (failed imports, abandoned previews). */
export async function sweepUploads(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  for (const upload of await staleUploads(deps.db, new Date(now.getTime() - 24 * 3600_000))) {
    await rm(upload.filePath!, { force: true });
    await forgetUpload(deps.db, upload.id, upload.status === "uploaded", now);
  }
}
