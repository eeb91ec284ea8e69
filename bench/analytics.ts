/**
 * GET /analytics on 10,000,000 events (issue 13, "Speed"). The real server (src/main.ts in its own
 * process) on a fresh database; a person signs up and makes three lists over HTTP; then 200 sent
 * campaigns launched over the 90 days that end now, their recipients and the events — send,
 * delivery, Permanent and Transient bounce, complaint, open and click (human or machine),
 * unsubscribe — are written straight into that database in bulk, campaign by campaign, while the
 * server is stopped (an index build would hold its writers for seconds); it then starts again on
 * the loaded database. Each campaign's `campaign_stats` hours are derived from its events in the
 * same transaction by one INSERT … SELECT … GROUP BY hour, counting what src/features/events/facts.ts
 * counts: every open and click, and the first send, delivery, hard bounce, complaint,
 * open-or-click, click, human open-or-click, human click and unsubscribe of each recipient.
 *
 * Then, over HTTP with the person's session, after a warm-up, p50 and p95 of `GET /analytics` for
 * the dashboard's default (the last 30 days), one campaign over its whole life, 60 days of one list,
 * and hourly figures for 7 days; beside them, in the same run, a bare
 * `SELECT count(*) FROM events WHERE workspace_id = ? AND at >= ? AND at < ?` over the rows the
 * default view covers, through the app's own database driver (no HTTP).
 *
 * Target: p95 under 100 ms on SQLite and PostgreSQL.
 *
 *   bun bench/analytics.ts [events] [sqlite|postgres|both]   (default 10,000,000 events, both)
 */
import { Database as BunSqlite } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, type Database } from "../src/db/client";
import { period, readFilter } from "../src/features/analytics/service";
import { newId } from "../src/lib/ids";
import { createPostgresDatabase } from "../tests/support/db";
import { startServer as startServerProcess } from "../tests/support/server";
import { benchDialects, PG_URL, session } from "./support";

const EVENTS = Number(process.argv[2] ?? 10_000_000);
const which = process.argv[3] ?? "both";
const CAMPAIGNS = 200;
const DAYS = 90;
const WARMUP = 20;
const REQUESTS = 200;
const TARGET_MS = 100;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Recipients per block: the event pattern below repeats every BLOCK recipients of a campaign. */
const BLOCK = 1000;
/** Between two recipients' sends: a campaign of 16,000 goes out in 16 minutes. */
const SEND_GAP_MS = 60;

const n = (v: number) => Math.round(v).toLocaleString("en");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface PatternEvent {
  /** The recipient within the block, and the event's place among that recipient's (in time order). */
  r: number;
  k: number;
  type: string;
  /** After the recipient's send. */
  delay: number;
  cls: "human" | "machine" | null;
  detail: string | null;
}

/**
 * What BLOCK recipients of a campaign do, the same in every block: a seeded draw, so every run
 * writes the same rows. About 3.1 events a recipient: 2% Permanent bounces, 1% Transient, 0.5% with
 * no outcome; of the rest, 35% opened at once by a machine (Apple's Mail Privacy Protection), 25%
 * opened by a person a few times over the following hours to weeks, 30% of those clicking, 2%
 * clicked by a link scanner, 0.15% complaints, 0.4% unsubscribes.
 */
function pattern(): PatternEvent[] {
  let seed = 13;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const between = (a: number, b: number) => Math.round(a + random() * (b - a));
  /** Most people read within hours, some after days, a few weeks later. */
  const readAfter = () => Math.min(30 * DAY - HOUR, random() < 0.1 ? between(DAY, 30 * DAY) : Math.round(-Math.log(1 - random()) * 6 * HOUR));
  const all: PatternEvent[] = [];
  for (let r = 0; r < BLOCK; r++) {
    const mine: Omit<PatternEvent, "r" | "k">[] = [{ type: "send", delay: 0, cls: null, detail: null }];
    const fate = random();
    if (fate < 0.02) {
      const subType = random() < 0.7 ? "NoEmail" : "General";
      mine.push({ type: "bounce", delay: between(2 * SECOND, 30 * SECOND), cls: null, detail: JSON.stringify({ bounceType: "Permanent", bounceSubType: subType }) });
    } else if (fate < 0.03) {
      mine.push({ type: "bounce", delay: between(5 * SECOND, 60 * SECOND), cls: null, detail: JSON.stringify({ bounceType: "Transient", bounceSubType: "MailboxFull" }) });
    } else if (fate >= 0.035) {
      const delivered = between(SECOND, 8 * SECOND);
      mine.push({ type: "delivery", delay: delivered, cls: null, detail: null });
      if (random() < 0.35) mine.push({ type: "open", delay: delivered + between(10 * SECOND, 30 * MINUTE), cls: "machine", detail: null });
      if (random() < 0.02) mine.push({ type: "click", delay: delivered + between(2 * SECOND, MINUTE), cls: "machine", detail: null });
      if (random() < 0.25) {
        let read = delivered + readAfter();
        mine.push({ type: "open", delay: read, cls: "human", detail: null });
        const clicks = random() < 0.3 ? (random() < 0.5 ? 1 : 2) : 0;
        for (let i = 0; i < clicks; i++) mine.push({ type: "click", delay: read + between(10 * SECOND, 10 * MINUTE), cls: "human", detail: null });
        while (random() < 0.45) {
          read = Math.min(30 * DAY, read + between(10 * MINUTE, 3 * DAY));
          mine.push({ type: "open", delay: read, cls: "human", detail: null });
        }
        if (random() < 0.016) mine.push({ type: "unsubscribe", delay: read + between(MINUTE, 5 * MINUTE), cls: null, detail: null });
      }
      if (random() < 0.0015) mine.push({ type: "complaint", delay: delivered + between(HOUR, 72 * HOUR), cls: null, detail: JSON.stringify({ complaintFeedbackType: "abuse" }) });
    }
    mine.sort((a, b) => a.delay - b.delay);
    mine.forEach((e, k) => all.push({ ...e, r, k }));
  }
  return all;
}

/** The seeded period: 90 days ending now, one campaign launched every 10.8 hours. */
function plan(now: number, total: number) {
  const start = now - DAYS * DAY;
  const launches = Array.from({ length: CAMPAIGNS }, (_, c) => start + Math.round(((c + 0.5) * DAYS * DAY) / CAMPAIGNS));
  const events = pattern();
  const delays = Array.from({ length: BLOCK }, () => [] as number[]);
  for (const e of events) delays[e.r]!.push(e.delay);
  /** Events of campaign c's first `recipients` recipients that happened before now. */
  const survivors = (c: number, recipients: number) => {
    let count = 0;
    for (let i = 0; i < recipients; i++) {
      const sentAt = launches[c]! + i * SEND_GAP_MS;
      for (const d of delays[i % BLOCK]!) if (sentAt + d < now) count++;
    }
    return count;
  };
  const totalFor = (recipients: number) => launches.reduce((sum, _, c) => sum + survivors(c, recipients), 0);
  // The fewest recipients per campaign that give `total` events; the last campaigns are cut to it.
  let low = 1;
  let high = 1;
  while (totalFor(high) < total) high *= 2;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (totalFor(mid) >= total) high = mid;
    else low = mid + 1;
  }
  const recipients = high;
  let left = total;
  const limits = launches.map((_, c) => {
    const all = survivors(c, recipients);
    const take = Math.min(all, left);
    left -= take;
    return { take, cut: take < all };
  });
  return { start, launches, events, recipients, limits };
}

/** The bench's own connection for the bulk load (the server is stopped): bun:sqlite on the file, or one PostgreSQL connection. */
interface Bulk {
  dialect: "sqlite" | "postgres";
  /** `?` placeholders on both; returns the rows changed. */
  run(text: string, params?: (string | number)[]): Promise<number>;
  all<T>(text: string, params?: (string | number)[]): Promise<T[]>;
  close(): Promise<void>;
}

async function bulkConnection(url: string): Promise<Bulk> {
  if (url.startsWith("file:")) {
    const db = new BunSqlite(url.slice("file:".length));
    // This connection only: a crash mid-seed loses a scratch database, nothing else.
    db.run("pragma synchronous = off");
    db.run("pragma cache_size = -2000000");
    db.run("pragma temp_store = memory");
    db.run("pragma busy_timeout = 10000");
    return {
      dialect: "sqlite",
      run: async (text, params = []) => db.query(text).run(...params).changes,
      all: async <T,>(text: string, params: (string | number)[] = []) => db.query(text).all(...params) as T[],
      close: async () => {
        db.run("pragma wal_checkpoint(truncate)");
        db.close();
      },
    };
  }
  const client = postgres(url, { max: 1, onnotice: () => {} });
  await client.unsafe("set synchronous_commit = off");
  await client.unsafe("set maintenance_work_mem = '1GB'");
  await client.unsafe("set work_mem = '256MB'");
  const numbered = (text: string) => {
    let i = 0;
    return text.replace(/\?/g, () => `$${++i}`);
  };
  return {
    dialect: "postgres",
    run: async (text, params = []) => (await client.unsafe(numbered(text), params)).count,
    all: async <T,>(text: string, params: (string | number)[] = []) => [...(await client.unsafe(numbered(text), params))] as T[],
    close: () => client.end(),
  };
}

/** A whole number written into SQL (the bench's own arithmetic, never input). */
const int = (v: number) => {
  if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
  return String(v);
};

/** Each recipient's first time of each fact, as facts.ts keeps them on the recipient (and counts them once). */
const FIRSTS: { column: string; counter: string; when: string }[] = [
  { column: "sent", counter: "sent", when: "type = 'send'" },
  { column: "delivered", counter: "delivered", when: "type = 'delivery'" },
  { column: "bounced", counter: "bounced", when: "type = 'bounce' and detail ->> 'bounceType' = 'Permanent'" },
  { column: "complained", counter: "complained", when: "type = 'complaint'" },
  { column: "opened", counter: "unique_opens", when: "type in ('open', 'click')" },
  { column: "clicked", counter: "unique_clicks", when: "type = 'click'" },
  { column: "human_opened", counter: "human_opens", when: "type in ('open', 'click') and class = 'human'" },
  { column: "human_clicked", counter: "human_clicks", when: "type = 'click' and class = 'human'" },
  { column: "unsubscribed", counter: "unsubscribed", when: "type = 'unsubscribe'" },
];
/** Counters every event of a kind moves. */
const EACH: { counter: string; type: string }[] = [
  { counter: "opened", type: "open" },
  { counter: "clicked", type: "click" },
];
const STATS = [...FIRSTS.map((f) => f.counter), ...EACH.map((e) => e.counter)];
const hourOf = (column: string) => `(${column} / 3600000) * 3600000`;

/** Secondary indexes of the bulk-loaded tables, dropped while loading and built again after. */
async function dropIndexes(bulk: Bulk, tables: string[]): Promise<string[]> {
  const list = tables.map((t) => `'${t}'`).join(", ");
  const rows =
    bulk.dialect === "sqlite"
      ? await bulk.all<{ name: string; definition: string }>(`select name, sql as definition from sqlite_master where type = 'index' and tbl_name in (${list}) and sql is not null`)
      : await bulk.all<{ name: string; definition: string }>(
          `select indexname as name, indexdef as definition from pg_indexes where schemaname = current_schema() and tablename in (${list})
             and indexname not in (select conname from pg_constraint)`,
        );
  for (const row of rows) await bulk.run(`drop index ${row.name}`);
  return rows.map((r) => r.definition);
}

interface Seeded {
  workspaceId: string;
  campaignIds: string[];
  listIds: string[];
  launches: number[];
  events: number;
  recipients: number;
  statsRows: number;
  timings: { rows: number; indexes: number; analyze: number; total: number };
}

async function seed(db: Database, url: string, workspaceId: string, listIds: string[], now: number): Promise<Seeded> {
  const started = performance.now();
  const { launches, events, recipients, limits } = plan(now, EVENTS);
  const campaignIds = launches.map(() => newId("cmp"));
  // Most campaigns go to one list; a few to two or three, so a list's campaigns are not a partition.
  const listsOf = (c: number) => (c % 25 === 0 ? listIds : c % 10 === 0 ? [listIds[c % 3]!, listIds[(c + 1) % 3]!] : [listIds[c % 3]!]);
  await db.orm.insert(db.t.campaigns).values(
    launches.map((launch, c) => ({
      id: campaignIds[c]!,
      workspaceId,
      name: `Newsletter ${c + 1}`,
      status: "sent",
      fromAddress: "news@example.com",
      subject: `News ${c + 1}`,
      html: '<p>News</p><p><a href="https://example.com/read">Read</a></p>',
      listIds: listsOf(c),
      expandedAt: new Date(launch),
      launchedAt: new Date(launch),
      finishedAt: new Date(launch + recipients * SEND_GAP_MS),
      createdAt: new Date(launch - DAY),
      updatedAt: new Date(launch + recipients * SEND_GAP_MS),
    })),
  );

  const bulk = await bulkConnection(url);
  const pg = bulk.dialect === "postgres";
  const indexes = await dropIndexes(bulk, ["events", "recipients"]);
  await bulk.run(`create temp table bench_pattern (r integer not null, k integer not null, type text not null, delay bigint not null, class text, detail text)`);
  for (let i = 0; i < events.length; i += 500) {
    const slice = events.slice(i, i + 500);
    await bulk.run(
      `insert into bench_pattern (r, k, type, delay, class, detail) values ${slice.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
      slice.flatMap((e) => [e.r, e.k, e.type, e.delay, e.cls ?? "", e.detail ?? ""]),
    );
  }
  await bulk.run(`update bench_pattern set class = nullif(class, ''), detail = nullif(detail, '')`);
  await bulk.run(`create temp table bench_firsts (recipient_id bigint primary key, email text not null, ${FIRSTS.map((f) => `${f.column} bigint`).join(", ")})`);

  const blocks = Math.ceil(recipients / BLOCK);
  const series = pg ? `generate_series(0, ${int(blocks - 1)}) as b(n)` : `b`;
  const withBlocks = pg ? "" : `with recursive b(n) as (select 0 union all select n + 1 from b where n + 1 < ${int(blocks)}) `;
  const detail = pg ? "p.detail::jsonb" : "p.detail";
  let inserted = 0;
  let recipientRows = 0;
  let statsRows = 0;
  for (let c = 0; c < CAMPAIGNS; c++) {
    const { take, cut } = limits[c]!;
    if (take === 0) continue;
    const campaignId = campaignIds[c]!;
    const firstId = c * recipients + 1;
    const i = `(b.n * ${BLOCK} + p.r)`;
    const at = `${int(launches[c]!)} + ${i} * ${SEND_GAP_MS} + p.delay`;
    await bulk.run("begin");
    const after = Number((await bulk.all<{ last: number | null }>(`select max(id) as last from events`))[0]!.last ?? 0);
    const added = await bulk.run(
      `${withBlocks}insert into events (workspace_id, type, source_id, campaign_id, recipient_id, email, at, detail, class)
       select ?, p.type, 'bench:' || ? || ':' || ${i} || ':' || p.k, ?, ${int(firstId)} + ${i}, 'reader' || ${i} || '@example.com', ${at}, ${detail}, p.class
       from ${series} join bench_pattern p on ${i} < ${int(recipients)}
       where ${at} < ${int(now)}
       ${cut ? `order by b.n, p.r, p.k limit ${int(take)}` : ""}`,
      [workspaceId, String(c), campaignId],
    );
    if (added !== take) throw new Error(`campaign ${c}: ${added} events written, ${take} planned`);
    inserted += added;
    const [{ last }] = await bulk.all<{ last: number }>(`select max(id) as last from events`);
    // Bounded on both sides: PostgreSQL has no statistics of the growing table yet, and reads a range as a few rows (an index scan), an open end as a third of the table.
    const written = `id > ${int(after)} and id <= ${int(Number(last))}`;
    await bulk.run(
      `insert into bench_firsts (recipient_id, email, ${FIRSTS.map((f) => f.column).join(", ")})
       select recipient_id, min(email), ${FIRSTS.map((f) => `min(case when ${f.when} then at end)`).join(", ")}
       from events where ${written} group by recipient_id`,
    );
    recipientRows += await bulk.run(
      `insert into recipients (id, workspace_id, campaign_id, email, status, message_id, attempts, sent_at, delivered_at, bounced_at, complained_at, opened_at, clicked_at, human_opened_at, human_clicked_at, unsubscribed_at)
       select recipient_id, ?, ?, email,
         case when complained is not null then 'complained' when bounced is not null then 'bounced' when clicked is not null then 'clicked'
              when opened is not null then 'opened' when delivered is not null then 'delivered' else 'sent' end,
         'bench-' || recipient_id, 1, sent, delivered, bounced, complained, opened, clicked, human_opened, human_clicked, unsubscribed
       from bench_firsts`,
      [workspaceId, campaignId],
    );
    // What facts.ts would have written: the hour of each recipient's first fact of a kind, and of every open and click.
    const zeros = (keep: string) => STATS.map((s) => `${s === keep ? 1 : 0} as ${s}`).join(", ");
    const parts = [
      ...FIRSTS.map((f) => `select ${hourOf(f.column)} as hour, ${zeros(f.counter)} from bench_firsts where ${f.column} is not null`),
      ...EACH.map((e) => `select ${hourOf("at")} as hour, ${zeros(e.counter)} from events where ${written} and type = '${e.type}'`),
    ];
    statsRows += await bulk.run(
      `insert into campaign_stats (workspace_id, campaign_id, hour, ${STATS.join(", ")})
       select ?, ?, hour, ${STATS.map((s) => `sum(${s})`).join(", ")}
       from (${parts.join(" union all ")}) as facts
       group by hour`,
      [workspaceId, campaignId],
    );
    await bulk.run(pg ? "truncate bench_firsts" : "delete from bench_firsts");
    await bulk.run("commit");
  }
  const rowsDone = performance.now();
  for (const definition of indexes) await bulk.run(definition);
  const indexesDone = performance.now();
  if (pg) {
    await bulk.run(`select setval(pg_get_serial_sequence('recipients', 'id'), (select max(id) from recipients))`);
    // What autovacuum does soon after a load this size: statistics for the planner, and the
    // visibility map that lets the baseline count from the index alone.
    await bulk.run("vacuum analyze");
  }
  await bulk.close();
  const done = performance.now();
  return {
    workspaceId,
    campaignIds,
    listIds,
    launches,
    events: inserted,
    recipients: recipientRows,
    statsRows,
    timings: { rows: rowsDone - started, indexes: indexesDone - rowsDone, analyze: done - indexesDone, total: done - started },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** p50 and p95 (ms) of `REQUESTS` calls after `WARMUP`, one at a time. */
async function latency(call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * The real server on an existing database, its log kept (LOG_LEVEL warn): only its error lines are
 * printed, at the end.
 */
async function serve(env: Record<string, string>) {
  const server = await startServerProcess({ ...env, APP_SECRET: "b".repeat(64), LOG_LEVEL: "warn" });
  return {
    base: server.url,
    stop: async () => {
      await server.stop();
      return server.output().split("\n").filter((line) => line.includes('"level":"error"'));
    },
  };
}

async function run(dialect: "sqlite" | "postgres") {
  const runStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "sesame-bench-"));
  let url = `file:${join(dir, "sesame.db")}`;
  let drop = async () => {};
  if (dialect === "postgres") ({ url, drop } = await createPostgresDatabase(PG_URL, "sesame_bench"));
  const env = { DATABASE_URL: url, DATA_DIR: join(dir, "data") };
  let db: Database | null = null;
  let server: Awaited<ReturnType<typeof serve>> | null = null;
  try {
    // The app creates its tables, a person signs up and makes lists; then the app stops, so the
    // bulk load holds the database alone (a long index build would keep its writers waiting).
    server = await serve(env);
    const cookie = await session(server.base);
    const call = async (path: string, init: { method?: string; json?: unknown } = {}) => {
      const reply = await fetch(`${server!.base}${path}`, {
        method: init.method ?? "GET",
        headers: { cookie, accept: "application/json", ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
      const text = await reply.text();
      if (!reply.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${reply.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };
    const listIds: string[] = [];
    for (const name of ["Readers", "Customers", "Partners"]) listIds.push((await call("/lists", { method: "POST", json: { name } })).id);
    const early = await server.stop();
    server = null;
    const open = (db = await openDatabase(url, { poolSize: 2 }));
    const [workspace] = await open.orm.select({ id: db.t.workspaces.id }).from(db.t.workspaces);
    const now = Date.now();
    const seeded = await seed(open, url, workspace!.id, listIds, now);
    server = await serve(env);
    const size = dialect === "sqlite" ? statSync(url.slice("file:".length)).size : Number((await open.rows<{ size: number }>(sql`select pg_database_size(current_database()) as size`))[0]!.size);
    const t = seeded.timings;
    console.log(
      `\n${dialect}: seeded ${n(seeded.events)} events, ${n(seeded.recipients)} recipients, ${CAMPAIGNS} campaigns over ${DAYS} days ending now and ${n(seeded.statsRows)} campaign_stats rows in ${seconds(t.total)}` +
        ` (rows ${seconds(t.rows)}, indexes ${seconds(t.indexes)}${dialect === "postgres" ? `, vacuum analyze ${seconds(t.analyze)}` : ""}); database ${(size / 1024 ** 3).toFixed(2)} GB`,
    );
    if (seeded.events < EVENTS) console.log(`  only ${n(seeded.events)} of ${n(EVENTS)} events were written`);

    const today = dayOf(now);
    const daysAgo = (d: number) => dayOf(now - d * DAY);
    const oneCampaign = Math.floor(CAMPAIGNS / 2);
    const views: { label: string; path: string }[] = [
      { label: "default (last 30 days, no filter)", path: "/analytics" },
      { label: `one campaign, its whole life (${daysAgo(Math.round((now - seeded.launches[oneCampaign]!) / DAY))} to today)`, path: `/analytics?campaignId=${seeded.campaignIds[oneCampaign]}&from=${dayOf(seeded.launches[oneCampaign]!)}&to=${today}` },
      { label: "60 days of one list", path: `/analytics?from=${daysAgo(59)}&to=${today}&listId=${listIds[0]}` },
      { label: "hourly, 7 days", path: `/analytics?from=${daysAgo(6)}&to=${today}&interval=hour` },
    ];
    const first = await call(views[0]!.path);
    // The hours the default view sums, as the service computes them for the person's zone.
    const { since, until } = period(readFilter({ from: first.filter.from, to: first.filter.to }, first.filter.timeZone, new Date()));
    const bare = sql`select count(*) as n from events where workspace_id = ${seeded.workspaceId} and at >= ${since.getTime()} and at < ${until.getTime()}`;
    const counted = Number((await open.rows<{ n: number }>(bare))[0]!.n);

    console.log(`  GET /analytics default: totals.sent ${n(first.totals.sent)}, delivered ${n(first.totals.delivered)}, opened ${n(first.totals.opened)}, clicked ${n(first.totals.clicked)} (${first.filter.from} to ${first.filter.to}, ${n(counted)} events)`);
    let met = true;
    for (const view of views) {
      const { p50, p95 } = await latency(() => call(view.path));
      met &&= p95 < TARGET_MS;
      console.log(`  GET /analytics ${view.label.padEnd(50)} p50 ${p50.toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  ${p95 < TARGET_MS ? "met" : "NOT met"}`);
    }
    const baseline = await latency(() => open.rows(bare));
    console.log(`  baseline: select count(*) of the default view's ${n(counted)} events (no HTTP)   p50 ${baseline.p50.toFixed(1).padStart(6)} ms  p95 ${baseline.p95.toFixed(1).padStart(6)} ms`);
    const errors = [...early, ...(await server.stop())];
    server = null;
    if (errors.length) console.log(`  the server logged ${errors.length} error${errors.length === 1 ? "" : "s"}; the first: ${errors[0]}`);
    console.log(`  target p95 < ${TARGET_MS} ms for every view: ${met ? "met" : "not met"}; the whole run took ${seconds(performance.now() - runStarted)}`);
  } finally {
    await server?.stop();
    await db?.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const dialects = await benchDialects(which);
console.log(`target: p95 of GET /analytics under ${TARGET_MS} ms on ${n(EVENTS)} events; ${WARMUP} warm-up then ${REQUESTS} requests a view, one at a time`);
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} before the run`);
for (const dialect of dialects) await run(dialect);
