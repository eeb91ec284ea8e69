import Papa from "papaparse";
import type { LogLevel } from "../../config";
import { Invalid } from "../../lib/errors";
import { attributeKey, RESERVED_ATTRIBUTES } from "../contacts/model";

export type ImportStatus = "uploaded" | "running" | "done" | "failed" | "cancelled";
export type OnConflict = "update" | "keep";

/** Rows written per transaction: big enough for multi-row statements to pay off, small enough to report progress often. */
export const IMPORT_BATCH = 1000;
/** How long a run of the import job holds its import without renewing before another run may take it (it renews every tenth of that). */
export const IMPORT_LEASE_MS = 60_000;
/** One CSV row (its quoted line breaks included) longer than this is a broken file, not data: the import stops there. */
export const ROW_MAX_BYTES = 1024 * 1024;

export class RowTooLong extends Error {
  constructor(
    readonly row: number,
    limit: number,
  ) {
    super(`Row ${row.toLocaleString("en")} is longer than ${Math.round(limit / 1024).toLocaleString("en")} KB, so the file is probably not a CSV, or a quote is never closed.`);
  }
}

/** A longer cell is almost certainly a broken file (an unclosed quote swallowing lines), not a value. */
export const CELL_MAX = 2000;
/** Invalid rows kept on the import row for the API; all of them go to the downloadable errors file. */
export const ERRORS_KEPT = 1000;
/** Largest upload accepted. */
export const UPLOAD_MAX_BYTES = 512 * 1024 * 1024;

export interface ImportFormat {
  encoding: string;
  delimiter: string;
  columns: string[];
}

export interface ImportMapping {
  email: number;
  attributes: { index: number; key: string }[];
}

export interface Preview {
  format: ImportFormat;
  rows: string[][];
  /** The column that looks like the address, or null when none does. */
  emailColumn: number | null;
}

/** What an import has written so far; `total` (data rows read) is also the cursor a restart resumes after. */
export interface ImportCounts {
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  invalid: number;
  suppressed: number;
  /** The first invalid rows (the errors file has all of them). */
  errors: { row: number; reason: string }[];
}

export interface ImportReport extends ImportCounts {
  id: string;
  listId: string;
  status: ImportStatus;
  fileName: string | null;
  /** 0..1, by bytes of the file read. */
  progress: number;
  rowsPerSecond: number;
  failure: string | null;
  columns: string[];
}

/**
 * Reads the start of an upload: refuses what is not a CSV (empty, a spreadsheet, binary, only a
 * header) with a sentence that says what to do, and returns how the file reads plus its first rows.
 */
export function sniff(sample: Uint8Array, wholeFile: boolean): Preview {
  if (sample.length === 0) throw new Invalid("The file is empty.", "empty_file", "file");
  if (sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) {
    throw new Invalid("This is an Excel workbook or another zip file, not a CSV. In Excel choose File → Save As → CSV UTF-8, and upload that.", "not_csv", "file");
  }
  if (sample[0] === 0xd0 && sample[1] === 0xcf) throw new Invalid("This is an old Excel (.xls) file, not a CSV. Save it as CSV UTF-8 and upload that.", "not_csv", "file");
  let control = 0;
  for (const byte of sample) if (byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)) control++;
  if (control > sample.length / 100) throw new Invalid("This file is not text, so it cannot be a CSV.", "not_csv", "file");

  let encoding = "utf-8";
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: !wholeFile });
  } catch {
    // Excel's plain "CSV" is Windows-1252, not UTF-8.
    encoding = "windows-1252";
    text = new TextDecoder("windows-1252").decode(sample);
  }
  text = text.replace(/^\uFEFF/, "");
  if (!wholeFile) text = text.slice(0, Math.max(text.lastIndexOf("\n"), 0));

  const parsed = Papa.parse<string[]>(text, { preview: 6, skipEmptyLines: "greedy", delimitersToGuess: [",", ";", "\t", "|"] });
  const [header, ...rows] = parsed.data;
  if (!header || header.every((cell) => cell.trim() === "")) throw new Invalid("The file has no header row.", "no_header", "file");
  if (rows.length === 0) throw new Invalid("The file has a header row but no data rows.", "no_rows", "file");
  const columns = header.map((cell, i) => cell.trim() || `column_${i + 1}`);
  return { format: { encoding, delimiter: parsed.meta.delimiter, columns }, rows, emailColumn: guessEmailColumn(columns, rows) };
}

export function guessEmailColumn(columns: string[], rows: string[][]): number | null {
  const byName = columns.findIndex((c) => /^e-?mail(\s*address)?$/i.test(c.trim()));
  if (byName >= 0) return byName;
  const byValue = columns.findIndex((_, i) => rows.filter((r) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test((r[i] ?? "").trim())).length > rows.length / 2);
  return byValue >= 0 ? byValue : null;
}

/**
 * The default mapping: the address column (by name, a `?email=` choice, or by its values) and every
 * other column as an attribute named after its header.
 */
export function defaultMapping(preview: Preview, emailChoice?: string, skip: string[] = []): ImportMapping {
  const { columns } = preview.format;
  let email = preview.emailColumn;
  if (emailChoice !== undefined && emailChoice !== "") {
    email = /^\d+$/.test(emailChoice) ? Number(emailChoice) : columns.findIndex((c) => c.toLowerCase() === emailChoice.toLowerCase());
    if (email < 0 || email >= columns.length) {
      throw new Invalid(`There is no column "${emailChoice}"; the columns are: ${columns.join(", ")}.`, "no_such_column", "email");
    }
  }
  if (email === null) {
    throw new Invalid(`No column holds email addresses (looked for a header named "email"). Choose one of: ${columns.join(", ")}.`, "no_email_column", "email");
  }
  const skipped = new Set(skip.map((s) => s.toLowerCase()));
  return checkMapping(columns, {
    email,
    attributes: columns.flatMap((c, index) => (index === email || skipped.has(c.toLowerCase()) ? [] : [{ index, key: attributeKey(c) }])),
  });
}

/** A mapping names an existing address column and distinct, usable attribute keys. */
export function checkMapping(columns: string[], mapping: ImportMapping): ImportMapping {
  if (!Number.isInteger(mapping.email) || mapping.email < 0 || mapping.email >= columns.length) {
    throw new Invalid("Choose the column that holds the email addresses.", "no_email_column", "email");
  }
  const seen = new Set<string>();
  const attributes = mapping.attributes
    .filter((a) => a.index !== mapping.email && a.index >= 0 && a.index < columns.length)
    .map((a) => ({ index: a.index, key: attributeKey(a.key) || `column_${a.index + 1}` }));
  for (const a of attributes) {
    if (RESERVED_ATTRIBUTES.has(a.key)) throw new Invalid(`"${a.key}" is reserved; skip that column or give it another name.`, "reserved_attribute", `attr_${a.index}`);
    if (seen.has(a.key)) throw new Invalid(`Two columns would both become "${a.key}"; rename or skip one.`, "duplicate_attribute", `attr_${a.index}`);
    seen.add(a.key);
  }
  return { email: mapping.email, attributes };
}

/** Cleans what people put in an address cell: spaces, mailto:, "Name <address>". */
export function cleanAddress(raw: string | undefined): string {
  let value = (raw ?? "").trim();
  // Checked before the regular expressions: a million plain addresses should not pay for them.
  if (value.includes("<")) {
    const angle = /<([^<>]+)>\s*$/.exec(value);
    if (angle) value = angle[1]!.trim();
  }
  if (value.length > 7 && (value[0] === "m" || value[0] === "M")) value = value.replace(/^mailto:/i, "").trim();
  return value.toLowerCase();
}

/** The mapping form sends use_<i> (email | attribute | skip) and key_<i> per column; null when it sent none. */
export function mappingFromForm(form: Record<string, unknown>, columns: string[]): ImportMapping | null {
  if (!columns.some((_, i) => `use_${i}` in form)) return null;
  const use = (i: number) => String(form[`use_${i}`] ?? "skip");
  const emails = columns.flatMap((_, i) => (use(i) === "email" ? [i] : []));
  if (emails.length !== 1) throw new Invalid("Mark exactly one column as the email address.", "no_email_column", "email");
  return {
    email: emails[0]!,
    attributes: columns.flatMap((_, i) => (use(i) === "attribute" ? [{ index: i, key: String(form[`key_${i}`] ?? "") }] : [])),
  };
}

/** What the main thread tells an import's worker thread, and what the worker answers. */
export type ImportWorkerMessage =
  | { type: "run"; databaseUrl: string; logLevel: LogLevel; ref: { workspaceId: string; id: string } }
  | { type: "stop" };

export type ImportWorkerReply =
  | { type: "log"; line: string }
  | { type: "claimed"; runner: string }
  | { type: "done" }
  | { type: "failed"; error: string };
