/**
 * Tracking hits at load. On one real server process (src/main.ts's app, plus `GET /hello` → "hello"
 * on the same Elysia app: bench/load-server.ts), the same load generator (64 keep-alive connections,
 * one request in flight on each) sends open-pixel hits (`GET /t/o/:token`), click redirects
 * (`GET /t/c/:token`, 302) and hello-world requests, in alternating rounds. Every hit carries its own
 * signed token (openPixelUrl / clickUrl with the server's APP_SECRET) for a real recipient of a real
 * sent campaign. Each round starts on an idle server. Prints the median round's rate of each, the
 * ratio to hello-world and the server's CPU per request (counted until the server is idle again, so
 * hits written after their answer count); then stops the server gracefully (it writes what it still
 * holds) and counts the `events` rows of type open and click against the hits it answered.
 *
 * Target: pixel ≥ 50% of hello-world with every hit stored.
 *
 *   bun bench/track.ts [hits] [sqlite|postgres|both]   (hits of each kind; default 100,000)
 */
import { availableParallelism, loadavg } from "node:os";
import { and, count, eq } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { clickUrl, openPixelUrl } from "../src/features/tracking/links";
import { addressees, BENCH_SECRET, cpuSeconds, describeStatuses, getRequest, load, onlyWorkspace, seedSentCampaign, settle, startBenchServer, STOP_SECONDS, type LoadResult } from "./load-server";
import { benchDialects, PG_URL, session } from "./support";

const HITS = Number(process.argv[2] ?? 100_000);
const which = process.argv[3] ?? "both";
const CONNECTIONS = 64;
const ROUNDS = 5;
const WARMUP = 2_000;
const CORES = availableParallelism();
/** Apple Mail's: what most opens look like. */
const HEADERS = { "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)", Accept: "image/*,*/*;q=0.8" };

interface Round {
  rate: number;
  serverCpuPerRequest: number;
  result: LoadResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const n = (v: number) => Math.round(v).toLocaleString("en");

/**
 * One round on a settled server. The rate is the answers' (what clients see); the CPU counts until
 * the server is idle again, so hits written after they were answered are paid for by their round.
 */
async function measure(pid: number, port: number, requests: Uint8Array[]): Promise<Round> {
  await settle(pid);
  const before = cpuSeconds(pid);
  const result = await load(port, requests, CONNECTIONS);
  await settle(pid);
  return { rate: result.rate, serverCpuPerRequest: (cpuSeconds(pid) - before) / result.answered, result };
}

/** What the load generator drives at all: a bare Bun.serve in its own process, same machine. */
async function generatorCeiling(): Promise<number> {
  const bare = await startBenchServer("sqlite", PG_URL, { app: "bare" });
  try {
    const hello = getRequest("/", HEADERS);
    await load(bare.port, Array(5_000).fill(hello), CONNECTIONS);
    return (await load(bare.port, Array(100_000).fill(hello), CONNECTIONS)).rate;
  } finally {
    await bare.remove();
  }
}

async function run(dialect: "sqlite" | "postgres") {
  const server = await startBenchServer(dialect, PG_URL, { app: "hello" });
  const db = await openDatabase(server.url, { poolSize: 2 });
  try {
    await session(server.base);
    const workspaceId = await onlyWorkspace(db);
    const { campaignId, recipients } = await seedSentCampaign(db, workspaceId, addressees(WARMUP + HITS), "delivered");
    const config = loadConfig({ APP_SECRET: BENCH_SECRET, PUBLIC_URL: server.base, DATABASE_URL: server.url, DATA_DIR: server.dataDir });
    const now = new Date();
    const path = (url: string) => new URL(url).pathname;
    const pixels = recipients.map((r) => getRequest(path(openPixelUrl(config, { workspaceId, campaignId, recipientId: r.id }, now)), HEADERS));
    const clicks = recipients.map((r, i) =>
      getRequest(path(clickUrl(config, { workspaceId, campaignId, recipientId: r.id }, `https://example.com/articles/${i % 200}?ref=news`, now)), HEADERS),
    );
    const hello = getRequest("/hello", HEADERS);

    await load(server.port, Array(5_000).fill(hello), CONNECTIONS);
    const warm = { pixel: await load(server.port, pixels.slice(0, WARMUP), CONNECTIONS), click: await load(server.port, clicks.slice(0, WARMUP), CONNECTIONS) };

    const rounds = { hello: [] as Round[], pixel: [] as Round[], click: [] as Round[] };
    const size = Math.ceil(HITS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const from = WARMUP + r * size;
      const to = Math.min(WARMUP + HITS, from + size);
      rounds.hello.push(await measure(server.pid, server.port, Array(to - from).fill(hello)));
      rounds.pixel.push(await measure(server.pid, server.port, pixels.slice(from, to)));
      rounds.click.push(await measure(server.pid, server.port, clicks.slice(from, to)));
    }

    // What the server holds in memory must be written before it exits: count after a graceful stop.
    await server.stop();
    const stored = async (type: string) =>
      (await db.orm.select({ n: count() }).from(db.t.events).where(and(eq(db.t.events.workspaceId, workspaceId), eq(db.t.events.type, type))))[0]!.n;
    const storedOpens = await stored("open");
    const storedClicks = await stored("click");

    const sent = (kind: "pixel" | "click") => [warm[kind], ...rounds[kind].map((r) => r.result)].reduce((sum, r) => sum + r.sent, 0);
    const answered = (kind: "pixel" | "click", status: number) =>
      [warm[kind], ...rounds[kind].map((r) => r.result)].reduce((sum, r) => sum + (r.statuses.get(status) ?? 0), 0);
    const statuses = (kind: keyof typeof rounds) => {
      const all: LoadResult = { total: 0, sent: 0, answered: 0, seconds: 0, rate: 0, statuses: new Map(), lost: 0, cpu: 0 };
      for (const r of kind === "hello" ? rounds.hello.map((x) => x.result) : [warm[kind], ...rounds[kind].map((x) => x.result)]) {
        all.lost += r.lost;
        all.total += r.total;
        all.sent += r.sent;
        for (const [status, k] of r.statuses) all.statuses.set(status, (all.statuses.get(status) ?? 0) + k);
      }
      return describeStatuses(all);
    };
    const rate = (kind: keyof typeof rounds) => median(rounds[kind].map((r) => r.rate));
    const cpu = (kind: keyof typeof rounds) => median(rounds[kind].map((r) => r.serverCpuPerRequest));
    const line = (label: string, kind: keyof typeof rounds, unit: string) =>
      `  ${label.padEnd(38)} ${n(rate(kind)).padStart(7)} ${unit.padEnd(6)}` +
      (kind === "hello" ? "".padEnd(26) : ` = ${((rate(kind) / rate("hello")) * 100).toFixed(0).padStart(3)}% of hello-world`.padEnd(26)) +
      `  server CPU ${(cpu(kind) * 1000).toFixed(3)} ms/req (→ ${n(CORES / cpu(kind))}/s on ${CORES} cores)  rounds ${rounds[kind].map((r) => n(r.rate)).join(" / ")}  [${statuses(kind)}]`;

    console.log(`\n${dialect}: ${n(HITS)} hits of each kind in ${ROUNDS} alternating rounds after ${n(WARMUP)} warm-up hits, ${CONNECTIONS} connections; median round:`);
    console.log(line("GET /hello (same app, same process)", "hello", "req/s"));
    console.log(line("GET /t/o/:token (open pixel)", "pixel", "hits/s"));
    console.log(line("GET /t/c/:token (click → 302)", "click", "hits/s"));
    console.log(`  stored after a graceful stop: opens ${n(storedOpens)} of ${n(sent("pixel"))} hits (${n(answered("pixel", 200))} answered 200), clicks ${n(storedClicks)} of ${n(sent("click"))} hits (${n(answered("click", 302))} answered 302)`);
    if (server.killed()) console.log(`  the server had not stopped ${STOP_SECONDS} s after SIGTERM: killed`);
    const { count: errors, first } = server.errors();
    if (errors) console.log(`  the server logged ${n(errors)} error${errors === 1 ? "" : "s"}; the first: ${first}`);
    const met = rate("pixel") >= 0.5 * rate("hello") && storedOpens === sent("pixel") && answered("pixel", 200) === sent("pixel");
    console.log(`  target pixel ≥ 50% of hello-world with every hit stored: ${met ? "met" : "not met"} (${((rate("pixel") / rate("hello")) * 100).toFixed(0)}%, stored ${n(storedOpens)} of ${n(sent("pixel"))})`);
  } finally {
    await db.close();
    await server.remove();
  }
}

const dialects = await benchDialects(which);
console.log("target: pixel ≥ 50% of hello-world with every hit stored");
console.log(`machine: ${CORES} cores, load average ${loadavg()[0]!.toFixed(2)} before the run`);
console.log(`load generator ceiling: a bare Bun.serve in its own process, ${CONNECTIONS} connections: ${n(await generatorCeiling())} req/s`);
for (const dialect of dialects) await run(dialect);
