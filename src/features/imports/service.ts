import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Deps, Scope } from "../../deps";
import { csvLine } from "../../lib/csv";
import { Conflict, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { addListColumns, findList } from "../lists/queries";
import { stopImportRun } from "./imports.job";
import { checkMapping, defaultMapping, guessEmailColumn, mappingFromForm, sniff, UPLOAD_MAX_BYTES, type ImportMapping, type ImportReport, type OnConflict, type Preview } from "./model";
import { cancelImportRow, deleteImport, findImport, findRunningImport, importCounters, insertImport, markImportRunning } from "./queries";
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
  // Refused before the upload is read: a second file would only wait for the first to finish.
  await refuseWhileRunning(deps, scope, listId);
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
    throw new Conflict("Another import into this list is still running; start this one when it has finished, or cancel that one.", "import_running");
  }
  if (!started) throw new Conflict("This import has already been started.", "import_started");
  const columns = row.format!.columns;
  await addListColumns(deps.db, scope.workspaceId, row.listId, checked.attributes.map((a) => ({ key: a.key, label: columns[a.index] ?? a.key })));
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

/** The invalid rows as CSV: every one of them, streamed from the errors file the import wrote. */
export async function importErrorsCsv(deps: Deps, scope: Scope, id: string): Promise<{ fileName: string; body: ReadableStream<Uint8Array> | string }> {
  const row = await findImport(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such import.");
  const file = Bun.file(`${row.filePath}.errors.csv`);
  const fileName = `${(row.fileName ?? "import").replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_")}-invalid-rows.csv`;
  const header = csvLine(["row", "reason"]);
  if (!(await file.exists())) return { fileName, body: header + row.errors.map((e) => csvLine([e.row, e.reason])).join("") };
  const rows = file.stream().getReader();
  let started = false;
  return {
    fileName,
    body: new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          return controller.enqueue(new TextEncoder().encode(header));
        }
        const { value, done } = await rows.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: () => rows.cancel(),
    }),
  };
}

/** Refuses a new import into a list that has one running, saying which and what to do. */
async function refuseWhileRunning(deps: Deps, scope: Scope, listId: string) {
  const running = await findRunningImport(deps.db, scope.workspaceId, listId);
  if (!running) return;
  const report = await importReport(deps, scope, running.id);
  throw new Conflict(
    `An import into this list is running (${Math.round(report.progress * 100)}% read, ${report.total.toLocaleString("en")} rows so far). Wait for it to finish, or cancel it, then import this file.`,
    "import_running",
  );
}

/** The import running into a list, for the list and import pages (null when none is). */
export async function runningImportReport(deps: Deps, scope: Scope, listId: string): Promise<ImportReport | null> {
  const running = await findRunningImport(deps.db, scope.workspaceId, listId);
  return running ? importReport(deps, scope, running.id) : null;
}

/**
 * Cancels an import: one waiting for its mapping is dropped, a running one stops at once (the
 * batch it was writing rolls back); the rows it had committed stay on the list.
 */
export async function cancelImport(deps: Deps, scope: Scope, id: string): Promise<ImportReport> {
  const before = await importReport(deps, scope, id);
  // No row count here: a batch may still commit between this read and the cancel; the report's counts are exact.
  const failure =
    before.status === "running" ? "Cancelled. The rows imported before that (counted below) stay on the list." : "Cancelled before it started; nothing was imported.";
  if (!(await cancelImportRow(deps.db, scope.workspaceId, id, failure, deps.clock.now()))) {
    throw new Conflict("This import has already ended; there is nothing to cancel.", "import_ended");
  }
  // This process's run stops now; a run on another instance stops at its next batch.
  stopImportRun(id);
  return importReport(deps, scope, id);
}

