/**
 * The per-recipient exports at a million rows. On a real server process (bun src/main.ts) with a
 * fresh database, one campaign sent to 1,000,000 recipients, a quarter of them opened (some twice,
 * half by people, half by machines) and a tenth clicked, written straight into the tables with the
 * hourly counters that match. Then `GET /analytics/recipients?format=xlsx` and `?format=csv` are
 * downloaded in full, as a client would, while an ordinary request (`GET /auth/me`) is sent every
 * 100 ms beside them. Prints for each: the time to the first byte and to the last, the size, the
 * server's peak resident memory while it ran (sampled from /proc every 50 ms) against its memory
 * before, and the ordinary request's p50 and worst latency. Baseline in the same run: a bare
 * SELECT of the same columns of the same rows, from this process.
 *
 * Target: the server's peak RSS under 300 MB during the xlsx export.
 *
 *   bun bench/export.ts [recipients] [sqlite|postgres|both]   (default 1,000,000, both)
 */
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../src/db/client";
import { newId } from "../src/lib/ids";
import { onlyWorkspace, startBenchServer } from "./load-server";
import { benchDialects, PG_URL, session } from "./support";

const RECIPIENTS = Number(process.argv[2] ?? 1_000_000);
const which = process.argv[3] ?? "both";
const TARGET_MB = 300;
const HOUR = 3600_000;

const n = (v: number) => Math.round(v).toLocaleString("en");
const mb = (kb: number) => `${n(kb / 1024)} MB`;

function memoryKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * One campaign sent an hour ago to `count` recipients, with open and click events, the recipients'
 * first-open and first-click times and statuses, and the campaign's hourly counters, all consistent.
 * Every 4th recipient opened (every 8th twice; human when its id is even), every 10th clicked.
 */
async function seed(db: Database, workspaceId: string, count: number): Promise<{ campaignId: string; sentAt: number }> {
  const now = new Date();
  const sentAt = Math.floor((now.getTime() - HOUR) / HOUR) * HOUR + 60_000;
  const campaignId = newId("cmp");
  await db.orm.insert(db.t.campaigns).values({
    id: campaignId,
    workspaceId,
    name: "Bench export",
    status: "sent",
    fromAddress: "news@example.com",
    subject: "News",
    html: "<p>News</p>",
    listIds: [],
    expandedAt: now,
    launchedAt: now,
    finishedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  // Ids given here (the table is empty), so who opened and clicked follows from the id alone and
  // every row is written once: no updates after (each would rewrite a million rows and their indexes).
  const [{ base }] = await db.rows<{ base: unknown }>(sql`select coalesce(max(id), 0) as base from recipients`);
  const offset = Number(base);
  const opened = sentAt + 5 * 60_000;
  const clicked = sentAt + 6 * 60_000;
  // Numbers written into the statement: PostgreSQL would read a parameter inside CASE as text.
  const lit = (v: number) => sql.raw(String(Math.trunc(v)));
  const random = db.dialect === "postgres" ? sql`md5(i::text)` : sql`lower(hex(randomblob(16)))`;
  const id = sql`(${lit(offset)} + i)`;
  const openedAt = sql`case when ${id} % 4 = 0 then ${lit(opened)} when ${id} % 10 = 0 then ${lit(clicked)} end`;
  const clickedAt = sql`case when ${id} % 10 = 0 then ${lit(clicked)} end`;
  const human = sql`${id} % 2 = 0`;
  const columns = sql`recipients (id, workspace_id, campaign_id, email, status, message_id, sent_at, delivered_at, opened_at, clicked_at, human_opened_at, human_clicked_at, attempts)`;
  const values = sql`${id}, ${workspaceId}, ${campaignId}, 'reader' || i || '@example' || (i % 13) || '.com',
    case when ${id} % 10 = 0 then 'clicked' when ${id} % 4 = 0 then 'opened' else 'delivered' end, '0100019' || ${random} || '-000000', ${lit(sentAt)}, ${lit(sentAt + 2_000)},
    ${openedAt}, ${clickedAt}, case when ${human} then ${openedAt} end, case when ${human} then ${clickedAt} end, 1`;
  const CHUNK = 100_000;
  for (let from = 1; from <= count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK - 1);
    await db.rows(
      db.dialect === "postgres"
        ? sql`insert into ${columns} select ${values} from generate_series(${from}::int, ${to}::int) as g(i)`
        : sql`insert into ${columns} with recursive g(i) as (select ${from} union all select i + 1 from g where i < ${to}) select ${values} from g`,
    );
  }
  if (db.dialect === "postgres") await db.rows(sql`select setval(pg_get_serial_sequence('recipients', 'id'), (select max(id) from recipients))`);
  const kind = sql`case when id % 2 = 0 then 'human' else 'machine' end`;
  const events = sql`events (workspace_id, type, source_id, campaign_id, recipient_id, email, at, class)`;
  const mine = sql`from recipients where campaign_id = ${campaignId}`;
  await db.rows(sql`insert into ${events} select workspace_id, 'open', 'open-' || id, campaign_id, id, email, ${opened}, ${kind} ${mine} and id % 4 = 0`);
  await db.rows(sql`insert into ${events} select workspace_id, 'open', 'open2-' || id, campaign_id, id, email, ${opened + 60_000}, ${kind} ${mine} and id % 8 = 0`);
  await db.rows(sql`insert into ${events} select workspace_id, 'click', 'click-' || id, campaign_id, id, email, ${clicked}, ${kind} ${mine} and id % 10 = 0`);
  const [c] = await db.rows<Record<string, unknown>>(sql`select
      count(*) as sent,
      sum(case when id % 4 = 0 then 1 else 0 end) + sum(case when id % 8 = 0 then 1 else 0 end) as opened,
      sum(case when id % 10 = 0 then 1 else 0 end) as clicked,
      sum(case when opened_at is not null then 1 else 0 end) as unique_opens,
      sum(case when clicked_at is not null then 1 else 0 end) as unique_clicks,
      sum(case when human_opened_at is not null then 1 else 0 end) as human_opens,
      sum(case when human_clicked_at is not null then 1 else 0 end) as human_clicks
    ${mine}`);
  const v = (k: string) => Number(c![k]);
  const hour = (at: number) => Math.floor(at / HOUR) * HOUR;
  // Sent and delivered in the send's hour; opens and clicks in theirs (the same one here, or the next).
  const rows = new Map<number, Record<string, number>>();
  const add = (at: number, counter: string, k: number) => {
    const row = rows.get(hour(at)) ?? {};
    row[counter] = (row[counter] ?? 0) + k;
    rows.set(hour(at), row);
  };
  add(sentAt, "sent", v("sent"));
  add(sentAt, "delivered", v("sent"));
  for (const counter of ["opened", "unique_opens", "human_opens"]) add(opened, counter, v(counter));
  for (const counter of ["clicked", "unique_clicks", "human_clicks"]) add(clicked, counter, v(counter));
  for (const [at, counts] of rows) {
    const names = Object.keys(counts);
    await db.rows(
      sql`insert into campaign_stats (workspace_id, campaign_id, hour, ${sql.raw(names.join(", "))}) values (${workspaceId}, ${campaignId}, ${at}, ${sql.join(
        names.map((k) => sql`${counts[k]}`),
        sql`, `,
      )})`,
    );
  }
  await db.rows(sql`analyze`);
  return { campaignId, sentAt };
}

interface Measured {
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  lines: number;
  peakRssKb: number;
  probes: number[];
}

/** Downloads `path` to the end, counting bytes (and lines), while sampling the server's memory and probing it. */
async function download(base: string, cookie: string, pid: number, path: string): Promise<Measured> {
  let peakRssKb = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peakRssKb = Math.max(peakRssKb, memoryKb(pid).rss);
      await Bun.sleep(50);
    }
  })();
  const probes: number[] = [];
  const prober = (async () => {
    while (running) {
      const started = performance.now();
      await (await fetch(`${base}/auth/me`, { headers: { cookie } })).arrayBuffer();
      probes.push(performance.now() - started);
      await Bun.sleep(100);
    }
  })();
  const started = performance.now();
  const response = await fetch(`${base}${path}`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  let firstByteMs = 0;
  let bytes = 0;
  let lines = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (bytes === 0) firstByteMs = performance.now() - started;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
  }
  const totalMs = performance.now() - started;
  running = false;
  await Promise.all([sampler, prober]);
  return { firstByteMs, totalMs, bytes, lines, peakRssKb, probes };
}

async function run(dialect: "sqlite" | "postgres") {
  const server = await startBenchServer(dialect, PG_URL, { app: "main" });
  const db = await openDatabase(server.url, { poolSize: 2 });
  try {
    const cookie = await session(server.base);
    const workspaceId = await onlyWorkspace(db);
    let started = performance.now();
    const { campaignId, sentAt } = await seed(db, workspaceId, RECIPIENTS);
    console.log(`\n${dialect}: seeded ${n(RECIPIENTS)} recipients of one campaign, with open and click events, in ${(((performance.now() - started) / 1000) as number).toFixed(1)} s`);

    const day = (at: number) => new Date(at).toISOString().slice(0, 10);
    const filter = `from=${day(sentAt)}&to=${day(sentAt + HOUR)}&campaignId=${campaignId}`;
    const totals = (await (await fetch(`${server.base}/analytics?${filter}`, { headers: { cookie } })).json()) as { totals: { sent: number } };

    started = performance.now();
    const all = await db.rows(
      sql`select id, email, status, sent_at, delivered_at, opened_at, clicked_at, bounced_at, complained_at, unsubscribed_at, message_id, error from recipients where campaign_id = ${campaignId} order by id`,
    );
    const bare = performance.now() - started;
    console.log(`  baseline: a bare SELECT of the same ${n(all.length)} rows (one query, from this process): ${(bare / 1000).toFixed(1)} s`);

    // Warm the routes (and the server's JIT) on a small period first.
    await (await fetch(`${server.base}/analytics/recipients?from=2000-01-01&to=2000-01-01`, { headers: { cookie } })).arrayBuffer();
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await (await fetch(`${server.base}/auth/me`, { headers: { cookie } })).arrayBuffer();
      idle.push(performance.now() - t0);
    }
    console.log(`  GET /auth/me on the idle server: p50 ${percentile(idle, 50).toFixed(1)} ms, worst ${Math.max(...idle).toFixed(1)} ms`);

    let xlsxPeak = 0;
    for (const format of ["xlsx", "csv"] as const) {
      const before = memoryKb(server.pid).rss;
      const m = await download(server.base, cookie, server.pid, `/analytics/recipients?${filter}&format=${format}`);
      if (format === "xlsx") xlsxPeak = m.peakRssKb;
      const rows = format === "csv" ? `, ${n(m.lines - 1)} rows (totals.sent ${n(totals.totals.sent)})` : "";
      console.log(
        `  ${format.padEnd(4)} ${(m.totalMs / 1000).toFixed(1).padStart(5)} s (${(m.totalMs / bare).toFixed(1)} × the bare SELECT), first byte after ${n(m.firstByteMs)} ms, ${mb(m.bytes / 1024)}${rows}; ` +
          `server RSS ${mb(before)} before, peak ${mb(m.peakRssKb)} during; GET /auth/me beside it: p50 ${percentile(m.probes, 50).toFixed(1)} ms, worst ${Math.max(...m.probes).toFixed(1)} ms (${m.probes.length} requests)`,
      );
    }
    const { peak } = memoryKb(server.pid);
    console.log(`  server peak RSS over the whole run (VmHWM, seeding excluded: it ran in this process): ${mb(peak)}`);
    console.log(`  target: peak RSS under ${TARGET_MB} MB during the xlsx export: ${xlsxPeak / 1024 < TARGET_MB ? "met" : "not met"} (${mb(xlsxPeak)})`);
    const { count, first } = server.errors();
    if (count) console.log(`  the server logged ${n(count)} error${count === 1 ? "" : "s"}; the first: ${first}`);
  } finally {
    await db.close();
    await server.remove();
  }
}

const dialects = await benchDialects(which);
console.log(`target: the server's peak RSS under ${TARGET_MB} MB while it streams a ${n(RECIPIENTS)}-row xlsx export`);
for (const dialect of dialects) await run(dialect);
