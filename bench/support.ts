import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createPostgresDatabase } from "../tests/support/db";
import { freePort } from "../tests/support/net";

export const PG_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const MAIN = join(import.meta.dir, "..", "src", "main.ts");

/**
 * The real server, started as `bun src/main.ts` in its own process on a fresh database of the given
 * dialect, so the figures (and its peak RSS) are the app's alone, not the benchmark's.
 */
export async function startServer(dialect: "sqlite" | "postgres", extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sesame-bench-"));
  let url = `file:${join(dir, "sesame.db")}`;
  let drop = async () => {};
  if (dialect === "postgres") ({ url, drop } = await createPostgresDatabase(PG_URL, "sesame_bench"));
  const port = freePort();
  // BENCH_CPU_PROF=<dir>: the server writes a CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = Bun.spawn([process.execPath, ...profile, MAIN], {
    env: { ...process.env, DATA_DIR: join(dir, "data"), DATABASE_URL: url, APP_SECRET: "b".repeat(64), LOG_LEVEL: "warn", PORT: String(port), HOST: "127.0.0.1", ...extraEnv },
    stdout: "inherit",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error("server did not start");
    await Bun.sleep(50);
  }
  return {
    base,
    url,
    pid: proc.pid,
    /** The server process's resident memory now (VmRSS), in MB. */
    rssMb: () => Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))?.[1] ?? 0) / 1024),
    /** The server process's peak resident memory so far (VmHWM), in MB. */
    peakRssMb: () => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))?.[1] ?? 0) / 1024),
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs up and returns a cookie header for further requests. */
export async function session(base: string): Promise<string> {
  const reply = await fetch(`${base}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", password: "bench password 1" }),
  });
  return reply.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

/** The databases a bench runs on: as asked ("sqlite", "postgres" or "both"), without PostgreSQL when it does not answer. */
export async function benchDialects(which: string): Promise<("sqlite" | "postgres")[]> {
  const dialects: ("sqlite" | "postgres")[] = which === "both" ? ["sqlite", "postgres"] : [which as "sqlite" | "postgres"];
  if (dialects.includes("postgres") && !(await pgReachable())) {
    console.log(`PostgreSQL at ${PG_URL} is not reachable: SQLite only.`);
    return dialects.filter((d) => d !== "postgres");
  }
  return dialects;
}

export async function pgReachable(): Promise<boolean> {
  try {
    const sql = postgres(PG_URL, { max: 1, connect_timeout: 2, onnotice: () => {} });
    await sql`select 1`;
    await sql.end();
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds used so far by each PostgreSQL backend serving the database at `url` (the server's
 * connections), by process id: on PostgreSQL part of every query's work is done there, outside the
 * server's own process, and a ceiling that left it out would flatter the database.
 */
export async function databaseCpu(url: string): Promise<Map<number, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        cpu.set(pid, cpuSeconds(pid));
      } catch {
        // The backend ended between the list and the read.
      }
    }
    return cpu;
  } finally {
    await sql.end();
  }
}

/** CPU seconds the backends used between two `databaseCpu` readings (a backend that started meanwhile counts whole). */
export function databaseCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, cpu] of after) used += cpu - (before.get(pid) ?? 0);
  return used;
}
