/**
 * CSV import at scale: a generated 1,000,000-row file (email + 3 attributes, 2% duplicates, 1% invalid)
 * imported through the real route into each database, against papaparse parsing the same file alone
 * (streamed, header: true) measured in the same run. Prints rows/s, peak RSS and the ratio.
 *
 *   bun bench/import.ts [rows] [sqlite|postgres|both]
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Papa from "papaparse";
import { pgReachable, session, startServer } from "./support";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const which = process.argv[3] ?? "both";
const file = join(tmpdir(), `sesame-bench-${ROWS}.csv`);

async function generate() {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  await write("email,first_name,company,city\n");
  const cities = ["Paris", "Oslo", "Lima", "Kyoto", "Accra", "Perth"];
  let chunk = "";
  for (let i = 0; i < ROWS; i++) {
    const n = i % 100 < 2 && i > 100 ? i - 50 : i; // 2% repeat an earlier address
    const email = i % 100 === 50 ? `broken-address-${i}` : `user${n}@example${n % 97}.com`; // 1% invalid
    chunk += `${email},Name${i},"Company ${i % 1000}, Inc",${cities[i % cities.length]}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise<void>((r) => out.end(r));
}

async function bareParse(): Promise<number> {
  const started = performance.now();
  let rows = 0;
  await new Promise<void>((resolve, reject) =>
    Papa.parse(createReadStream(file, { highWaterMark: 1024 * 1024 }) as unknown as File, {
      header: true,
      chunk: (results: Papa.ParseResult<unknown>) => void (rows += results.data.length),
      complete: () => resolve(),
      error: reject,
    }),
  );
  return rows / ((performance.now() - started) / 1000);
}

async function importThrough(dialect: "sqlite" | "postgres") {
  const server = await startServer(dialect);
  try {
    const cookie = await session(server.base);
    const headers = { cookie, "content-type": "application/json" };
    const list = await (await fetch(`${server.base}/lists`, { method: "POST", headers, body: JSON.stringify({ name: "Bench" }) })).json();
    const started = performance.now();
    const upload = await fetch(`${server.base}/lists/${list.id}/import`, { method: "POST", headers: { cookie, "content-type": "text/csv" }, body: Bun.file(file) });
    const { importId } = await upload.json();
    let report;
    for (;;) {
      report = await (await fetch(`${server.base}/imports/${importId}`, { headers: { cookie } })).json();
      if (report.status !== "running") break;
      await Bun.sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, peak: server.peakRssMb(), report };
  } finally {
    await server.stop();
  }
}

await generate();
const size = (await stat(file)).size;
console.log(`file: ${ROWS.toLocaleString("en")} rows, ${(size / 1024 / 1024).toFixed(1)} MB`);
const baseline = await bareParse();
console.log(`baseline: papaparse alone, streamed, header: true: ${Math.round(baseline).toLocaleString("en")} rows/s`);

const dialects: ("sqlite" | "postgres")[] = which === "both" ? ["sqlite", "postgres"] : [which as "sqlite" | "postgres"];
for (const dialect of dialects) {
  if (dialect === "postgres" && !(await pgReachable())) {
    console.log("postgres: skipped (no server at BENCH_POSTGRES_URL)");
    continue;
  }
  const { seconds, peak, report } = await importThrough(dialect);
  const rate = ROWS / seconds;
  console.log(
    `import ${dialect}: ${report.status}, ${report.total.toLocaleString("en")} rows in ${seconds.toFixed(1)} s = ${Math.round(rate).toLocaleString("en")} rows/s ` +
      `(imported ${report.imported.toLocaleString("en")}, duplicates ${report.duplicates.toLocaleString("en")}, invalid ${report.invalid.toLocaleString("en")}); ` +
      `server peak RSS ${peak} MB; ${(rate / baseline).toFixed(2)}× the bare parse`,
  );
}
