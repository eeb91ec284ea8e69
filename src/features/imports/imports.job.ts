import { createReadStream } from "node:fs";
import { appendFile, rm } from "node:fs/promises";
import { Transform } from "node:stream";
import Papa from "papaparse";
import { sql, transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { csvLine } from "../../lib/csv";
import { isEmail } from "../../lib/email";
import { newId } from "../../lib/ids";
import { describeForLog, type LogFields } from "../../lib/log";
import { STATUS_FOR_SUPPRESSION } from "../contacts/model";
import { findContactsByEmails, refreshContactStats, upsertContactsOnList } from "../contacts/queries";
import { addListColumns, addListMembers, findList, workspaceColumnLabels } from "../lists/queries";
import { findSuppressed, hasSuppressions } from "../suppressions/queries";
import { CELL_MAX, cleanAddress, ERRORS_KEPT, IMPORT_BATCH, IMPORT_LEASE_MS, ROW_MAX_BYTES, RowTooLong, type ImportWorkerMessage, type ImportWorkerReply } from "./model";
import {
  claimImport,
  findImportStatus,
  finishImport,
  forgetUpload,
  importCounters,
  releaseImportLease,
  renewImportLease,
  runningImports,
  saveImportProgress,
  staleUploads,
  takeOverRunningImports,
  type ImportCounters,
  type ImportLease,
  type ImportRef,
} from "./queries";

/** What the import job needs: it runs in a worker thread with its own database connection. */
export type ImportDeps = Pick<Deps, "db" | "clock" | "log">;

export interface RunOptions {
  /** Aborted when the run must stop at once (the import was cancelled, the app is stopping). */
  signal?: AbortSignal;
  /** Told the run's id as soon as it holds the import, so whoever started it can release it if it dies. */
  onClaim?: (runner: string) => void;
  /** How long the run's lease lasts between renewals (tests shorten it). */
  leaseMs?: number;
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

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Passes the raw bytes through and fails with RowTooLong once one CSV row (quoted line breaks
 * included) passes `maxBytes`. papaparse re-scans an unfinished row on every chunk, so a file with
 * no line break, or an unclosed quote swallowing the rest of the file, would otherwise cost
 * quadratic time and memory before anything could notice.
 */
export function rowLimit(delimiter: string, maxBytes = ROW_MAX_BYTES) {
  const delim = delimiter.charCodeAt(0);
  // 0: at the start of a field, 1: in an unquoted field, 2: in a quoted field, 3: a quote inside a quoted field.
  let state = 0;
  let size = 0;
  let row = 1;
  let previous = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        size++;
        if (state === 2) {
          if (b === QUOTE) state = 3;
        } else if (b === LF || b === CR) {
          // CRLF ends one row, not two.
          if (!(b === LF && previous === CR)) row++;
          state = 0;
          size = 0;
        } else if (b === delim) {
          state = 0;
        } else if (b === QUOTE) {
          // Opens a quoted field, or (after a closing quote) is an escaped one; mid-field it is text.
          state = state === 1 ? 1 : 2;
        } else if (state === 3) {
          // `"a"b`: papaparse takes a closing quote followed by anything else as part of the quoted field.
          state = 2;
        } else if (state === 0) {
          state = 1;
        }
        previous = b;
        if (size > maxBytes) return done(new RowTooLong(row, maxBytes));
      }
      done(null, chunk);
    },
  });
}

/**
 * Runs `fn` after everything given to it before has settled. On SQLite every connection of this
 * thread shares it: a lease renewal started while a batch's transaction is open would wait
 * (synchronously, in the busy handler) for a lock only this same thread can release.
 */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

/**
 * The import job: reads the file as a stream, writes contacts a batch per transaction, and keeps its
 * counters (and its cursor, `total`) in the same transaction, so a restart resumes after the last
 * committed row and the report always says exactly what was written.
 */
export async function runImport(deps: ImportDeps, ref: ImportRef, options: RunOptions = {}): Promise<void> {
  const { db, clock } = deps;
  const { id } = ref;
  const leaseMs = options.leaseMs ?? IMPORT_LEASE_MS;
  const lease: ImportLease = { runner: newId("run"), until: new Date(clock.now().getTime() + leaseMs) };
  // Nothing to do when the import is not running, or when another run holds it.
  const row = await claimImport(db, ref, lease, clock.now());
  if (!row || !row.mapping || !row.format) return;
  options.onClaim?.(lease.runner);
  deps.log.info("import running", { importId: id, fromRow: row.total });
  const { mapping, format, workspaceId, listId, onConflict } = row;
  const filePath = row.filePath!;
  let counters: ImportCounters = importCounters(row);
  const seen = new Set<string>();
  // Sending checks the suppression list itself; here it only sets the status new contacts show, so a
  // workspace with no suppressions skips the lookup per batch.
  const checkSuppressions = await hasSuppressions(db, workspaceId);
  const errorsFile = `${filePath}.errors.csv`;
  // Contacts that were already in the workspace bring their other attributes to this list: its
  // columns (export header, template variables) must know them.
  const labels = await workspaceColumnLabels(db, workspaceId);
  const knownColumns = new Set([...((await findList(db, workspaceId, listId))?.columns ?? []).map((c) => c.key), ...mapping.attributes.map((a) => a.key)]);
  const exclusive = db.dialect === "sqlite" ? serialQueue() : <T,>(fn: () => Promise<T>) => fn();
  let batches = 0;
  let lastSaved = Date.now();
  /** Set when the run must stop: its lease was lost, the import was cancelled, or the caller aborted. */
  let stopped = null as Error | null;
  const stopWith = (err: Error) => {
    stopped ??= err;
    abortPass?.(err);
  };
  let abortPass: ((err: Error) => void) | null = null;
  options.signal?.addEventListener("abort", () => stopWith(new Stopped()), { once: true });
  // A stop that came while the import was being claimed fires no event.
  if (options.signal?.aborted) stopWith(new Stopped());

  // The lease is renewed with every committed batch, and by this timer when batches are slow to come
  // (another writer's locks, a slow disk), so no other run takes over an import that is still alive.
  const renewal = setInterval(() => {
    if (Date.now() - lastSaved < leaseMs / 6) return;
    void exclusive(async () => {
      lease.until = new Date(clock.now().getTime() + leaseMs);
      if (await renewImportLease(db, ref, lease)) lastSaved = Date.now();
      else stopWith(new LeaseLost());
    }).catch((err) => deps.log.warn("could not renew an import's lease", { importId: id, error: describeForLog(err) }));
  }, leaseMs / 6);

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
    const valid: { email: string; attributes: Record<string, string>; row: number }[] = [];
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
        valid.push({ email: checked.email, attributes, row: number });
      }
    }
    let next = counters;
    let broughtColumns: { key: string; label: string }[] = [];
    await exclusive(() =>
      transaction(db, async (tx) => {
        const now = clock.now();
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
            writes.push({ email: v.email, attributes: v.attributes, status: reason ? STATUS_FOR_SUPPRESSION[reason] : "active", row: v.row });
            looksNew.add(v.email);
            delta.imported++;
            continue;
          }
          const merged = { ...old.attributes, ...v.attributes };
          if (onConflict === "keep" || JSON.stringify(merged) === JSON.stringify(old.attributes)) {
            kept.push({ id: old.id, email: v.email, row: v.row });
            delta.unchanged++;
          } else {
            writes.push({ email: v.email, attributes: merged, status: old.status, row: v.row });
            delta.updated++;
          }
        }
        const brought = new Set<string>();
        for (const old of existing.values()) for (const key of Object.keys(old.attributes)) if (!knownColumns.has(key)) brought.add(key);
        broughtColumns = [...brought].map((key) => ({ key, label: labels.get(key) ?? key }));
        const { outcome, joined } = await upsertContactsOnList(tx, { workspaceId, listId }, writes, kept, now, onConflict === "update");
        // Another import may have added (or a user deleted) an address since the lookup: count what happened.
        for (const w of outcome ? writes : []) {
          const guessed = looksNew.has(w.email) ? "imported" : "updated";
          const actual = outcome!.get(w.email) ?? "unchanged";
          if (guessed === actual) continue;
          delta[guessed]--;
          delta[actual]++;
        }
        await previous;
        // After the batch before has committed: on PostgreSQL two batches in flight would otherwise queue on the list's row.
        await addListMembers(tx, workspaceId, listId, joined);
        await addListColumns(tx, workspaceId, listId, broughtColumns);
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
        lease.until = new Date(now.getTime() + leaseMs);
        // The kept errors (up to a thousand) are rewritten only by a batch that adds to them.
        if (!(await saveImportProgress(tx, ref, next, keep.length > 0, lease))) throw new LeaseLost();
      }),
    );
    counters = next;
    for (const c of broughtColumns) knownColumns.add(c.key);
    lastSaved = Date.now();
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
    source.on("data", (chunk) => (bytesRead += chunk.length));
    let header = true;
    // `line` numbers rows as a spreadsheet shows them (blank ones included), for the report;
    // `record` counts the rows with content, up to the cursor.
    let line = 0;
    let record = 0;
    let batch: { row: number; cells: string[] }[] = [];
    // A failed batch surfaces when a later one waits for room.
    const write = async (rows: typeof batch) => {
      // Left in the list until settled, so a pass that fails meanwhile still waits for it (finally, below).
      if (inFlight.length >= parallel) {
        await inFlight[0];
        inFlight.shift();
      }
      const started = writeBatch(rows, bytesRead, inFlight.at(-1) ?? Promise.resolve());
      started.catch(() => {});
      inFlight.push(started);
    };
    const take = async (rows: string[][]) => {
      for (const cells of rows) {
        if (stopped) throw stopped;
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
    const guard = rowLimit(format.delimiter);
    const text = decoder(format.encoding);
    try {
      // The parser is paused while a chunk's rows wait for room: the file streams through at the
      // pace of the database.
      await new Promise<void>((resolve, reject) => {
        let failure: unknown = null;
        let parser: Papa.Parser | null = null;
        const fail = (err: unknown) => {
          failure ??= err;
          // abort() calls complete(), which then rejects with the failure.
          if (parser) parser.abort();
          else reject(err);
        };
        abortPass = fail;
        // A file that cannot be read (gone, unreadable) or a row past the limit fails the pass
        // rather than leaving it waiting.
        source.once("error", fail);
        guard.once("error", fail);
        Papa.parse(source.pipe(guard).pipe(text) as unknown as File, {
          delimiter: format.delimiter,
          chunk: (results: Papa.ParseResult<string[]>, p: Papa.Parser) => {
            parser = p;
            p.pause();
            take(results.data).then(() => (failure ? p.abort() : p.resume()), fail);
          },
          complete: () => (failure ? reject(failure) : resolve()),
          error: (err: Error) => reject(err),
        });
      });
      if (stopped) throw stopped;
      if (batch.length) await write(batch);
      // In order, each left in the list until settled, so a failure still leaves the rest to the finally.
      while (inFlight.length) {
        await inFlight[0];
        inFlight.shift();
      }
    } finally {
      abortPass = null;
      // Batches still in flight settle (commit or roll back) first, so what follows sees every
      // commit and no transaction of this pass is left holding locks.
      await Promise.allSettled(inFlight);
      source.destroy();
      guard.destroy();
      text.destroy();
    }
  }

  let outcome: "done" | "failed" | "stopped" = "done";
  let failure: string | null = null;
  try {
    for (let attempt = 1; ; attempt++) {
      const before = counters.total;
      try {
        await pass(attempt === 1 && db.dialect === "postgres" ? 2 : 1);
        break;
      } catch (err) {
        // A pass that got further earns fresh attempts: only a run stuck at one place gives up.
        if (counters.total > before) attempt = 1;
        if (!isLockConflict(err) || attempt >= 3 || stopped) throw err;
        deps.log.warn("import met another writer's locks; resuming from its last committed row", { importId: id, rows: counters.total, attempt });
        await Bun.sleep(100 + Math.random() * 900);
      }
    }
  } catch (err) {
    if (err instanceof LeaseLost || err instanceof Stopped) outcome = "stopped";
    else {
      outcome = "failed";
      if (err instanceof RowTooLong) failure = `${err.message} The first ${counters.total.toLocaleString("en")} rows were imported as reported.`;
      deps.log.error("import failed", { importId: id, error: describeForLog(err) });
    }
  } finally {
    clearInterval(renewal);
  }
  if (outcome === "done" && (await finishImport(db, ref, "done", null, clock.now(), lease))) {
    deps.log.info("import finished", { importId: id, rows: counters.total, imported: counters.imported, invalid: counters.invalid });
    if (batches >= 16) await refreshContactStats(db);
    await rm(filePath, { force: true }).catch(() => {});
    return;
  }
  if (outcome === "failed") {
    failure ??= `The import stopped after ${counters.total.toLocaleString("en")} rows; those rows were imported as reported. Upload the file again to import the rest.`;
    if (await finishImport(db, ref, "failed", failure, clock.now(), lease)) return;
  }
  const status = await findImportStatus(db, ref);
  if (status === "cancelled") {
    deps.log.info("import cancelled", { importId: id, rows: counters.total });
    await rm(filePath, { force: true }).catch(() => {});
  } else if (stopped instanceof Stopped) {
    // Told to stop (the app is shutting down): the next run resumes at once from the last committed row.
    await releaseImportLease(db, ref, lease.runner);
    deps.log.info("import paused", { importId: id, rows: counters.total });
  } else {
    // The import is another run's now (its lease had lapsed): that run finishes it, from this file.
    deps.log.warn("import taken over by another run", { importId: id, rows: counters.total });
  }
}

/** PostgreSQL gave up waiting for a lock (lock_timeout) or broke a deadlock: the transaction can simply run again. */
function isLockConflict(err: unknown): boolean {
  for (let e = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === "55P03" || code === "40P01") return true;
  }
  return false;
}

/** A run found, on committing a batch or renewing, that it no longer holds its import: taken over or cancelled. */
class LeaseLost extends Error {}

/** The run was told to stop. */
class Stopped extends Error {}

/**
 * Queues again the imports left "running" by a run that died (a crash, a lost job): at once when
 * their lease has lapsed or was never taken, otherwise just after it lapses. A run that is still
 * alive keeps its lease, so the extra job finds nothing to do. `takeOver` (at boot, when this
 * process is the only one: the embedded queue) clears every lease first, since no run of an
 * earlier process can still be alive.
 */
export async function recoverImports(deps: Deps, options: { takeOver?: boolean } = {}): Promise<void> {
  if (options.takeOver) await takeOverRunningImports(deps.db);
  const now = deps.clock.now().getTime();
  for (const running of await runningImports(deps.db)) {
    const delayMs = running.leaseUntil ? Math.max(0, running.leaseUntil.getTime() - now + 1000) : 0;
    await deps.jobs.enqueue("imports", { id: running.id, workspaceId: running.workspaceId }, { jobId: `import-${running.id}-recover-${now}`, delayMs });
  }
}

/** Housekeeping: removes upload files nothing will read again (failed or cancelled imports, abandoned previews). */
export async function sweepUploads(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  for (const upload of await staleUploads(deps.db, new Date(now.getTime() - 24 * 3600_000))) {
    await rm(upload.filePath!, { force: true });
    await forgetUpload(deps.db, upload.id, upload.status === "uploaded", now);
  }
}

/** The worker threads running imports in this process, by import id, so a cancel or a shutdown can stop them. */
const workers = new Map<string, Worker>();

/**
 * The `imports` job: runs the import on a worker thread and settles when it has finished, stopped or
 * failed. A worker that dies without finishing lets go of the import's lease, so the job's retry
 * (or the next boot) takes it over at once.
 */
export function runImportInWorker(deps: Deps, ref: ImportRef): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL("./imports.worker.ts", import.meta.url).href);
    let runner: string | null = null;
    let settled = false;
    const settle = (error: string | null) => {
      if (settled) return;
      settled = true;
      if (workers.get(ref.id) === worker) workers.delete(ref.id);
      worker.terminate();
      if (error === null) return resolve();
      const failed = new Error(error);
      if (runner) void releaseImportLease(deps.db, ref, runner).then(() => reject(failed), () => reject(failed));
      else reject(failed);
    };
    worker.onmessage = (event: MessageEvent<ImportWorkerReply>) => {
      const message = event.data;
      if (message.type === "log") relayLog(deps, message.line);
      else if (message.type === "claimed") {
        // Only the run that holds the import is the one a cancel or a shutdown must reach.
        runner = message.runner;
        workers.set(ref.id, worker);
      }
      else if (message.type === "done") settle(null);
      else settle(message.error);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      deps.log.error("import worker crashed", { importId: ref.id, error: String(event.message).slice(0, 300) });
      settle("The import worker crashed.");
    };
    worker.addEventListener("close", () => settle("The import worker stopped before the import did."));
    const start: ImportWorkerMessage = { type: "run", databaseUrl: deps.config.databaseUrl, logLevel: deps.config.logLevel, ref };
    worker.postMessage(start);
  });
}

/** Asks this process's run of an import (if it has one) to stop now rather than at its next batch. */
export function stopImportRun(id: string): void {
  const stop: ImportWorkerMessage = { type: "stop" };
  workers.get(id)?.postMessage(stop);
}

/** At shutdown: every import pauses after its current batch and resumes at the next start. */
export function stopAllImportRuns(): void {
  for (const id of workers.keys()) stopImportRun(id);
}

/** A worker's log line, written through this process's logger. */
function relayLog(deps: Deps, line: string) {
  try {
    const { level, msg, time: _, ...fields } = JSON.parse(line) as { level: keyof Deps["log"]; msg: string; time: string } & LogFields;
    (deps.log[level] ?? deps.log.info)(msg, fields);
  } catch {
    deps.log.warn("unreadable log line from an import worker");
  }
}
