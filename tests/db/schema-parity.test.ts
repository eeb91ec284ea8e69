import { describe, expect, test } from "bun:test";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as pg from "../../src/db/schema.postgres";
import * as sqlite from "../../src/db/schema.sqlite";

type Shape = Record<string, { columns: Record<string, { notNull: boolean; primary: boolean }>; indexes: string[] }>;

function sqliteShape(): Shape {
  const shape: Shape = {};
  for (const table of Object.values(sqlite)) {
    if (!(table instanceof SQLiteTable)) continue;
    const config = sqliteTableConfig(table);
    shape[config.name] = {
      columns: Object.fromEntries(config.columns.map((c) => [c.name, { notNull: c.notNull, primary: c.primary }])),
      indexes: config.indexes.map((i) => i.config.name).sort(),
    };
  }
  return shape;
}

function pgShape(): Shape {
  const shape: Shape = {};
  for (const table of Object.values(pg)) {
    if (!(table instanceof PgTable)) continue;
    const config = pgTableConfig(table);
    shape[config.name] = {
      columns: Object.fromEntries(config.columns.map((c) => [c.name, { notNull: c.notNull, primary: c.primary }])),
      indexes: config.indexes.map((i) => i.config.name!).sort(),
    };
  }
  return shape;
}

describe("schema parity", () => {
  test("SQLite and PostgreSQL schemas have the same tables, columns, nullability and indexes", () => {
    expect(pgShape()).toEqual(sqliteShape());
  });

  test("the schema covers the whole product", () => {
    expect(Object.keys(sqliteShape()).sort()).toEqual(
      [
        "api_keys",
        "audit_log",
        "auth_failures",
        "aws_account_samples",
        "aws_credentials",
        "campaign_stats",
        "campaigns",
        "contacts",
        "events",
        "imports",
        "instance_health",
        "invites",
        "list_contacts",
        "lists",
        "memberships",
        "instance_settings",
        "password_resets",
        "rate_counters",
        "recipients",
        "runners",
        "send_pacing",
        "ses_identities",
        "sessions",
        "suppressions",
        "templates",
        "users",
        "workspaces",
      ].sort(),
    );
  });

  test("every domain table carries workspace_id", () => {
    const instanceWide = new Set(["users", "sessions", "auth_failures", "workspaces", "instance_health", "runners", "instance_settings", "password_resets", "rate_counters"]);
    for (const [name, table] of Object.entries(sqliteShape())) {
      if (instanceWide.has(name)) continue;
      expect({ name, hasWorkspace: "workspace_id" in table.columns }).toEqual({ name, hasWorkspace: true });
    }
  });
});
