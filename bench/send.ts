/**
 * The send pipeline. A 100,000-recipient campaign through the real server into a zero-latency local
 * SES fake (its own process) with pacing off (MaxSendRate 1,000,000), on each send path: mails/s from
 * launch to "sent" and the server's peak RSS while it sends (the import before is not counted), next to a bare `SESv2Client.send(SendEmail)` loop with
 * the same concurrency (32 in flight: 2 send loops × 16) against the same fake, measured in the same run.
 *
 * Then the pace: with MaxSendRate 50/s, the rate achieved over 60 s (from the first mail the fake
 * accepts) and the busiest one-second window, with one instance, and with two instances on
 * PostgreSQL sharing a bunqueue server.
 *
 *   bun bench/send.ts [recipients] [sqlite|postgres|both] [rate-seconds]   (recipients 0: the pace only)
 */
import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { createPostgresDatabase } from "../tests/support/db";
import { freePort } from "../tests/support/net";
import { startServer as startServerWithEnv } from "../tests/support/server";
import { spawnSendFake, type SendFake } from "../tests/support/ses-send-fake";
import { availableParallelism } from "node:os";
import { benchDialects, cpuSeconds, PG_URL, startServer } from "./support";

const RECIPIENTS = Number(process.argv[2] ?? 100_000);
const which = process.argv[3] ?? "both";
const RATE_SECONDS = Number(process.argv[4] ?? 60);
type SpawnedFake = SendFake & { process: Subprocess };
const IN_FLIGHT = 32;
const CORES = availableParallelism();
const KEYS = { accessKeyId: "AKIABENCHSEND0000001", secretAccessKey: "bench-send-secret-access-key-000000000", region: "us-east-1", save: true };
const UNPACED = { SendQuota: { MaxSendRate: 1_000_000, Max24HourSend: 100_000_000, SentLast24Hours: 0 }, SendingEnabled: true, ProductionAccessEnabled: true };
const HTML = '<h1>News for {{name|you}}</h1><p>Hello {{name|there}} from {{company|your company}}. ' + "Here is what happened this month. ".repeat(30) + '</p><p><a href="https://example.com/read?id=1">Read more</a> · <a href="https://example.com/shop">Shop</a></p>';
/** Keeps a campaign on SendEmail: a link whose whole address is a variable is checked per recipient. */
const ONE_BY_ONE_HTML = HTML + '<p><a href="{{site|https://example.com/you}}">Your page</a></p>';

type Call = (method: string, path: string, init?: { json?: unknown; body?: string; headers?: Record<string, string> }) => Promise<Response>;

function client(base: string, cookie = ""): Call {
  let cookies = cookie;
  return async (method, path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    headers.set("accept", "application/json");
    if (cookies) headers.set("cookie", cookies);
    const reply = await fetch(`${base}${path}`, { method, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
    const set = reply.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    if (set) cookies = set;
    return reply;
  };
}

async function signUp(base: string, email = "bench-send@example.com"): Promise<Call> {
  const call = client(base);
  const reply = await call("POST", "/auth/signup", { json: { email, password: "bench password 1" } });
  if (reply.status !== 201) throw new Error(`signup: ${reply.status} ${await reply.text()}`);
  const connected = await call("POST", "/aws/connect", { json: KEYS });
  if (connected.status !== 200) throw new Error(`connect: ${connected.status} ${await connected.text()}`);
  return call;
}

async function importList(call: Call, n: number, prefix: string): Promise<string> {
  const list = await (await call("POST", "/lists", { json: { name: `${prefix} ${n}` } })).json();
  let csv = "email,name,company\n";
  for (let i = 0; i < n; i++) csv += `${prefix}${i}@example${i % 13}.com,Name ${i},Company ${i % 500}\n`;
  const { importId } = await (await call("POST", `/lists/${list.id}/import`, { body: csv, headers: { "content-type": "text/csv" } })).json();
  for (;;) {
    const report = await (await call("GET", `/imports/${importId}`)).json();
    if (report.status !== "running") break;
    await Bun.sleep(200);
  }
  return list.id;
}

async function launch(call: Call, listId: string, html: string, name: string): Promise<string> {
  const campaign = await (await call("POST", "/campaigns", { json: { name, from: "news@example.com", subject: "News for {{name|you}}", html, listIds: [listId] } })).json();
  const launched = await call("POST", `/campaigns/${campaign.id}/launch`);
  if (launched.status !== 202) throw new Error(`launch: ${launched.status} ${await launched.text()}`);
  return campaign.id;
}

async function untilSent(call: Call, id: string): Promise<any> {
  for (;;) {
    const c = await (await call("GET", `/campaigns/${id}`)).json();
    if (c.status !== "running") return c;
    await Bun.sleep(1000);
  }
}

/** The baseline: the SDK alone, the same message, the same number in flight, into the same fake. */
async function bareLoop(fake: SpawnedFake, total: number): Promise<number> {
  const ses = new SESv2Client({ region: "us-east-1", endpoint: fake.url, credentials: KEYS, maxAttempts: 1 });
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const fakeBefore = cpuSeconds(fake.process.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        const i = next++;
        await ses.send(
          new SendEmailCommand({
            FromEmailAddress: "news@example.com",
            Destination: { ToAddresses: [`bare${i}@example.com`] },
            Content: { Simple: { Subject: { Data: "News" }, Body: { Html: { Data: HTML }, Text: { Data: "News" } }, Headers: [{ Name: "List-Unsubscribe", Value: "<https://x/u>" }] } },
            EmailTags: [{ Name: "campaign", Value: "bare" }],
          }),
        );
      }
    }),
  );
  ses.destroy();
  const rate = total / ((performance.now() - started) / 1000);
  const used = process.cpuUsage(cpuBefore);
  bareCpuPerSend = ((used.user + used.system) / 1e6 + cpuSeconds(fake.process.pid) - fakeBefore) / total;
  return rate;
}

/** CPU seconds per send of the bare loop (this process and the fake): its own ceiling on this machine. */
let bareCpuPerSend = 0;

async function throughput(dialect: "sqlite" | "postgres", fake: SpawnedFake) {
  const rows: string[] = [];
  for (const [path, html] of [
    ["SendEmail (one call per mail)", ONE_BY_ONE_HTML],
    ["SendBulkEmail (50 per call)", HTML],
  ] as const) {
    await fake.reset();
    await fake.setAccount(UNPACED);
    const server = await startServer(dialect, { SES_ENDPOINT: fake.url });
    try {
      const call = await signUp(server.base);
      const listId = await importList(call, RECIPIENTS, "r");
      // The peak from here on is the send's, not the import's (Linux resets VmHWM on "5").
      writeFileSync(`/proc/${server.pid}/clear_refs`, "5");
      const cpuBefore = cpuSeconds(server.pid) + cpuSeconds(fake.process.pid);
      const started = performance.now();
      const id = await launch(call, listId, html, path);
      const done = await untilSent(call, id);
      const seconds = (performance.now() - started) / 1000;
      const cpuPerMail = (cpuSeconds(server.pid) + cpuSeconds(fake.process.pid) - cpuBefore) / done.counts.sent;
      const accepted = (await fake.stats()).accepted;
      rows.push(
        `${dialect.padEnd(10)} ${path.padEnd(30)} ${String(done.counts.sent).padStart(7)} sent  ${(done.counts.sent / seconds).toFixed(0).padStart(6)} mails/s  peak RSS ${server.peakRssMb()} MB  ` +
          `(fake accepted ${accepted}, status ${done.status}; server + fake CPU ${(cpuPerMail * 1000).toFixed(2)} ms per mail → ceiling on ${CORES} cores ${(CORES / cpuPerMail).toFixed(0)}/s)`,
      );
    } finally {
      await server.stop();
    }
  }
  return rows;
}

/** MaxSendRate 50: the rate achieved over RATE_SECONDS from the first accepted mail, and the busiest second. */
async function pace(label: string, fake: SendFake, servers: { base: string }[]) {
  await fake.reset();
  await fake.setAccount({ SendQuota: { MaxSendRate: 50, Max24HourSend: 100_000_000, SentLast24Hours: 0 } });
  const call = await signUp(servers[0]!.base, `pace-${Math.random().toString(36).slice(2, 8)}@example.com`);
  const listId = await importList(call, 50 * (RATE_SECONDS + 15), "p");
  const id = await launch(call, listId, ONE_BY_ONE_HTML, "pace");
  let first = 0;
  for (let i = 0; i < 600 && !first; i++) {
    const mails = await fake.received({ bodies: false });
    if (mails.length) first = Math.min(...mails.map((m) => m.at));
    else await Bun.sleep(50);
  }
  await Bun.sleep(first + RATE_SECONDS * 1000 + 1500 - Date.now());
  const accepted = await fake.acceptedBetween(first, first + RATE_SECONDS * 1000);
  const busiest = await fake.maxInWindow(1000);
  await call("POST", `/campaigns/${id}/cancel`);
  const achieved = accepted / RATE_SECONDS;
  return `${label.padEnd(34)} ${achieved.toFixed(1)} mails/s over ${RATE_SECONDS} s = ${((achieved / 50) * 100).toFixed(1)}% of 50/s; busiest 1-s window ${busiest} (limit 50)`;
}

async function twoInstances(fake: SendFake): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "sesame-bench-two-"));
  const app = await createPostgresDatabase(PG_URL, "sesame_bench_two");
  const queueDb = await createPostgresDatabase(PG_URL, "sesame_bench_queue");
  const tcp = freePort();
  const cli = join(import.meta.dir, "..", "node_modules", "bunqueue", "dist", "cli", "index.js");
  const queue: Subprocess = Bun.spawn([process.execPath, cli, "start", "--tcp-port", String(tcp), "--http-port", String(freePort()), "--host", "127.0.0.1"], {
    env: { ...process.env, BUNQUEUE_STORAGE_DRIVER: "postgres", BUNQUEUE_POSTGRES_URL: queueDb.url },
    stdout: "ignore",
    stderr: "ignore",
  });
  await Bun.sleep(1500);
  const common = { DATABASE_URL: app.url, APP_SECRET: "b".repeat(64), SES_ENDPOINT: fake.url, QUEUE_URL: `tcp://127.0.0.1:${tcp}`, LOG_LEVEL: "warn" };
  const a = await startServerWithEnv({ ...common, DATA_DIR: join(dir, "a") });
  const b = await startServerWithEnv({ ...common, DATA_DIR: join(dir, "b") });
  try {
    return await pace("postgres, two instances", fake, [{ base: a.url }, { base: b.url }]);
  } finally {
    await a.stop();
    await b.stop();
    queue.kill();
    await queue.exited;
    await app.drop();
    await queueDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const dialects = await benchDialects(which);

const fake = await spawnSendFake({ account: UNPACED });
try {
  const bare = await bareLoop(fake, 20_000);
  console.log(
    `\nbaseline: bare SESv2Client.send(SendEmail) loop, ${IN_FLIGHT} in flight, same fake: ${bare.toFixed(0)} sends/s ` +
      `(bench + fake CPU ${(bareCpuPerSend * 1000).toFixed(2)} ms per send → ceiling on ${CORES} cores ${(CORES / bareCpuPerSend).toFixed(0)}/s)\n`,
  );
  if (RECIPIENTS > 0) console.log(`${RECIPIENTS.toLocaleString("en")} recipients, pacing off (MaxSendRate 1,000,000):`);
  for (const dialect of RECIPIENTS > 0 ? dialects : []) {
    for (const row of await throughput(dialect, fake)) {
      const rate = Number(/(\d+) mails\/s/.exec(row)?.[1] ?? 0);
      console.log(`${row}  = ${(rate / bare).toFixed(2)}× the bare loop`);
    }
  }
  console.log(`\nPacing at MaxSendRate 50/s:`);
  for (const dialect of dialects) {
    const server = await startServer(dialect, { SES_ENDPOINT: fake.url });
    try {
      console.log(await pace(`${dialect}, one instance`, fake, [server]));
    } finally {
      await server.stop();
    }
  }
  if (dialects.includes("postgres")) console.log(await twoInstances(fake));
} finally {
  await fake.stop();
  fake.process.kill();
}
