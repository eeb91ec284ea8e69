import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { Subprocess } from "bun";
import { openDatabase } from "../../src/db/client";
import { createPostgresDatabase, dialect, TEST_DATABASE_URL } from "../support/db";
import { freePort } from "../support/net";
import { startServer, signedUpClient, type ServerProcess } from "../support/server";
import { readSendLog, spawnSendFake, type SendFake } from "../support/ses-send-fake";

/**
 * Two app instances on one PostgreSQL and one bunqueue server (QUEUE_URL) send one campaign together:
 * both take recipients, the workspace's MaxSendRate holds across the two, and killing one with
 * SIGKILL mid-campaign loses and doubles nothing (its claims become unknown once its heartbeat stops).
 */

const RECIPIENTS = 2_000;
const RATE = 200;
const SECRET = "d".repeat(64);

const onPostgres = dialect === "postgres";
let fake: SendFake & { process: Subprocess };
let queue: Subprocess | null = null;
let dir: string;
let logFile: string;
const drops: (() => Promise<void>)[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  if (!onPostgres) return;
  dir = mkdtempSync(join(tmpdir(), "sesame-instances-"));
  logFile = join(dir, "ses.log");
  fake = await spawnSendFake({ logFile, account: { SendQuota: { MaxSendRate: RATE, Max24HourSend: 1_000_000, SentLast24Hours: 0 }, SendingEnabled: true, ProductionAccessEnabled: true } });
});
afterAll(async () => {
  if (!onPostgres) return;
  for (const server of servers) await server.stop("SIGKILL");
  queue?.kill("SIGKILL");
  await queue?.exited;
  await fake.stop();
  fake.process.kill();
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A bunqueue server persisting to its own PostgreSQL database, as the README starts it. */
async function startQueueServer(): Promise<string> {
  const { url, drop } = await createPostgresDatabase(TEST_DATABASE_URL, "sesame_queue");
  drops.push(drop);
  const tcp = freePort();
  const cli = join(import.meta.dir, "..", "..", "node_modules", "bunqueue", "dist", "cli", "index.js");
  queue = Bun.spawn([process.execPath, cli, "start", "--tcp-port", String(tcp), "--http-port", String(freePort()), "--host", "127.0.0.1"], {
    env: { ...process.env, BUNQUEUE_STORAGE_DRIVER: "postgres", BUNQUEUE_POSTGRES_URL: url },
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    const open = await Bun.connect({ hostname: "127.0.0.1", port: tcp, socket: { data() {} } }).then((s) => (s.end(), true), () => false);
    if (open) break;
    await Bun.sleep(100);
  }
  return `tcp://127.0.0.1:${tcp}`;
}

test.skipIf(!onPostgres)(
  "two instances share a campaign at the workspace's rate, and one killed mid-campaign loses and doubles nothing",
  async () => {
    const { url: databaseUrl, drop } = await createPostgresDatabase(TEST_DATABASE_URL, "sesame_inst");
    drops.push(drop);
    const queueUrl = await startQueueServer();
    const common = { DATABASE_URL: databaseUrl, APP_SECRET: SECRET, SES_ENDPOINT: fake.url, QUEUE_URL: queueUrl, LOG_LEVEL: "info" };
    const a = await startServer({ ...common, DATA_DIR: join(dir, "a") });
    servers.push(a);
    const b = await startServer({ ...common, DATA_DIR: join(dir, "b") });
    servers.push(b);

    const call = await signedUpClient(a.url, "instances@example.com");
    expect((await call("POST", "/aws/connect", { json: { accessKeyId: "AKIAINSTANCES0000001", secretAccessKey: "instances-secret-access-key-00000000000", region: "us-east-1", save: true } })).status).toBe(200);
    const list = await (await call("POST", "/lists", { json: { name: "Everyone" } })).json();
    const csv = "email\n" + Array.from({ length: RECIPIENTS }, (_, i) => `inst-${i}@example.com`).join("\n") + "\n";
    const importId = (await (await call("POST", `/lists/${list.id}/import`, { body: csv, headers: { "content-type": "text/csv" } })).json()).importId;
    for (let i = 0; i < 200 && (await (await call("GET", `/imports/${importId}`)).json()).status === "running"; i++) await Bun.sleep(100);
    const campaign = await (await call("POST", "/campaigns", { json: { name: "Together", from: "news@example.com", listIds: [list.id], subject: "Hi", html: '<p><a href="{{site|https://example.com}}">Hello</a></p>' } })).json();
    expect((await call("POST", `/campaigns/${campaign.id}/launch`)).status).toBe(202);

    // Once both are sending, kill one of them without warning.
    const watch = await openDatabase(databaseUrl, { poolSize: 1 });
    for (let i = 0; i < 100; i++) {
      const [row] = await watch.rows<{ n: number }>(sql`select count(distinct claimed_by) as n from recipients where campaign_id = ${campaign.id} and status = 'sent'`);
      if (Number(row?.n) >= 2) break;
      await Bun.sleep(100);
    }
    await watch.close();
    await Bun.sleep(500);
    await b.stop("SIGKILL");
    let final;
    for (let i = 0; i < 900; i++) {
      final = await (await call("GET", `/campaigns/${campaign.id}`)).json();
      if (final.status === "sent") break;
      await Bun.sleep(100);
    }
    expect(final.status).toBe("sent");

    const db = await openDatabase(databaseUrl, { poolSize: 1 });
    const rows = await db.rows<{ email: string; status: string; message_id: string | null; claimed_by: string | null }>(
      sql`select email, status, message_id, claimed_by from recipients where campaign_id = ${campaign.id}`,
    );
    await db.close();
    const mails = new Map<string, string[]>();
    for (const mail of readSendLog(logFile)) for (const to of mail.to) mails.set(to, [...(mails.get(to) ?? []), mail.messageId]);

    expect(rows.length).toBe(RECIPIENTS);
    expect([...mails].filter(([, ids]) => ids.length > 1)).toEqual([]);
    for (const row of rows) {
      if (row.status === "sent") expect({ email: row.email, got: mails.get(row.email) }).toEqual({ email: row.email, got: [row.message_id!] });
      else expect({ email: row.email, status: row.status }).toEqual({ email: row.email, status: "unknown" });
    }
    const runners = new Set(rows.filter((r) => r.status === "sent").map((r) => r.claimed_by));
    if (runners.size !== 2) process.stderr.write(`instance B said:\n${b.output().slice(-4000)}\n`);
    expect(runners.size).toBe(2);
    // The workspace's rate held across both: no second of arrivals at the fake holds more than MaxSendRate.
    expect(await fake.maxInWindow(1000)).toBeLessThanOrEqual(RATE);
    const unknown = rows.filter((r) => r.status === "unknown").length;
    process.stdout.write(`two instances: ${rows.length - unknown} sent, ${unknown} unknown, busiest second ${await fake.maxInWindow(1000)} of ${RATE}\n`);
  },
  180_000,
);
