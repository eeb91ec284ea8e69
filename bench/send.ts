/**
 * The send pipeline. A 100,000-recipient campaign through the real server into a zero-latency local
 * SES fake (its own process) with pacing off (MaxSendRate 1,000,000), on each send path: mails/s from
 * launch to "sent" and the server's peak RSS while it sends (the import before is not counted), next
 * to a bare `SESv2Client.send(SendEmail)` loop with the same concurrency (32 in flight: 4 send loops ×
 * 8) against the same fake, measured in the same run: at the start, and again just before and just
 * after each path, whose ratio is to the mean of those two (other work on a shared machine comes and
 * goes during a run of several minutes).
 *
 * Each row also prints its ceiling on this machine: the CPU one mail costs the server, the fake and,
 * on PostgreSQL, the database's backends, against the cores there are. And the bulk path has a bare
 * loop of its own: `SESv2Client.send(SendBulkEmail)` of 50 destinations, 4 calls in flight as the
 * sender has, into the same fake: what the SDK and the fake allow SendBulkEmail at all, before
 * Sesame renders, records or paces anything. And the database alone: what the send loops ask of it
 * per SendBulkEmail batch (reserve the slots, claim 50, record their outcomes), 4 loops at once on a
 * fresh database, with no SES call between.
 *
 * Then the pace: with MaxSendRate 50/s, the rate achieved over 60 s (from the first mail the fake
 * accepts) and the busiest one-second window, with one instance, and with two instances on
 * PostgreSQL sharing a bunqueue server.
 *
 *   bun bench/send.ts [recipients] [sqlite|postgres|both] [rate-seconds]   (recipients 0: the pace only)
 */
import { SendBulkEmailCommand, SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { Subprocess } from "bun";
import { createPostgresDatabase } from "../tests/support/db";
import { freePort } from "../tests/support/net";
import { startServer as startServerWithEnv } from "../tests/support/server";
import { spawnSendFake, type SendFake } from "../tests/support/ses-send-fake";
import { availableParallelism } from "node:os";
import { openDatabase } from "../src/db/client";
import { migrate } from "../src/db/migrate";
import { claimQueuedRecipients, recordOutcomes } from "../src/features/campaigns/queries";
import { reserveSends } from "../src/jobs/pacing";
import { benchDialects, cpuSeconds, databaseCpu, databaseCpuBetween, PG_URL, startServer } from "./support";

const RECIPIENTS = Number(process.argv[2] ?? 100_000);
const which = process.argv[3] ?? "both";
const RATE_SECONDS = Number(process.argv[4] ?? 60);
type SpawnedFake = SendFake & { process: Subprocess };
const IN_FLIGHT = 32;
/** SendBulkEmail calls in flight per campaign in the server: its send loops (LOOPS_PER_CAMPAIGN), one call each. */
const BULK_IN_FLIGHT = 4;
const BULK_SIZE = 50;
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

/** Waits (up to 5 s) until the server's memory stops shrinking: two readings a quarter of a second apart within 2 MB. */
async function settled(rssMb: () => number) {
  let last = rssMb();
  for (let i = 0; i < 20; i++) {
    await Bun.sleep(250);
    const now = rssMb();
    if (Math.abs(now - last) <= 2) return;
    last = now;
  }
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

/** The campaign's HTML as one SendBulkEmail template, with what the sender fills in per destination (pixel, tracked links). */
const BULK_TEMPLATE = HTML.replace(/\{\{(\w+)\|[^}]*\}\}/g, "{{{$1}}}").replace('https://example.com/read?id=1', "{{{l0}}}").replace("https://example.com/shop", "{{{l1}}}") + '<img src="{{{px}}}" width="1" height="1" alt="">';
/** A signed tracking address as long as the server's. */
const trackingUrl = (kind: string, i: number) => `http://127.0.0.1:3000/t/${kind}/${Buffer.from(`bench-${i}-${kind}`.padEnd(90, "x")).toString("base64url")}`;

/** The bulk path's own baseline: SendBulkEmail of 50 through the SDK alone, as many calls in flight as the server makes, into the same fake. */
async function bareBulkLoop(fake: SpawnedFake, total: number): Promise<{ rate: number; cpuPerMail: number }> {
  const ses = new SESv2Client({ region: "us-east-1", endpoint: fake.url, credentials: KEYS, maxAttempts: 1 });
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const fakeBefore = cpuSeconds(fake.process.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BULK_IN_FLIGHT }, async () => {
      while (next < total) {
        const first = next;
        next = Math.min(total, next + BULK_SIZE);
        const entries = Array.from({ length: next - first }, (_, k) => {
          const i = first + k;
          const data = { name: `Name ${i}`, company: `Company ${i % 500}`, px: trackingUrl("o", i), l0: trackingUrl("c0", i), l1: trackingUrl("c1", i) };
          return {
            Destination: { ToAddresses: [`bulk${i}@example.com`] },
            ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(data) } },
            ReplacementHeaders: [
              { Name: "List-Unsubscribe", Value: `<${trackingUrl("u", i)}>` },
              { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
            ],
            ReplacementTags: [
              { Name: "campaign", Value: "bare" },
              { Name: "recipient", Value: String(i) },
            ],
          };
        });
        await ses.send(
          new SendBulkEmailCommand({
            FromEmailAddress: "news@example.com",
            DefaultContent: { Template: { TemplateContent: { Subject: "News for {{{name}}}", Html: BULK_TEMPLATE, Text: "News for {{{name}}}" }, TemplateData: "{}" } },
            BulkEmailEntries: entries,
          }),
        );
      }
    }),
  );
  ses.destroy();
  const rate = total / ((performance.now() - started) / 1000);
  const used = process.cpuUsage(cpuBefore);
  return { rate, cpuPerMail: ((used.user + used.system) / 1e6 + cpuSeconds(fake.process.pid) - fakeBefore) / total };
}

/** The database alone: the bulk path's bookkeeping per batch of `batch` (reserve, claim, record), LOOPS at once, in recipients/s and CPU per recipient. */
async function bookkeeping(dialect: "sqlite" | "postgres", total: number, batch = BULK_SIZE): Promise<{ rate: number; cpuPerMail: number }> {
  const dir = mkdtempSync(join(tmpdir(), "sesame-bench-books-"));
  let url = `file:${join(dir, "books.db")}`;
  let drop = async () => {};
  if (dialect === "postgres") ({ url, drop } = await createPostgresDatabase(PG_URL, "sesame_books"));
  const db = await openDatabase(url);
  try {
    await migrate(db);
    const now = Date.now();
    await db.orm.insert(db.t.workspaces).values({ id: "ws_books", name: "Books", createdAt: new Date(now) });
    await db.orm.insert(db.t.campaigns).values({ id: "cmp_books", workspaceId: "ws_books", name: "Books", status: "running", fromAddress: "news@example.com", subject: "News", createdAt: new Date(now), updatedAt: new Date(now), expandedAt: new Date(now) });
    for (let i = 0; i < total; i += 1000) {
      await db.orm.insert(db.t.recipients).values(
        Array.from({ length: Math.min(1000, total - i) }, (_, k) => ({ workspaceId: "ws_books", campaignId: "cmp_books", email: `b${i + k}@example.com`, variables: { name: `Name ${i + k}`, company: "Company" }, status: "queued" })),
      );
    }
    if (dialect === "postgres") await db.rows(sql`analyze recipients`);
    const account = async () => ({ maxSendRate: 1_000_000, max24HourSend: 1_000_000_000, sentLast24Hours: 0 });
    const databaseBefore = dialect === "postgres" ? await databaseCpu(url) : null;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: BULK_IN_FLIGHT }, async () => {
        let rate: number | undefined;
        let cursor = 0;
        for (;;) {
          const reservation = await reserveSends(db, "ws_books", batch, 1, Date.now(), account, rate);
          if ("replan" in reservation) {
            rate = reservation.rate;
            continue;
          }
          if (!("startAt" in reservation)) throw new Error("no reservation");
          rate = reservation.rate;
          const rows = await claimQueuedRecipients(db, "cmp_books", "run_books", batch, new Date(), cursor);
          if (rows.length === 0) return;
          cursor = rows[rows.length - 1]!.id;
          const at = Date.now();
          await recordOutcomes(db, { workspaceId: "ws_books", id: "cmp_books" }, rows.map((r) => ({ id: r.id, status: "sent" as const, messageId: `0100-bench-${r.id}`, at })), new Date(at));
          done += rows.length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuBefore);
    const databaseUsed = databaseBefore ? databaseCpuBetween(databaseBefore, await databaseCpu(url)) : 0;
    return { rate: done / seconds, cpuPerMail: ((used.user + used.system) / 1e6 + databaseUsed) / done };
  } finally {
    await db.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(dialect: "sqlite" | "postgres", fake: SpawnedFake) {
  const rows: { path: string; rate: number; ceiling: number; bare: number; bareShare: number; bareBulk: number; text: string }[] = [];
  for (const [path, html] of [
    ["SendEmail (one call per mail)", ONE_BY_ONE_HTML],
    ["SendBulkEmail (50 per call)", HTML],
  ] as const) {
    // BENCH_PATH=one|bulk: only that path (to look into one of them).
    if (process.env.BENCH_PATH && !path.startsWith(process.env.BENCH_PATH === "bulk" ? "SendBulkEmail" : "SendEmail")) continue;
    await fake.reset();
    await fake.setAccount(UNPACED);
    const server = await startServer(dialect, { SES_ENDPOINT: fake.url });
    try {
      const call = await signUp(server.base);
      const listId = await importList(call, RECIPIENTS, "r");
      // The import's thread ends just after its report says done, and gives its memory back within a
      // quarter of a second: launched before that, the send's peak would carry the import's 50-60 MB.
      await settled(server.rssMb);
      // The peak from here on is the send's, not the import's (Linux resets VmHWM on "5").
      writeFileSync(`/proc/${server.pid}/clear_refs`, "5");
      const rssAtLaunch = server.rssMb();
      // The machine is shared: the bare loops run again just before and just after this path, and the
      // path is compared with their mean, so that load which comes and goes weighs on both alike.
      const bulk = path.startsWith("SendBulkEmail");
      const bareBefore = await bareLoop(fake, 10_000);
      const bareShareBefore = bareBefore / (CORES / bareCpuPerSend);
      const bareBulkBefore = bulk ? (await bareBulkLoop(fake, 10_000)).rate : 0;
      const acceptedBefore = (await fake.stats()).accepted;
      const databaseBefore = dialect === "postgres" ? await databaseCpu(server.url) : null;
      const cpuBefore = cpuSeconds(server.pid) + cpuSeconds(fake.process.pid);
      const started = performance.now();
      const id = await launch(call, listId, html, path);
      const done = await untilSent(call, id);
      const seconds = (performance.now() - started) / 1000;
      const ownCpu = cpuSeconds(server.pid) + cpuSeconds(fake.process.pid) - cpuBefore;
      const databaseUsed = databaseBefore ? databaseCpuBetween(databaseBefore, await databaseCpu(server.url)) : 0;
      const cpuPerMail = (ownCpu + databaseUsed) / done.counts.sent;
      const accepted = (await fake.stats()).accepted - acceptedBefore;
      const bareAfter = await bareLoop(fake, 10_000);
      const bareShareAfter = bareAfter / (CORES / bareCpuPerSend);
      const bareBulkAfter = bulk ? (await bareBulkLoop(fake, 10_000)).rate : 0;
      const parts = databaseBefore ? `server ${((ownCpu * 1000) / done.counts.sent).toFixed(2)} (with the fake) + PostgreSQL ${((databaseUsed * 1000) / done.counts.sent).toFixed(2)}` : "server + fake";
      rows.push({
        path,
        rate: done.counts.sent / seconds,
        ceiling: CORES / cpuPerMail,
        bare: (bareBefore + bareAfter) / 2,
        bareShare: (bareShareBefore + bareShareAfter) / 2,
        bareBulk: (bareBulkBefore + bareBulkAfter) / 2,
        text:
          `${dialect.padEnd(10)} ${path.padEnd(30)} ${String(done.counts.sent).padStart(7)} sent  ${(done.counts.sent / seconds).toFixed(0).padStart(6)} mails/s  peak RSS ${server.peakRssMb()} MB (${rssAtLaunch} at launch)  ` +
          `(fake accepted ${accepted}, status ${done.status}; ${parts} CPU ${(cpuPerMail * 1000).toFixed(2)} ms per mail → ceiling on ${CORES} cores ${(CORES / cpuPerMail).toFixed(0)}/s)`,
      });
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
      `(bench + fake CPU ${(bareCpuPerSend * 1000).toFixed(2)} ms per send → ceiling on ${CORES} cores ${(CORES / bareCpuPerSend).toFixed(0)}/s)`,
  );
  const bareBulk = await bareBulkLoop(fake, 20_000);
  console.log(
    `bulk path's own bare loop: SESv2Client.send(SendBulkEmail) of ${BULK_SIZE}, ${BULK_IN_FLIGHT} in flight, same fake: ${bareBulk.rate.toFixed(0)} recipients/s = ${(bareBulk.rate / bare).toFixed(2)}× the bare SendEmail loop ` +
      `(bench + fake CPU ${(bareBulk.cpuPerMail * 1000).toFixed(3)} ms per recipient → ceiling on ${CORES} cores ${(CORES / bareBulk.cpuPerMail).toFixed(0)}/s = ${(CORES / bareBulk.cpuPerMail / bare).toFixed(2)}×)\n`,
  );
  if (RECIPIENTS > 0) console.log(`${RECIPIENTS.toLocaleString("en")} recipients, pacing off (MaxSendRate 1,000,000):`);
  for (const dialect of RECIPIENTS > 0 ? dialects : []) {
    const books = await bookkeeping(dialect, 50_000);
    console.log(
      `${dialect} alone: the bulk path's bookkeeping (reserve, claim ${BULK_SIZE}, record ${BULK_SIZE}; ${BULK_IN_FLIGHT} loops, no SES call): ${books.rate.toFixed(0)} recipients/s = ${(books.rate / bare).toFixed(2)}× the bare loop ` +
        `(CPU ${(books.cpuPerMail * 1000).toFixed(3)} ms per recipient${dialect === "postgres" ? ", PostgreSQL's backends included" : ""})`,
    );
    for (const row of await throughput(dialect, fake)) {
      const bulk = row.path.startsWith("SendBulkEmail");
      const target = bulk ? 3 : 0.7;
      const ratio = row.rate / row.bare;
      const verdict =
        ratio >= target
          ? `target ≥ ${target}×: met`
          : `target ≥ ${target}×: not met; its CPU ceiling is ${(row.ceiling / row.bare).toFixed(2)}×` +
            (bulk ? `, the bare SendBulkEmail loop's ${(row.bareBulk / row.bare).toFixed(2)}×` : "") +
            // No loop here turns all the cores into sends: the bare loop's own share of its CPU ceiling is
            // what this machine gives any of them (the rest is latency and time no process is charged).
            `; the bare loop itself reaches ${(row.bareShare * 100).toFixed(0)}% of its own CPU ceiling here, which puts this path's reach at ${((row.ceiling / row.bare) * row.bareShare).toFixed(2)}×`;
      console.log(`${row.text}  = ${ratio.toFixed(2)}× the bare loop run around it (${row.bare.toFixed(0)} sends/s; ${verdict})`);
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
