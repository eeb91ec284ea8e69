import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { sql } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { clickUrl, openPixelUrl } from "../../src/features/tracking/links";
import { createPostgresDatabase, dialect, TEST_DATABASE_URL } from "../support/db";
import { freePort } from "../support/net";
import { signedUpClient, startServer, type ServerProcess } from "../support/server";
import { spawnSendFake, type SendFake } from "../support/ses-send-fake";

/** Hits the server answered are written before it stops: clicks held back for burst detection included. */

let fake: SendFake & { process: Subprocess };
let dir: string;
let env: Record<string, string>;
let databaseUrl: string;
let dropDatabase = async () => {};
let server: ServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sesame-track-stop-"));
  fake = await spawnSendFake();
  databaseUrl = `file:${join(dir, "sesame.db")}`;
  if (dialect === "postgres") ({ url: databaseUrl, drop: dropDatabase } = await createPostgresDatabase(TEST_DATABASE_URL, "sesame_trackstop"));
  env = { PORT: String(freePort()), DATA_DIR: join(dir, "data"), DATABASE_URL: databaseUrl, APP_SECRET: "f".repeat(64), SES_ENDPOINT: fake.url, LOG_LEVEL: "warn" };
  server = await startServer(env);
});
afterAll(async () => {
  await server.stop("SIGKILL");
  await fake.stop();
  fake.process.kill();
  await dropDatabase();
  rmSync(dir, { recursive: true, force: true });
});

test("a graceful stop right after a burst of opens and clicks loses none of them", async () => {
  const call = await signedUpClient(server.url, "stopper@example.com");
  expect((await call("POST", "/aws/connect", { json: { accessKeyId: "AKIATRACKSTOP0000001", secretAccessKey: "track-stop-secret-access-key-0000000000", region: "us-east-1", save: true } })).status).toBe(200);
  const emails = Array.from({ length: 40 }, (_, i) => `stop-${i}@example.com`);
  const sent = await (await call("POST", "/email/send", { json: { from: "news@example.com", to: emails, subject: "Hi", html: '<p><a href="https://example.com/x">x</a></p>' } })).json();
  const end = Date.now() + 20_000;
  while ((await (await call("GET", `/campaigns/${sent.campaignId}`)).json()).status !== "sent" && Date.now() < end) await Bun.sleep(100);

  const db = await openDatabase(databaseUrl);
  const rows = await db.rows<{ id: number; workspace_id: string }>(sql`select id, workspace_id from recipients where campaign_id = ${sent.campaignId}`);
  const config = loadConfig({ ...env, PUBLIC_URL: server.url });
  const now = new Date();
  const urls = rows.flatMap((r) => {
    const to = { workspaceId: r.workspace_id, campaignId: sent.campaignId, recipientId: Number(r.id) };
    return [openPixelUrl(config, to, now), openPixelUrl(config, to, now), clickUrl(config, to, "https://example.com/x", now)];
  });
  const answers = await Promise.all(urls.map((u) => fetch(u, { redirect: "manual" })));
  expect(answers.every((a) => a.status === 200 || a.status === 302)).toBe(true);
  // At once: the clicks are still held back (a second) when the stop begins.
  expect(await server.stop("SIGTERM")).toBe(0);
  const [stored] = await db.rows<{ n: number }>(sql`select count(*) as n from events where campaign_id = ${sent.campaignId} and type in ('open', 'click')`);
  expect(Number(stored!.n)).toBe(urls.length);
  await db.close();
});
