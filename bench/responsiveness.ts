/**
 * Does long work stall everyone else? On a real server process, the latency of ordinary requests
 * (`GET /lists` as a page, `GET /healthz`) is measured on an idle server, then while a 1,000,000-row
 * import and the export of a 1,000,000-contact list run at the same time. Prints p50/p95 of both next
 * to each other, and how long the export took alone and under load.
 *
 * Target: under load, p95 below 5 × the idle p95 and below 300 ms.
 *
 *   bun bench/responsiveness.ts [rows] [sqlite|postgres|both]
 */
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { benchDialects, PG_URL, session, startServer } from "./support";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const which = process.argv[3] ?? "both";
/** Pause between two probes: a person clicking around, not a load test. */
const PROBE_GAP_MS = 20;

async function generate(file: string, prefix: string) {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  await write("email,first_name,company,city\n");
  let chunk = "";
  for (let i = 0; i < ROWS; i++) {
    chunk += `${prefix}${i}@example${i % 97}.com,Name${i},"Company ${i % 1000}, Inc",City ${i % 50}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise<void>((r) => out.end(r));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Samples {
  lists: number[];
  healthz: number[];
  /** PostgreSQL's own `select 1`, straight from this process: what the server alone answers in. */
  database: number[];
}

/** Probes both routes in turn until `until()` says stop (or `count` rounds are done). */
async function probe(base: string, cookie: string, options: { count?: number; until?: () => boolean; pg?: postgres.Sql }): Promise<Samples> {
  const samples: Samples = { lists: [], healthz: [], database: [] };
  for (let round = 0; options.count === undefined || round < options.count; round++) {
    if (options.until?.()) break;
    if (options.pg) {
      const started = performance.now();
      await options.pg`select 1`;
      samples.database.push(performance.now() - started);
    }
    for (const [key, path, headers] of [
      ["lists", "/lists", { cookie, accept: "text/html" }],
      ["healthz", "/healthz", {}],
    ] as const) {
      const started = performance.now();
      const reply = await fetch(`${base}${path}`, { headers });
      await reply.arrayBuffer();
      if (!reply.ok) throw new Error(`${path} answered ${reply.status}`);
      samples[key].push(performance.now() - started);
    }
    await Bun.sleep(PROBE_GAP_MS);
  }
  return samples;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function waitForImport(base: string, cookie: string, importId: string) {
  for (;;) {
    const report = await (await fetch(`${base}/imports/${importId}`, { headers: { cookie } })).json();
    if (report.status !== "running") return report;
    await Bun.sleep(250);
  }
}

async function exportList(base: string, cookie: string, listId: string): Promise<{ seconds: number; bytes: number; lines: number }> {
  const started = performance.now();
  const reply = await fetch(`${base}/lists/${listId}/export.csv`, { headers: { cookie } });
  let bytes = 0;
  let lines = 0;
  const reader = reply.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (const b of value) if (b === 10) lines++;
  }
  return { seconds: (performance.now() - started) / 1000, bytes, lines };
}

async function run(dialect: "sqlite" | "postgres", exportFile: string, importFile: string) {
  const server = await startServer(dialect);
  const pg = dialect === "postgres" ? postgres(PG_URL, { max: 1, onnotice: () => {} }) : undefined;
  try {
    const cookie = await session(server.base);
    const post = async (path: string, body: unknown) =>
      (await fetch(`${server.base}${path}`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) })).json();
    const upload = async (listId: string, file: string) =>
      (await fetch(`${server.base}/lists/${listId}/import`, { method: "POST", headers: { cookie, "content-type": "text/csv" }, body: Bun.file(file) })).json();

    // Set-up: a list of ROWS contacts to export.
    const big = await post("/lists", { name: "Exported" });
    const setup = await waitForImport(server.base, cookie, (await upload(big.id, exportFile)).importId);
    if (setup.status !== "done") throw new Error(`set-up import ${setup.status}: ${setup.failure}`);
    const alone = await exportList(server.base, cookie, big.id);

    const idle = await probe(server.base, cookie, { count: 300, pg });
    // Searching the big list, as each keystroke in its search box would.
    const searches: Record<string, number[]> = {};
    for (const q of ["e", "exported1", "exported12345", "nobody"]) {
      searches[q] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const reply = await fetch(`${server.base}/lists/${big.id}?q=${q}`, { headers: { cookie, "hx-request": "true" } });
        await reply.arrayBuffer();
        searches[q]!.push(performance.now() - started);
      }
    }

    // Under load: a second import of ROWS rows and the export, at once.
    const target = await post("/lists", { name: "Imported under load" });
    const { importId } = await upload(target.id, importFile);
    let importDone = false;
    let exportDone = false;
    const importing = waitForImport(server.base, cookie, importId).then((r) => {
      importDone = true;
      return r;
    });
    const exporting = exportList(server.base, cookie, big.id).then((r) => {
      exportDone = true;
      return r;
    });
    const loaded = await probe(server.base, cookie, { until: () => importDone || exportDone, pg });
    const [imported, exported] = await Promise.all([importing, exporting]);

    console.log(`${dialect}:`);
    console.log(`  export of ${(alone.lines - 1).toLocaleString("en")} contacts alone: ${alone.seconds.toFixed(1)} s (${Math.round((alone.lines - 1) / alone.seconds).toLocaleString("en")} rows/s, ${(alone.bytes / 1024 / 1024).toFixed(0)} MB)`);
    console.log(`  under load: export ${exported.seconds.toFixed(1)} s; import ${imported.status}, ${imported.total.toLocaleString("en")} rows at ${imported.rowsPerSecond.toLocaleString("en")} rows/s`);
    for (const route of ["lists", "healthz"] as const) {
      const before = summary(idle[route]);
      const during = summary(loaded[route]);
      const ok = during.p95 < before.p95 * 5 && during.p95 < 300;
      console.log(
        `  GET /${route === "lists" ? "lists (page)" : "healthz"}: idle p50 ${ms(before.p50)} p95 ${ms(before.p95)} (n=${before.n}) | ` +
          `import + export running p50 ${ms(during.p50)} p95 ${ms(during.p95)} (n=${during.n}) | ` +
          `${(during.p95 / before.p95).toFixed(1)}× the idle p95 — ${ok ? "within" : "MISSES"} the target (< 5× and < 300 ms)`,
      );
    }
    if (pg) {
      // The ceiling: the database server's own answer time under the same load, with Sesame out of the path.
      const before = summary(idle.database);
      const during = summary(loaded.database);
      console.log(
        `  PostgreSQL itself (select 1 from the bench): idle p50 ${ms(before.p50)} p95 ${ms(before.p95)} | under load p50 ${ms(during.p50)} p95 ${ms(during.p95)} | ` +
          `${(during.p95 / before.p95).toFixed(1)}× its idle p95: the least any route that reads the database can slow down by on this machine`,
      );
    }
    for (const [q, times] of Object.entries(searches)) {
      const { p50, p95 } = summary(times);
      console.log(`  search "${q}" in the ${(alone.lines - 1).toLocaleString("en")}-contact list (idle): p50 ${ms(p50)} p95 ${ms(p95)}`);
    }
    console.log(`  server peak RSS ${server.peakRssMb()} MB`);
  } finally {
    await pg?.end();
    await server.stop();
  }
}

const exportFile = join(tmpdir(), `sesame-bench-export-${ROWS}.csv`);
const importFile = join(tmpdir(), `sesame-bench-load-${ROWS}.csv`);
await generate(exportFile, "exported");
await generate(importFile, "loaded");
const dialects = await benchDialects(which);
for (const dialect of dialects) {
  await run(dialect, exportFile, importFile);
}
