import { join } from "node:path";
import { migrate as migrateLibsql } from "drizzle-orm/libsql/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./client";

const MIGRATIONS = join(import.meta.dir, "..", "..", "drizzle");

/** Applies the committed drizzle-kit migrations of the database's dialect; safe to run at every boot. */
export async function migrate(db: Database): Promise<void> {
  if (db.dialect === "sqlite") {
    await migrateLibsql(db.orm, { migrationsFolder: join(MIGRATIONS, "sqlite") });
  } else {
    await migratePostgres(db.orm as never, { migrationsFolder: join(MIGRATIONS, "postgres") });
  }
}
