import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as pg from "../../src/db/schema.postgres";
import * as sqlite from "../../src/db/schema.sqlite";
import { migrate } from "../../src/db/migrate";
import { createTestDatabase, dialect, type TestDatabase } from "../support/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

function declaredColumns(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (dialect === "postgres") {
    for (const table of Object.values(pg)) {
      if (!(table instanceof PgTable)) continue;
      const c = pgTableConfig(table);
      out[c.name] = c.columns.map((col) => col.name).sort();
    }
  } else {
    for (const table of Object.values(sqlite)) {
      if (!(table instanceof SQLiteTable)) continue;
      const c = sqliteTableConfig(table);
      out[c.name] = c.columns.map((col) => col.name).sort();
    }
  }
  return out;
}

async function actualColumns(): Promise<Record<string, string[]>> {
  const rows =
    dialect === "postgres"
      ? await t.db.rows<{ table_name: string; column_name: string }>(
          sql`select table_name, column_name from information_schema.columns where table_schema = 'public'`,
        )
      : await t.db.rows<{ table_name: string; column_name: string }>(
          sql`select m.name as table_name, p.name as column_name from sqlite_master m join pragma_table_info(m.name) p
              where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '__drizzle%'`,
        );
  const out: Record<string, string[]> = {};
  for (const row of rows) (out[row.table_name] ??= []).push(row.column_name);
  for (const key of Object.keys(out)) out[key]!.sort();
  return out;
}

describe(`migrations (${dialect})`, () => {
  test("the committed migrations build exactly the tables and columns the schema declares", async () => {
    expect(await actualColumns()).toEqual(declaredColumns());
  });

  test("applying the migrations again at the next boot changes nothing", async () => {
    const before = await actualColumns();
    await migrate(t.db);
    expect(await actualColumns()).toEqual(before);
  });
});
