import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { createTestDatabase, dialect, TEST_DATABASE_URL, type TestDatabase } from "../support/db";
import { signedUpClient, startServer } from "../support/server";

/**
 * The server in a mount namespace of its own, where DATA_DIR is a small tmpfs (a disk that fills up)
 * or a read-only bind mount: the machine's real disks are never touched. Needs root, as CI has.
 */
function isolated(setup: string): string[] {
  return ["unshare", "-m", "sh", "-c", `${setup} && exec "$0" "$@"`];
}

/** Fills the server's tmpfs through its own view of the file system, until no byte fits. */
function fill(pid: number, dataDir: string): string {
  const path = `/proc/${pid}/root${dataDir}/filler`;
  const fd = openSync(path, "w");
  const block = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fd);
  }
  return path;
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("a full disk", () => {
  test("uploads answer 507 and changes 503, each with a sentence; /healthz says so; the server stays up and recovers when space returns", async () => {
    const dataDir = join(database.dir, "small-disk");
    mkdirSync(dataDir, { recursive: true });
    const server = await startServer(
      { DATA_DIR: dataDir, DATABASE_URL: dialect === "sqlite" ? `file:${join(dataDir, "sesame.db")}` : database.url },
      { wrap: isolated(`mount -t tmpfs -o size=24m tmpfs ${dataDir}`) },
    );
    try {
      const call = await signedUpClient(server.url);
      const list = await (await call("POST", "/lists", { json: { name: "Before the disk filled" } })).json();
      const filler = fill(server.proc.pid, dataDir);
      const csv = `email,name\n${Array.from({ length: 60_000 }, (_, i) => `person${i}@example.com,Person ${i}`).join("\n")}\n`;
      const upload = await call("POST", `/lists/${list.id}/import`, { body: csv, headers: { "content-type": "text/csv" } });
      expect(upload.status).toBe(507);
      expect((await upload.json()).error).toContain("disk is full");
      if (dialect === "sqlite") {
        // SQLite lives on that disk too.
        const created = await call("POST", "/lists", { json: { name: "After the disk filled" } });
        expect(created.status).toBe(503);
        expect((await created.json()).code).toBe("database_full");
        let health: Response | null = null;
        for (let i = 0; i < 60; i++) {
          health = await fetch(`${server.url}/healthz`);
          if (health.status === 503) break;
          await Bun.sleep(250);
        }
        expect(health!.status).toBe(503);
        expect(await health!.json()).toMatchObject({ status: "unavailable", problem: "full" });
      }
      expect(server.proc.exitCode).toBeNull();
      rmSync(filler);
      const retried = await call("POST", `/lists/${list.id}/import`, { body: csv, headers: { "content-type": "text/csv" } });
      expect(retried.status).toBe(202);
      expect((await call("POST", "/lists", { json: { name: "After space came back" } })).status).toBe(201);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe("a database that cannot be written at start-up", () => {
  test("stops start-up with one line that says so and what to do", async () => {
    const dataDir = join(database.dir, "read-only");
    mkdirSync(dataDir, { recursive: true });
    let env: Record<string, string>;
    let wrap: string[] | undefined;
    if (dialect === "postgres") {
      const name = new URL(database.url).pathname.slice(1);
      const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
      await admin.end();
      env = { DATA_DIR: dataDir, DATABASE_URL: database.url };
    } else {
      // A database migrated by an earlier start, then the disk under it turned read-only.
      const first = await startServer({ DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, "sesame.db")}` });
      expect(await first.stop()).toBe(0);
      env = { DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, "sesame.db")}` };
      wrap = isolated(`mount --bind ${dataDir} ${dataDir} && mount -o remount,bind,ro ${dataDir}`);
    }
    const failed = await startServer(env, { wrap, expectExit: true });
    expect(failed.exitCode).toBe(1);
    const lines = failed.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Sesame cannot start: .*(cannot be written|DATA_DIR)/);
  }, 60_000);
});
