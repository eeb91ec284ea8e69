import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createClient } from "@libsql/client";
import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import { drizzle as drizzleLibsql, type LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as sqliteTables from "./schema.sqlite";
import * as postgresTables from "./schema.postgres";

/**
 * One handle for either dialect. Queries are written once against the SQLite-typed tables; the
 * PostgreSQL tables have the same names, columns and JS types, so the same query builder calls run on
 * both (tests run the whole suite on both). Raw SQL that differs between dialects asks `dialect`.
 */
export type Tables = typeof sqliteTables;
export type Orm = LibSQLDatabase<Tables>;
export type Tx = Parameters<Parameters<Orm["transaction"]>[0]>[0];

export interface Database {
  dialect: "sqlite" | "postgres";
  orm: Orm;
  t: Tables;
  /** Rows of a raw query, as plain objects keyed by column name. */
  rows<T = Record<string, unknown>>(query: SQL, tx?: Tx | Orm): Promise<T[]>;
  ping(): Promise<void>;
  /**
   * Writes one row of instance_health, to learn whether the database accepts writes. Never waits for
   * another writer: on SQLite a lock held elsewhere means writes are going through, which is the
   * answer (and waiting would stall this thread, where requests are answered).
   */
  probeWrite(at: number): Promise<void>;
  close(): Promise<void>;
}

/** `poolSize`: PostgreSQL connections (a worker thread that runs one job needs only a few). */
export async function openDatabase(url: string, options: { poolSize?: number } = {}): Promise<Database> {
  return /^postgres(ql)?:/.test(url) ? openPostgres(url, options.poolSize ?? 10) : openSqlite(url);
}

async function openSqlite(url: string): Promise<Database> {
  if (url.startsWith("file:")) mkdirSync(dirname(url.slice("file:".length)), { recursive: true });
  // The pool opens several connections to one file; the busy timeout lets writers queue instead of failing.
  const client = createClient({ url, timeout: 10_000 });
  takeTurnsWriting(client);
  await client.execute("PRAGMA journal_mode = WAL");
  await client.execute("PRAGMA synchronous = NORMAL");
  const orm = drizzleLibsql(client, { schema: sqliteTables });
  let probe: ReturnType<typeof createClient> | null = null;
  return {
    dialect: "sqlite",
    orm,
    t: sqliteTables,
    rows: async <T,>(query: SQL, on: Tx | Orm = orm) => (await on.all(query)) as T[],
    ping: async () => {
      await client.execute("SELECT 1");
    },
    probeWrite: async (at) => {
      if (client.closed) throw new Error("The database connection is closed.");
      // A connection of its own that gives up at once on a lock: SQLITE_BUSY means another writer is at work.
      probe ??= createClient({ url, timeout: 0 });
      try {
        await probe.execute({ sql: "insert into instance_health (id, checked_at) values ('probe', ?) on conflict (id) do update set checked_at = excluded.checked_at", args: [at] });
      } catch (err) {
        if ((err as { code?: string }).code === "SQLITE_BUSY") return;
        throw err;
      }
    },
    close: async () => {
      probe?.close();
      client.close();
    },
  };
}

/** Longest a write waits for this process's open transaction before trying anyway (and meeting SQLite's own busy timeout). */
const TURN_WAIT_MS = 10_000;

/**
 * One writer at a time within this process. A transaction holds one of the client's connections and
 * the database's write lock across awaits; another connection's write meanwhile would wait for that
 * lock in SQLite's busy handler, which blocks this very thread, so the transaction could never
 * finish (two concurrent SNS posts stalled for the whole 10 s busy timeout). So transactions and
 * writes outside them queue here without blocking the thread; reads never wait (WAL lets them run
 * beside a writer).
 */
function takeTurnsWriting(client: ReturnType<typeof createClient>) {
  let held = false;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else held = false;
  };
  const waitTurn = (): Promise<() => void> => {
    if (!held) {
      held = true;
      return Promise.resolve(release);
    }
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        resolve(release);
      };
      // A write made by mistake through the client inside a transaction must not wait for ever:
      // it goes ahead without the turn (and meets SQLite's busy timeout, as before).
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(go), 1);
        resolve(() => {});
      }, TURN_WAIT_MS);
      queue.push(go);
    });
  };
  const isRead = (stmt: unknown) => /^\s*(select|pragma\s+\w+\s*$|explain)\b/i.test(typeof stmt === "string" ? stmt : ((stmt as { sql?: string })?.sql ?? ""));

  const execute = client.execute.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { execute: unknown }).execute = async (...args: unknown[]) => {
    if (isRead(args[0])) return execute(...args);
    const release = await waitTurn();
    try {
      return await execute(...args);
    } finally {
      release();
    }
  };
  for (const name of ["batch", "executeMultiple", "migrate"] as const) {
    const original = (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]?.bind(client);
    if (!original) continue;
    (client as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const release = await waitTurn();
      try {
        return await original(...args);
      } finally {
        release();
      }
    };
  }
  const transaction = client.transaction.bind(client);
  // `PRAGMA synchronous` belongs to a connection, and the client opens more connections as it needs
  // them, each at SQLite's default FULL (an fsync on every commit). A transaction that lands on such
  // a connection gives it back at once; NORMAL is set on it (the client hands the connection just
  // given back to the next call) and the transaction starts again there.
  const begin = async (...args: Parameters<typeof transaction>) => {
    for (let tries = 0; ; tries++) {
      const tx = await transaction(...args);
      const [row] = (await tx.execute("PRAGMA synchronous")).rows;
      if (Number(row?.[0]) === 1 || tries >= 2) return tx;
      await tx.rollback();
      await execute("PRAGMA synchronous = NORMAL");
    }
  };
  client.transaction = (async (...args: Parameters<typeof transaction>) => {
    const release = await waitTurn();
    let tx;
    try {
      tx = await begin(...args);
    } catch (err) {
      release();
      throw err;
    }
    let released = false;
    const once = () => {
      if (!released) release();
      released = true;
    };
    for (const end of ["commit", "rollback"] as const) {
      const original = tx[end].bind(tx);
      tx[end] = async () => {
        try {
          return await original();
        } finally {
          once();
        }
      };
    }
    const close = tx.close.bind(tx);
    tx.close = () => {
      close();
      once();
    };
    return tx;
  }) as typeof client.transaction;
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    // bigint columns hold epoch milliseconds and ids: both fit a JS number.
    types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
  });
  const orm = drizzlePostgres(client, { schema: postgresTables }) as unknown as Orm;
  return {
    dialect: "postgres",
    orm,
    t: postgresTables as unknown as Tables,
    rows: async <T,>(query: SQL, on: Tx | Orm = orm) =>
      [...((await (on as unknown as ReturnType<typeof drizzlePostgres>).execute(query)) as unknown as T[])],
    ping: async () => {
      await client`SELECT 1`;
    },
    probeWrite: async (at) => {
      await client`insert into instance_health (id, checked_at) values ('probe', ${at}) on conflict (id) do update set checked_at = excluded.checked_at`;
    },
    close: async () => client.end({ timeout: 5 }),
  };
}

export { sql };

/** Runs `work` in one transaction, handing it a Database whose queries all go through that transaction. */
export async function transaction<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.orm.transaction(async (tx) => work({ ...db, orm: tx as unknown as Orm, rows: (query, on = tx) => db.rows(query, on) }));
}

/**
 * `column IN (values)` with the values sent as one JSON parameter that the database unpacks.
 * Binding thousands of parameters instead costs several milliseconds per statement on both
 * databases (imports look up every 1,000 addresses this way).
 */
export function inJson(db: Database, column: AnyColumn, values: readonly string[]): SQL {
  const json = JSON.stringify(values);
  return db.dialect === "postgres"
    ? sql`${column} in (select jsonb_array_elements_text(${json}::jsonb))`
    : sql`${column} in (select value from json_each(${json}))`;
}

/**
 * Makes transactions that pass the same `name` run one after another from here to their end.
 * SQLite already does (its transactions take the write lock when they begin); PostgreSQL takes a
 * transaction-level advisory lock. For check-then-write rules no row lock can cover, such as
 * "the first account becomes admin" or "one active admin must remain".
 */
export async function serialize(tx: Database, name: string): Promise<void> {
  if (tx.dialect === "postgres") await tx.rows(sql`select pg_advisory_xact_lock(hashtext(${name}))`);
}

