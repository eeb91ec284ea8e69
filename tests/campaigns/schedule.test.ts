import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { createPostgresDatabase, dialect, TEST_DATABASE_URL } from "../support/db";
import { freePort } from "../support/net";
import { startServer, signedUpClient, type ServerProcess } from "../support/server";
import { spawnSendFake, type SendFake } from "../support/ses-send-fake";

/** Scheduled campaigns start on time across restarts, and one whose time passed while the server was down starts at boot. */

let fake: SendFake & { process: Subprocess };
let dir: string;
let env: Record<string, string>;
let dropDatabase = async () => {};
let server: ServerProcess;
let call: Awaited<ReturnType<typeof signedUpClient>>;
let listId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sesame-schedule-"));
  fake = await spawnSendFake();
  let databaseUrl = `file:${join(dir, "sesame.db")}`;
  if (dialect === "postgres") ({ url: databaseUrl, drop: dropDatabase } = await createPostgresDatabase(TEST_DATABASE_URL, "sesame_sched"));
  env = { PORT: String(freePort()), DATA_DIR: join(dir, "data"), DATABASE_URL: databaseUrl, APP_SECRET: "e".repeat(64), SES_ENDPOINT: fake.url, LOG_LEVEL: "warn" };
  server = await startServer(env);
  call = await signedUpClient(server.url, "scheduler@example.com");
  expect((await call("POST", "/aws/connect", { json: { accessKeyId: "AKIASCHEDULE00000001", secretAccessKey: "schedule-secret-access-key-000000000000", region: "us-east-1", save: true } })).status).toBe(200);
  listId = (await (await call("POST", "/lists", { json: { name: "Few" } })).json()).id;
  for (const email of ["s1@example.com", "s2@example.com", "s3@example.com"]) await call("POST", `/lists/${listId}/contacts`, { json: { email } });
});
afterAll(async () => {
  await server.stop("SIGKILL");
  await fake.stop();
  fake.process.kill();
  await dropDatabase();
  rmSync(dir, { recursive: true, force: true });
});

async function scheduled(name: string, inMs: number) {
  const at = new Date(Date.now() + inMs);
  const created = await (await call("POST", "/campaigns", { json: { name, from: "news@example.com", subject: name, html: "<p>Hello</p>", listIds: [listId], scheduledAt: at.toISOString() } })).json();
  const launched = await call("POST", `/campaigns/${created.id}/launch`);
  expect(launched.status).toBe(202);
  expect((await launched.json()).status).toBe("scheduled");
  return { id: created.id as string, at };
}

async function campaign(id: string) {
  return (await call("GET", `/campaigns/${id}`)).json();
}

async function untilSent(id: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await campaign(id);
    if (c.status === "sent" || Date.now() > end) return c;
    await Bun.sleep(100);
  }
}

test("a campaign whose time passed while the server was down starts at boot", async () => {
  const { id, at } = await scheduled("Missed", 1_500);
  await server.stop();
  await Bun.sleep(at.getTime() - Date.now() + 1_500);
  server = await startServer(env);
  const done = await untilSent(id);
  expect(done.status).toBe("sent");
  expect(done.counts.sent).toBe(3);
  expect(new Date(done.launchedAt).getTime()).toBeGreaterThanOrEqual(at.getTime());
});

test("a campaign scheduled before a crash starts on time after the restart, not before", async () => {
  const { id, at } = await scheduled("On time", 6_000);
  await server.stop("SIGKILL");
  server = await startServer(env);
  expect((await campaign(id)).status).toBe("scheduled");
  const done = await untilSent(id);
  expect(done.status).toBe("sent");
  const launchedAt = new Date(done.launchedAt).getTime();
  expect(launchedAt).toBeGreaterThanOrEqual(at.getTime());
  // The sender looks for due campaigns every two seconds.
  expect(launchedAt - at.getTime()).toBeLessThan(5_000);
});

test("a scheduled campaign can be moved, unscheduled or cancelled until it starts, and then sends nothing", async () => {
  const moved = await scheduled("Moved", 3_000);
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const patched = await (await call("PATCH", `/campaigns/${moved.id}`, { json: { scheduledAt: later } })).json();
  expect(patched.status).toBe("scheduled");
  expect(new Date(patched.scheduledAt).toISOString()).toBe(later);

  const unscheduled = await scheduled("Unscheduled", 3_000);
  expect((await (await call("PATCH", `/campaigns/${unscheduled.id}`, { json: { scheduledAt: null } })).json()).status).toBe("draft");

  const cancelled = await scheduled("Cancelled", 3_000);
  expect((await (await call("POST", `/campaigns/${cancelled.id}/cancel`)).json()).status).toBe("cancelled");

  await Bun.sleep(5_500);
  expect((await campaign(moved.id)).status).toBe("scheduled");
  expect((await campaign(unscheduled.id)).status).toBe("draft");
  expect((await campaign(cancelled.id)).status).toBe("cancelled");
  const subjects = new Set((await fake.received({ bodies: false })).map((m) => m.subject));
  expect([...subjects].filter((s) => ["Moved", "Unscheduled", "Cancelled"].includes(s))).toEqual([]);
}, 30_000);
