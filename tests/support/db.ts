import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";

/**
 * Which database the suite runs on: SQLite in a temporary file by default, PostgreSQL when
 * TEST_DATABASE_URL names a server (CI sets it to the local server's `test` database). Every test
 * file gets a fresh, migrated database of its own.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "";
export const dialect = TEST_DATABASE_URL.startsWith("postgres") ? "postgres" : "sqlite";

export interface TestDatabase {
  url: string;
  db: Database;
  dir: string;
  drop(): Promise<void>;
}

/** A new, empty PostgreSQL database on the server `adminUrl` names, and how to drop it. */
export async function createPostgresDatabase(adminUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const run = async (statement: string) => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(statement);
    await admin.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return { url: target.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "sesame-test-"));
  let url = `file:${join(dir, "sesame.db")}`;
  let dropDatabase = async () => {};
  if (dialect === "postgres") ({ url, drop: dropDatabase } = await createPostgresDatabase(TEST_DATABASE_URL, "sesame_t"));
  const db = await openDatabase(url);
  await migrate(db);
  return {
    url,
    db,
    dir,
    async drop() {
      await db.close();
      await dropDatabase();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
