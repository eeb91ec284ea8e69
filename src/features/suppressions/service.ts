import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Transform } from "node:stream";
import Papa from "papaparse";
import { transaction, type Database } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { csvLine } from "../../lib/csv";
import { isEmail, normalizeEmail } from "../../lib/email";
import { Forbidden, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { STATUS_FOR_SUPPRESSION } from "../contacts/model";
import { setContactStatusByEmail, setContactsStatusByEmails } from "../contacts/queries";
import { cleanAddress, sniff } from "../imports/model";
import { decoder } from "../imports/imports.job";
import { importsDir } from "../imports/service";
import { saveUpload } from "../imports/upload";
import { SUPPRESSION_REASONS, type SuppressionReason } from "./model";
import { addSuppressions, deleteSuppression, findSuppressed, listSuppressionsPage, suppressionsAfter } from "./queries";

const PAGE_SIZE = 50;

export async function suppressionsPage(deps: Deps, scope: Scope, options: { q?: string; reason?: string; page?: number }) {
  const reason = SUPPRESSION_REASONS.includes(options.reason as SuppressionReason) ? (options.reason as SuppressionReason) : null;
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const result = await listSuppressionsPage(deps.db, scope.workspaceId, { q: (options.q ?? "").trim().slice(0, 200), reason, page, pageSize: PAGE_SIZE });
  return { ...result, page, pageSize: PAGE_SIZE };
}

/** Suppresses addresses by hand; each one's contact (if any) stops being mailable at once. */
export async function suppressManually(deps: Deps, scope: Scope, raw: string[]): Promise<{ added: number; already: number }> {
  const emails = [...new Set(raw.map(normalizeEmail).filter(Boolean))];
  const bad = emails.find((e) => !isEmail(e));
  if (bad !== undefined) throw new Invalid(`"${bad.slice(0, 80)}" is not a valid email address.`, "invalid_email", "email");
  if (emails.length === 0) throw new Invalid("Enter at least one email address.", "invalid_email", "email");
  return addManual(deps, scope, emails, "manual:form");
}

async function addManual(deps: Deps, scope: Scope, emails: string[], source: string) {
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    const existing = new Set((await findSuppressed(tx, scope.workspaceId, emails)).map((s) => s.email));
    const fresh = emails.filter((e) => !existing.has(e));
    await addSuppressions(tx, fresh.map((email) => ({ workspaceId: scope.workspaceId, email, reason: "manual" as const, source, createdAt: now })));
    await setContactsStatusByEmails(tx, scope.workspaceId, fresh, STATUS_FOR_SUPPRESSION.manual, now);
    return { added: fresh.length, already: emails.length - fresh.length };
  });
}

/** Only a workspace admin may make a suppressed address mailable again. */
export async function removeSuppression(deps: Deps, scope: Scope, id: number): Promise<void> {
  if (scope.role === "member") throw new Forbidden("Only a workspace admin or owner can remove an address from the suppression list.");
  await transaction(deps.db, async (tx) => {
    const removed = await deleteSuppression(tx, scope.workspaceId, id);
    if (!removed) throw new NotFound("That address is not on the suppression list.");
    await setContactStatusByEmail(tx, scope.workspaceId, removed.email, "active", deps.clock.now());
  });
}

/** Imports addresses to suppress from a CSV (the `email` column, or the first one), streamed from disk. */
export async function importSuppressions(deps: Deps, scope: Scope, request: Request): Promise<{ added: number; already: number; invalid: number }> {
  const dir = importsDir(deps);
  await mkdir(dir, { recursive: true });
  const upload = await saveUpload(request, join(dir, `${newId("sup")}.csv`), 100 * 1024 * 1024);
  try {
    const head = await Bun.file(upload.path).slice(0, 64 * 1024).bytes();
    const preview = sniff(head, upload.size <= 64 * 1024);
    const column = preview.emailColumn ?? 0;
    const totals = { added: 0, already: 0, invalid: 0 };
    let batch: string[] = [];
    const flush = async () => {
      const result = await addManual(deps, scope, [...new Set(batch)], "manual:import");
      totals.added += result.added;
      totals.already += result.already;
      batch = [];
    };
    const rows = createReadStream(upload.path).pipe(decoder(preview.format.encoding)).pipe(
      Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter: preview.format.delimiter, skipEmptyLines: "greedy" }) as unknown as Transform,
    );
    let header = true;
    for await (const cells of rows as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        continue;
      }
      const email = cleanAddress(cells[column]);
      if (!isEmail(email)) totals.invalid++;
      else batch.push(email);
      if (batch.length >= 1000) {
        await flush();
        // SQLite runs on this thread: let waiting requests in between two batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (batch.length) await flush();
    return totals;
  } finally {
    await rm(upload.path, { force: true });
  }
}

/** The whole list as CSV, page by page (read on an export worker thread: web/exports.ts). */
export async function* suppressionExportRows(db: Database, workspaceId: string): AsyncGenerator<string> {
  yield csvLine(["email", "reason", "source", "suppressed_at"]);
  let after = 0;
  for (;;) {
    const rows = await suppressionsAfter(db, workspaceId, after, 1000);
    if (rows.length === 0) return;
    yield rows.map((r) => csvLine([r.email, r.reason, r.source, r.createdAt.toISOString()])).join("");
    after = rows.at(-1)!.id;
  }
}

