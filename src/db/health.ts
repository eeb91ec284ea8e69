import type { Database } from "./client";

export type StorageProblem = "full" | "read_only" | "unreachable";

/** What each problem means for the person who met it, and what to do. */
export const STORAGE_PROBLEM_TEXT: Record<StorageProblem, string> = {
  full: "The server's disk is full, so nothing can be saved right now. Nothing was changed; try again once its administrator has freed disk space.",
  read_only:
    "The database is read-only right now, so nothing can be saved. Nothing was changed; ask the server's administrator to check the database's file permissions, disk or server.",
  unreachable: "The database cannot be reached right now. Nothing was changed; try again in a moment.",
};

const SQLITE: Record<string, StorageProblem> = {
  SQLITE_FULL: "full",
  SQLITE_READONLY: "read_only",
  SQLITE_CANTOPEN: "read_only",
  SQLITE_IOERR: "read_only",
};

const POSTGRES: Record<string, StorageProblem> = {
  "53100": "full", // disk_full
  "25006": "read_only", // read_only_sql_transaction
  "57P01": "unreachable", // admin_shutdown
  "57P02": "unreachable", // crash_shutdown
  "57P03": "unreachable", // cannot_connect_now
  ECONNREFUSED: "unreachable",
  ECONNRESET: "unreachable",
  CONNECTION_CLOSED: "unreachable",
  CONNECT_TIMEOUT: "unreachable",
};

/** Whether an error (or one of its causes) says the database cannot store anything: a full disk, a read-only file or server, no server. */
export function storageProblem(error: unknown): StorageProblem | null {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string") {
      // SQLite's extended codes (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE…) start with their base code.
      const sqlite = Object.keys(SQLITE).find((base) => code === base || code.startsWith(`${base}_`));
      const found = sqlite ? SQLITE[sqlite] : POSTGRES[code];
      if (found) return found;
    }
    if (typeof message === "string") {
      if (/database or disk is full|No space left on device/i.test(message)) return "full";
      if (/readonly database|read-only/i.test(message)) return "read_only";
    }
  }
  return null;
}

/** Writes one row, so a database that answers reads but refuses writes (full, read-only) is found out. */
export async function probeWrites(db: Database, now: Date): Promise<StorageProblem | null> {
  try {
    await db.probeWrite(now.getTime());
    return null;
  } catch (err) {
    return storageProblem(err) ?? "unreachable";
  }
}
