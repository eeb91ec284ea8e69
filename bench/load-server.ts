/**
 * What bench/track.ts and bench/ingest.ts share: the server processes they load, the load generator
 * that loads them, and a sent campaign written straight into the server's database.
 *
 *   bun bench/load-server.ts          the real server, booted by src/main.ts itself, with one more
 *                                     route, `GET /hello` → "hello", on the same Elysia app
 *   bun bench/load-server.ts bare     a bare `Bun.serve` that reads the body and answers "hello":
 *                                     what the load generator can drive on this machine at all
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { sql } from "drizzle-orm";
import type { Database } from "../src/db/client";
import { newId } from "../src/lib/ids";
import { createPostgresDatabase } from "../tests/support/db";
import { freePort } from "../tests/support/net";

if (import.meta.main) {
  if (process.argv[2] === "bare") {
    Bun.serve({ port: Number(process.env.PORT), hostname: "127.0.0.1", fetch: async (request) => (await request.arrayBuffer(), new Response("hello")) });
  } else {
    // src/main.ts runs unchanged (its config, migrations, queue, shutdown drain); the route is added
    // to the app it builds at the moment it listens, so /hello passes the same global hooks
    // (request log, security headers, session derive) as every other route of that app.
    const { BunAdapter } = await import("elysia/adapter/bun");
    const listen = BunAdapter.listen;
    BunAdapter.listen = (app) => listen(app.get("/hello", () => "hello"));
    await import("../src/main.ts");
  }
}

export const BENCH_SECRET = "b".repeat(64);

export interface BenchServer {
  base: string;
  port: number;
  /** DATABASE_URL of the server's fresh database. */
  url: string;
  dataDir: string;
  pid: number;
  /** The error lines the server logged so far: how many, and the first. */
  errors(): { count: number; first: string | null };
  /** Whether `stop` had to SIGKILL it (it had not exited STOP_SECONDS after SIGTERM). */
  killed(): boolean;
  /** SIGTERM, and waits until the process has drained and exited; the database is kept. */
  stop(): Promise<void>;
  /** Stops it, drops the database and removes the data directory. */
  remove(): Promise<void>;
}

const MAIN = join(import.meta.dir, "..", "src", "main.ts");
export const STOP_SECONDS = 60;

/**
 * A server in its own process on a fresh database of the given dialect: `main` is `bun src/main.ts`,
 * `hello` the same with GET /hello, `bare` the bare Bun.serve. Unlike bench/support.ts it keeps the
 * database after the process ends, so what the server wrote while shutting down can be counted, and
 * it counts the server's error log lines instead of printing each.
 */
export async function startBenchServer(
  dialect: "sqlite" | "postgres",
  pgUrl: string,
  options: { app: "main" | "hello" | "bare"; env?: Record<string, string> },
): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), "sesame-bench-"));
  let url = `file:${join(dir, "sesame.db")}`;
  let drop = async () => {};
  if (dialect === "postgres" && options.app !== "bare") ({ url, drop } = await createPostgresDatabase(pgUrl, "sesame_bench"));
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const command = options.app === "main" ? [MAIN] : options.app === "hello" ? [import.meta.path] : [import.meta.path, "bare"];
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn([process.execPath, ...command], {
    env: {
      ...process.env,
      DATA_DIR: join(dir, "data"),
      DATABASE_URL: url,
      APP_SECRET: BENCH_SECRET,
      PUBLIC_URL: base,
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      ...options.env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const errors = { count: 0, first: null as string | null };
  const logged = (async () => {
    let rest = "";
    const decoder = new TextDecoder();
    const reader = proc.stdout.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const lines = (rest + decoder.decode(value, { stream: true })).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"level":"error"')) continue;
        errors.count++;
        errors.first ??= line;
      }
    }
  })();
  for (let i = 0; ; i++) {
    if (await fetch(`${base}${options.app === "bare" ? "/" : "/healthz"}`).then((r) => r.ok, () => false)) break;
    if (i > 200 || proc.exitCode !== null) throw new Error("bench server did not start");
    await Bun.sleep(50);
  }
  let killed = false;
  const stop = async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    // A server wedged in its own work would hold the bench forever: a minute, then SIGKILL.
    if ((await Promise.race([proc.exited, Bun.sleep(STOP_SECONDS * 1000).then(() => null)])) === null) {
      killed = true;
      proc.kill("SIGKILL");
      await proc.exited;
    }
    await logged;
  };
  return {
    base,
    port,
    url,
    dataDir: join(dir, "data"),
    pid: proc.pid,
    errors: () => ({ ...errors }),
    killed: () => killed,
    stop,
    async remove() {
      await stop();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds all PostgreSQL server processes have used so far (the database's own share of a run). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.split(") ")[1]!.split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** The whole machine's busy and total CPU seconds so far (/proc/stat), to tell whether a run had the cores to itself. */
export function machineCpu(): { busy: number; total: number } {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3]! + (ticks[4] ?? 0);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/**
 * Waits until the process is idle (under 2% of a core over a quarter second, or 10 s at most): work
 * it deferred past its answers (batched writes) is done, and the next measurement starts clean.
 */
export async function settle(pid: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  let before = cpuSeconds(pid);
  while (performance.now() < deadline) {
    await Bun.sleep(250);
    const now = cpuSeconds(pid);
    if (now - before < 0.005) return;
    before = now;
  }
}

export interface LoadResult {
  /** Requests given. */
  total: number;
  /** Requests sent: the first `sent` of those given. */
  sent: number;
  /** Requests answered. */
  answered: number;
  seconds: number;
  rate: number;
  /** How many answers had each status. */
  statuses: Map<number, number>;
  /** Requests that got no answer (the connection closed or failed first). */
  lost: number;
  /** CPU seconds this process (the generator) spent. */
  cpu: number;
}

/** `GET <path>` as raw bytes for `load`. */
export function getRequest(path: string, headers: Record<string, string> = {}): Uint8Array {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`, "latin1");
}

/** `POST <path>` with a body, as raw bytes for `load`. */
export function postRequest(path: string, body: string, headers: Record<string, string> = {}): Uint8Array {
  const bytes = Buffer.from(body, "utf8");
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}Content-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), bytes]);
}

/**
 * The load generator: `connections` keep-alive HTTP/1.1 connections, one request in flight on each
 * (as wrk does), sending every one of `requests` exactly once, in order. Requests are pre-built bytes
 * and answers are only framed (status line, Content-Length or chunked), so the generator costs about
 * a tenth of what `fetch` does per request; measured on 2 cores it drives a bare `Bun.serve` twice as
 * hard as 64 concurrent `fetch` loops do, which keeps it off the critical path. After `maxSeconds` it
 * sends nothing more and waits up to 30 s for the answers in flight; then it closes the connections
 * and counts what is still unanswered as lost.
 */
export async function load(port: number, requests: Uint8Array[], connections: number, maxSeconds = 300): Promise<LoadResult> {
  const statuses = new Map<number, number>();
  let next = 0;
  let answered = 0;
  let lost = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const open = new Set<{ terminate(): void }>();
  const giveUp = setTimeout(() => {
    for (const socket of open) socket.terminate();
  }, (maxSeconds + 30) * 1000);

  const connection = () =>
    new Promise<void>((resolve) => {
      let pending: Buffer = Buffer.alloc(0);
      let unsent: Uint8Array | null = null;
      let inFlight = false;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        resolve();
      };
      const send = (socket: { write(data: Uint8Array): number; end(): void }) => {
        if (next >= requests.length || performance.now() - started > maxSeconds * 1000) {
          socket.end();
          finish();
          return;
        }
        const request = requests[next++]!;
        inFlight = true;
        const written = socket.write(request);
        unsent = written < request.length ? request.subarray(Math.max(written, 0)) : null;
      };
      Bun.connect({
        hostname: "127.0.0.1",
        port,
        socket: {
          open(socket) {
            open.add(socket);
            send(socket);
          },
          drain(socket) {
            if (!unsent) return;
            const written = socket.write(unsent);
            unsent = written < unsent.length ? unsent.subarray(Math.max(written, 0)) : null;
          },
          data(socket, chunk) {
            pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
            for (;;) {
              const headEnd = pending.indexOf("\r\n\r\n");
              if (headEnd < 0) return;
              const head = pending.toString("latin1", 0, headEnd);
              let end: number;
              const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
              if (length) end = headEnd + 4 + Number(length[1]);
              else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
                const last = pending.indexOf("\r\n0\r\n\r\n", headEnd + 2);
                if (last < 0) return;
                end = last + 7;
              } else end = headEnd + 4;
              if (pending.length < end) return;
              const status = Number(head.slice(9, 12));
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              answered++;
              inFlight = false;
              pending = pending.subarray(end);
              send(socket);
              if (done) return;
            }
          },
          close(socket) {
            open.delete(socket);
            if (inFlight) lost++;
            inFlight = false;
            // The server closed a connection mid-run: carry on with a new one.
            if (!done && next < requests.length && performance.now() - started <= maxSeconds * 1000) void connection().then(finish);
            else finish();
          },
          error() {},
          connectError: () => finish(),
        },
      }).catch(finish);
    });

  await Promise.all(Array.from({ length: connections }, connection));
  clearTimeout(giveUp);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { total: requests.length, sent: next, answered, seconds, rate: answered / seconds, statuses, lost, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** "200 × 9,998, 500 × 2" */
export function describeStatuses(result: LoadResult): string {
  const parts = [...result.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status} × ${n.toLocaleString("en")}`);
  if (result.lost) parts.push(`no answer × ${result.lost.toLocaleString("en")}`);
  if (result.sent < result.total) parts.push(`not sent after the time limit × ${(result.total - result.sent).toLocaleString("en")}`);
  return parts.join(", ");
}

export interface Addressee {
  email: string;
  /** The SES message id of the mail this address was sent. */
  messageId: string;
}

export interface SeededRecipient extends Addressee {
  id: number;
}

/** `count` distinct addresses, each with an SES message id as SES writes them (0100…-uuid-000000). */
export function addressees(count: number): Addressee[] {
  return Array.from({ length: count }, (_, i) => ({ email: `reader${i}@example${i % 13}.com`, messageId: `0100019${i.toString(16).padStart(9, "0")}-${randomUUID()}-000000` }));
}

/**
 * A campaign that has been sent to `people`, each with a contact and a recipient row carrying the
 * mail's SES message id, written straight into the database (the send pipeline is bench/send's business).
 */
export async function seedSentCampaign(db: Database, workspaceId: string, people: Addressee[], status: "sent" | "delivered"): Promise<{ campaignId: string; recipients: SeededRecipient[] }> {
  const { campaigns, contacts, recipients } = db.t;
  const now = new Date();
  const campaignId = newId("cmp");
  await db.orm.insert(campaigns).values({
    id: campaignId,
    workspaceId,
    name: "Bench campaign",
    status: "sent",
    fromAddress: "news@example.com",
    subject: "News",
    html: '<p>News</p><p><a href="https://example.com/read">Read</a></p>',
    listIds: [],
    tracking: true,
    expandedAt: now,
    launchedAt: now,
    finishedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  const seeded: SeededRecipient[] = [];
  const BATCH = 500;
  for (let from = 0; from < people.length; from += BATCH) {
    const slice = people.slice(from, from + BATCH);
    const contactIds = await db.orm
      .insert(contacts)
      .values(slice.map((p, k) => ({ workspaceId, email: p.email, attributes: { name: `Reader ${from + k}` }, createdAt: now, updatedAt: now })))
      .returning({ id: contacts.id, email: contacts.email });
    const contactOf = new Map(contactIds.map((c) => [c.email, c.id]));
    const ids = await db.orm
      .insert(recipients)
      .values(
        slice.map((p) => ({
          workspaceId,
          campaignId,
          contactId: contactOf.get(p.email)!,
          email: p.email,
          status,
          messageId: p.messageId,
          attempts: 1,
          sentAt: now,
          deliveredAt: status === "delivered" ? now : null,
        })),
      )
      .returning({ id: recipients.id, email: recipients.email });
    const idOf = new Map(ids.map((r) => [r.email, r.id]));
    for (const p of slice) seeded.push({ ...p, id: idOf.get(p.email)! });
  }
  // As the sender does once it has expanded a campaign: the planner learns how many recipients there are.
  await db.rows(sql`analyze recipients`);
  return { campaignId, recipients: seeded };
}

/** The one workspace of a fresh server, once `session()` has signed up. */
export async function onlyWorkspace(db: Database): Promise<string> {
  const [row] = await db.orm.select({ id: db.t.workspaces.id }).from(db.t.workspaces);
  if (!row) throw new Error("no workspace: sign up first");
  return row.id;
}
