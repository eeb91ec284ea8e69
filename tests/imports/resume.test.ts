import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestDatabase, dialect, type TestDatabase } from "../support/db";
import { freePort } from "../support/net";
import { signedUpClient, startServer } from "../support/server";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

test("an import cut off by a crash carries on as soon as the server is back, and counts everyone once", async () => {
  const dataDir = join(database.dir, "data");
  const port = String(freePort());
  const env = { DATA_DIR: dataDir, DATABASE_URL: dialect === "sqlite" ? `file:${join(dataDir, "sesame.db")}` : database.url, PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}` };
  let server = await startServer(env);
  const call = await signedUpClient(server.url);
  const list = await (await call("POST", "/lists", { json: { name: "Crash" } })).json();
  const rows = 400_000;
  const csv = `email,n\n${Array.from({ length: rows }, (_, i) => `crash${i}@example.com,${i}`).join("\n")}\n`;
  const { importId } = await (await call("POST", `/lists/${list.id}/import`, { body: csv, headers: { "content-type": "text/csv" } })).json();
  let before = 0;
  for (let i = 0; i < 400 && before === 0; i++) {
    before = (await (await call("GET", `/imports/${importId}`)).json()).total;
    if (before === 0) await Bun.sleep(25);
  }
  expect(before).toBeGreaterThan(0);
  // The process dies mid-import: no shutdown, the import's lease still held.
  await server.stop("SIGKILL");
  const crashedAt = Date.now();
  server = await startServer(env);
  try {
    let report = { status: "running", total: 0, imported: 0 };
    while (report.status === "running" && Date.now() - crashedAt < 60_000) {
      await Bun.sleep(200);
      report = await (await call("GET", `/imports/${importId}`)).json();
    }
    // Resumed at boot: long before the next maintenance run (every 10 minutes) would have found it.
    expect(report).toMatchObject({ status: "done", total: rows, imported: rows });
    expect(Date.now() - crashedAt).toBeLessThan(60_000);
    expect((await (await call("GET", `/lists/${list.id}`)).json()).contacts).toBe(rows);
    for (let i = 0; i < 50 && !server.output().includes('"import finished"'); i++) await Bun.sleep(100);
    expect(server.output()).toContain('"import finished"');
  } finally {
    await server.stop();
  }
}, 120_000);
