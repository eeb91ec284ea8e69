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

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "sesame-test-"));
  let url: string;
  let dropDatabase = async () => {};
  if (dialect === "postgres") {
    const name = `sesame_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(TEST_DATABASE_URL);
    target.pathname = `/${name}`;
    url = target.toString();
    dropDatabase = async () => {
      const again = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    };
  } else {
    url = `file:${join(dir, "sesame.db")}`;
  }
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
