import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { createApp } from "../../src/app";
import { openDatabase, sql } from "../../src/db/client";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { createTestDatabase, dialect, TEST_DATABASE_URL, type TestDatabase } from "../support/db";
import { startServer } from "../support/server";

describe("a failing query in the log", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test("names where it failed, never the query's parameters (session hashes, addresses) or the request's query string", async () => {
    const c = new Client(t.app);
    await c.signup("logged-failure@example.com");
    await c.post("/lists", { name: "Doomed" });
    // Every query on lists now fails, with its parameters in the driver's message.
    await t.deps.db.rows(dialect === "postgres" ? sql`drop table lists cascade` : sql`drop table lists`);
    const reply = await c.get("/lists?q=secret-query-value", { accept: "text/html" });
    expect(reply.status).toBe(500);
    const failures = t.logs.filter((l) => l.includes('"request failed"'));
    expect(failures.length).toBeGreaterThan(0);
    const workspaceId = (await c.get("/auth/me")).json.workspace.id as string;
    for (const line of failures) {
      const entry = JSON.parse(line);
      expect(entry.stack).toMatch(/at /);
      expect(line).not.toContain(workspaceId);
      expect(line).not.toContain("secret-query-value");
      expect(line).not.toContain("params");
    }
  });
});

/**
 * A database that answers reads but refuses every write, as a read-only file or server does: the
 * PostgreSQL database set read-only, or the SQLite file made immutable (even root cannot write it).
 */
async function readOnlyDatabase(database: TestDatabase) {
  if (dialect === "postgres") {
    const name = new URL(database.url).pathname.slice(1);
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await admin.end();
    return { db: await openDatabase(database.url), undo: async () => {} };
  }
  const file = database.url.slice("file:".length);
  expect(spawnSync("chattr", ["+i", file]).status).toBe(0);
  return { db: await openDatabase(database.url), undo: async () => void spawnSync("chattr", ["-i", file]) };
}

describe("a database that cannot be written", () => {
  let t: TestApp;
  let cookieClient: Client;
  beforeAll(async () => {
    t = await createTestApp();
    cookieClient = new Client(t.app);
    await cookieClient.signup("read-only@example.com");
  });
  afterAll(async () => {
    await t.close();
  });

  test("/healthz reports it, and a change answers 503 with a sentence rather than a 500", async () => {
    expect((await new Client(t.app).get("/healthz")).json).toEqual({ status: "ok", database: dialect });
    const { db, undo } = await readOnlyDatabase(t.database);
    try {
      const app = createApp({ ...t.deps, db });
      const health = await new Client(app).get("/healthz");
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ status: "unavailable", problem: "read_only" });
      expect(health.json.error).toContain("read-only");
      const c = new Client(app);
      c.cookies = cookieClient.cookies;
      const created = await c.post("/lists", { name: "Never stored" });
      expect(created.status).toBe(503);
      expect(created.json.code).toBe("database_read_only");
      expect(created.json.error).toContain("Nothing was changed");
      expect(created.headers.get("retry-after")).toBe("30");
    } finally {
      await db.close();
      await undo();
    }
  });
});

describe("the data folder", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  test("is private to the server's user: the folder 0700 and every file in it 0600, even ones an older version left readable", async () => {
    const dataDir = join(database.dir, "private");
    const dbUrl = dialect === "sqlite" ? `file:${join(dataDir, "sesame.db")}` : database.url;
    // What an earlier version left behind: a readable folder and a readable upload.
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dataDir, "imports"), { recursive: true, mode: 0o755 });
    writeFileSync(join(dataDir, "imports", "old-upload.csv"), "email\nold@example.com\n", { mode: 0o644 });
    const server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: dbUrl });
    try {
      const { signedUpClient } = await import("../support/server");
      const call = await signedUpClient(server.url);
      const list = await (await call("POST", "/lists", { json: { name: "Private" } })).json();
      const upload = await call("POST", `/lists/${list.id}/import?preview=1`, { body: "email,name\nann@example.com,Ann\n", headers: { "content-type": "text/csv" } });
      expect(upload.status).toBe(202);
      const modes: Record<string, string> = {};
      const walk = (dir: string) => {
        modes[dir.slice(dataDir.length) || "/"] = (statSync(dir).mode & 0o777).toString(8);
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else modes[path.slice(dataDir.length)] = (statSync(path).mode & 0o777).toString(8);
        }
      };
      walk(dataDir);
      // The database (SQLite), its WAL, the queue, the secret and the uploads are all there to check.
      expect(Object.keys(modes).some((p) => p.includes("queue"))).toBe(true);
      expect(Object.keys(modes).some((p) => p.includes("secret.key"))).toBe(true);
      expect(Object.keys(modes).filter((p) => p.startsWith("/imports/")).length).toBeGreaterThanOrEqual(2);
      if (dialect === "sqlite") expect(Object.keys(modes).some((p) => p.endsWith("sesame.db-wal"))).toBe(true);
      for (const [path, mode] of Object.entries(modes)) {
        const isDir = statSync(join(dataDir, path)).isDirectory();
        expect({ path, mode }).toEqual({ path, mode: isDir ? "700" : "600" });
      }
    } finally {
      await server.stop();
    }
  }, 30_000);
});
