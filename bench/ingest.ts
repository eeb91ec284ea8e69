/**
 * SNS ingest at load. A workspace registered to an SNS topic and a campaign sent to N recipients (each
 * with its SES message id) are written into a fresh database; then one SES event per recipient —
 * Delivery mostly, Permanent and Transient Bounce, Complaint, Open, Click, in SES's own shapes
 * (tests/fixtures/ses and SES's documented Open/Click examples) — is posted to the real
 * `POST /sns/notifications` of the real server, each as its own SNS message signed with the test
 * certificate (tests/support/sns.ts), which the server fetches from a local URL it is told to trust
 * (SNS_CERT_URL_PATTERN), as the tests do. Every message is signed before timing starts. The load
 * generator (bench/load-server.ts) keeps 64 connections busy, one message in flight on each.
 *
 * Prints verified events/s, then checks that every posted event is in `events` (by type and address).
 * Baseline, measured in the same run on the same database with the same driver: JSON.parse of each
 * SNS body and of its Message, then one insert per event into an `events`-shaped table, 64 events
 * (what 64 connections can have in flight) per transaction. Also printed: the same posts into a bare
 * Bun.serve that only reads the body (what HTTP and the generator allow at all on this machine).
 *
 * Target: ≥ 2,000 verified events/s.
 *
 *   bun bench/ingest.ts [count] [sqlite|postgres|both]   (events; default 20,000)
 */
import { availableParallelism, loadavg } from "node:os";
import { createClient } from "@libsql/client";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase } from "../src/db/client";
import { sesFixture, signedSnsMessage, startCertServer } from "../tests/support/sns";
import { addressees, cpuSeconds, describeStatuses, load, machineCpu, onlyWorkspace, postgresCpuSeconds, postRequest, seedSentCampaign, startBenchServer, STOP_SECONDS, type Addressee } from "./load-server";
import { benchDialects, PG_URL, session } from "./support";

const COUNT = Number(process.argv[2] ?? 20_000);
const which = process.argv[3] ?? "both";
const CONNECTIONS = 64;
const CORES = availableParallelism();
const TOPIC = "arn:aws:sns:us-east-1:123456789012:sesame-bench-events";
const CONFIGURATION_SET = "sesame-bench";
const TARGET = 2_000;
/** A run that has not posted everything by then stops sending and reports what it has. */
const MAX_SECONDS = 120;
const n = (v: number) => Math.round(v).toLocaleString("en");

type Kind = "Delivery" | "Bounce Permanent" | "Bounce Transient" | "Complaint" | "Open" | "Click";
/** Out of every 100 events. */
const MIX: [Kind, number][] = [
  ["Delivery", 70],
  ["Bounce Permanent", 5],
  ["Bounce Transient", 3],
  ["Complaint", 2],
  ["Open", 10],
  ["Click", 10],
];
const TYPE: Record<Kind, string> = { Delivery: "delivery", "Bounce Permanent": "bounce", "Bounce Transient": "bounce", Complaint: "complaint", Open: "open", Click: "click" };
const kindOf = (i: number): Kind => {
  let slot = i % 100;
  for (const [kind, share] of MIX) {
    if (slot < share) return kind;
    slot -= share;
  }
  return "Delivery";
};

const fixtures = {
  delivery: await sesFixture("delivery"),
  permanent: await sesFixture("bounce-permanent"),
  transient: await sesFixture("bounce-transient"),
  complaint: await sesFixture("complaint"),
};
const USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

/** One SES event about one recipient, as SES publishes it to SNS through a configuration set. */
function sesEvent(kind: Kind, r: Addressee, sentAt: Date): Record<string, unknown> {
  const at = new Date(sentAt.getTime() + 5_000).toISOString();
  // Every event carries the whole `mail` object (headers included), as configuration-set events do.
  const mail = structuredClone(fixtures.permanent.mail);
  Object.assign(mail, { timestamp: sentAt.toISOString(), messageId: r.messageId, destination: [r.email] });
  mail.headers = mail.headers.map((h: { name: string; value: string }) => (h.name === "To" ? { ...h, value: r.email } : h));
  mail.commonHeaders = { ...mail.commonHeaders, to: [r.email], messageId: r.messageId };
  mail.tags = { ...mail.tags, "ses:configuration-set": [CONFIGURATION_SET], "ses:operation": ["SendBulkEmail"] };
  switch (kind) {
    case "Delivery":
      return { eventType: "Delivery", mail, delivery: { ...fixtures.delivery.delivery, timestamp: at, recipients: [r.email] } };
    case "Bounce Permanent":
    case "Bounce Transient": {
      const bounce = structuredClone((kind === "Bounce Permanent" ? fixtures.permanent : fixtures.transient).bounce);
      bounce.timestamp = at;
      bounce.feedbackId = `${r.messageId}-bounce`;
      bounce.bouncedRecipients = [{ ...bounce.bouncedRecipients[0], emailAddress: r.email }];
      return { eventType: "Bounce", bounce, mail };
    }
    case "Complaint":
      return { eventType: "Complaint", complaint: { ...fixtures.complaint.complaint, timestamp: at, feedbackId: `${r.messageId}-complaint`, complainedRecipients: [{ emailAddress: r.email }] }, mail };
    case "Open":
      return { eventType: "Open", mail, open: { ipAddress: "192.0.2.1", timestamp: at, userAgent: USER_AGENT } };
    case "Click":
      return {
        eventType: "Click",
        mail,
        click: { ipAddress: "192.0.2.1", link: "https://example.com/read", linkTags: { campaign: ["bench"] }, timestamp: at, userAgent: USER_AGENT },
      };
  }
}

const EVENTS_SHAPE = {
  sqlite: [
    "create table baseline_events (id integer primary key autoincrement, workspace_id text not null, type text not null, source_id text not null, campaign_id text, recipient_id integer, email text, at integer not null, detail text, class text)",
    "create unique index baseline_events_workspace_source_idx on baseline_events (workspace_id, source_id)",
    "create index baseline_events_workspace_at_idx on baseline_events (workspace_id, at)",
    "create index baseline_events_campaign_idx on baseline_events (campaign_id, type)",
    "create index baseline_events_workspace_email_idx on baseline_events (workspace_id, email, at)",
    "create index baseline_events_recipient_idx on baseline_events (recipient_id, type)",
  ],
  postgres: [
    "create table baseline_events (id bigint primary key generated by default as identity, workspace_id text not null, type text not null, source_id text not null, campaign_id text, recipient_id bigint, email text, at bigint not null, detail jsonb, class text)",
    "create unique index baseline_events_workspace_source_idx on baseline_events (workspace_id, source_id)",
    "create index baseline_events_workspace_at_idx on baseline_events (workspace_id, at)",
    "create index baseline_events_campaign_idx on baseline_events (campaign_id, type)",
    "create index baseline_events_workspace_email_idx on baseline_events (workspace_id, email, at)",
    "create index baseline_events_recipient_idx on baseline_events (recipient_id, type)",
  ],
};

/** The bare work: both JSON.parses and one row per event, nothing verified or looked up. */
function bareRow(workspaceId: string, body: string) {
  const sns = JSON.parse(body);
  const event = JSON.parse(sns.Message);
  const kind = event.eventType as string;
  const detail = event[kind.charAt(0).toLowerCase() + kind.slice(1)];
  const email: string = kind === "Delivery" ? detail.recipients[0] : kind === "Bounce" ? detail.bouncedRecipients[0].emailAddress : kind === "Complaint" ? detail.complainedRecipients[0].emailAddress : event.mail.destination[0];
  return [workspaceId, kind.toLowerCase(), `sns:${sns.MessageId}:${email}`, email, new Date(detail.timestamp).getTime(), JSON.stringify(detail)] as const;
}

async function baseline(dialect: "sqlite" | "postgres", url: string, workspaceId: string, bodies: string[]): Promise<number> {
  if (dialect === "sqlite") {
    const client = createClient({ url });
    try {
      await client.execute("PRAGMA synchronous = NORMAL");
      for (const statement of EVENTS_SHAPE.sqlite) await client.execute(statement);
      const started = performance.now();
      for (let i = 0; i < bodies.length; i += CONNECTIONS) {
        const rows = bodies.slice(i, i + CONNECTIONS).map((body) => bareRow(workspaceId, body));
        await client.batch(
          rows.map((args) => ({ sql: "insert into baseline_events (workspace_id, type, source_id, email, at, detail) values (?, ?, ?, ?, ?, ?)", args: [...args] })),
          "write",
        );
      }
      return bodies.length / ((performance.now() - started) / 1000);
    } finally {
      client.close();
    }
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const statement of EVENTS_SHAPE.postgres) await sql.unsafe(statement);
    const started = performance.now();
    for (let i = 0; i < bodies.length; i += CONNECTIONS) {
      const rows = bodies.slice(i, i + CONNECTIONS).map((body) => bareRow(workspaceId, body));
      // One transaction; the inserts are pipelined on its connection, as the 64 requests would be.
      await sql.begin((tx) =>
        rows.map(([w, type, source, email, at, detail]) => tx`insert into baseline_events (workspace_id, type, source_id, email, at, detail) values (${w}, ${type}, ${source}, ${email}, ${at}, ${detail}::jsonb)`),
      );
    }
    return bodies.length / ((performance.now() - started) / 1000);
  } finally {
    await sql.end();
  }
}

interface Prepared {
  bodies: string[];
  kinds: Kind[];
  people: Addressee[];
}

/** The events and their signed SNS messages: one set for both databases, which get the same recipients. */
function prepare(certUrl: string): Prepared {
  const people = addressees(COUNT);
  const sentAt = new Date(Date.now() - 60_000);
  const started = performance.now();
  const kinds = people.map((_, i) => kindOf(i));
  const bodies = people.map((p, i) =>
    JSON.stringify(signedSnsMessage({ Type: "Notification", TopicArn: TOPIC, Message: JSON.stringify(sesEvent(kinds[i]!, p, sentAt)) }, certUrl, i % 10 === 9 ? "1" : "2")),
  );
  console.log(`signed ${n(COUNT)} SNS messages before timing in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { bodies, kinds, people };
}

const HEADERS = {
  "Content-Type": "text/plain; charset=UTF-8",
  "x-amz-sns-message-type": "Notification",
  "x-amz-sns-topic-arn": TOPIC,
  "User-Agent": "Amazon Simple Notification Service Agent",
};

async function httpAlone(requests: Uint8Array[]): Promise<number> {
  const bare = await startBenchServer("sqlite", PG_URL, { app: "bare" });
  try {
    return (await load(bare.port, requests, CONNECTIONS)).rate;
  } finally {
    await bare.remove();
  }
}

async function run(dialect: "sqlite" | "postgres", prepared: Prepared, requests: Uint8Array[], certEnv: Record<string, string>) {
  const server = await startBenchServer(dialect, PG_URL, { app: "main", env: certEnv });
  const db = await openDatabase(server.url, { poolSize: 2 });
  try {
    await session(server.base);
    const workspaceId = await onlyWorkspace(db);
    // What POST /aws/events/setup leaves behind once SNS has confirmed the subscription.
    await db.orm
      .update(db.t.workspaces)
      .set({ configurationSet: CONFIGURATION_SET, eventTopicArn: TOPIC, eventSubscriptionArn: `${TOPIC}:bench`, eventSubscriptionStatus: "confirmed" })
      .where(eq(db.t.workspaces.id, workspaceId));
    await seedSentCampaign(db, workspaceId, prepared.people, "sent");

    const base = await baseline(dialect, server.url, workspaceId, prepared.bodies);
    console.log(`${dialect.padEnd(8)} baseline: JSON.parse of body and Message, one insert per event, ${CONNECTIONS} per transaction (${dialect === "sqlite" ? "@libsql/client batch" : "postgres.js, pipelined"}): ${n(base)} events/s`);

    const cpuBefore = cpuSeconds(server.pid);
    const pgBefore = postgresCpuSeconds();
    const machineBefore = machineCpu();
    const result = await load(server.port, requests, CONNECTIONS, MAX_SECONDS);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const pgCpu = postgresCpuSeconds() - pgBefore;
    const machineAfter = machineCpu();
    const busy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
    const verified = result.statuses.get(200) ?? 0;
    const rate = verified / result.seconds;
    // Whatever the server still holds is written before it exits: count after a graceful stop.
    await server.stop();

    const rows = await db.orm.select({ type: db.t.events.type, email: db.t.events.email }).from(db.t.events).where(eq(db.t.events.workspaceId, workspaceId));
    const have = new Set(rows.map((r) => `${r.type} ${r.email}`));
    const byType = new Map<string, { posted: number; stored: number }>();
    let stored = 0;
    prepared.kinds.slice(0, result.sent).forEach((kind, i) => {
      const type = TYPE[kind];
      const entry = byType.get(type) ?? { posted: 0, stored: 0 };
      entry.posted++;
      if (have.has(`${type} ${prepared.people[i]!.email}`)) {
        entry.stored++;
        stored++;
      }
      byType.set(type, entry);
    });
    console.log(
      `${dialect.padEnd(8)} POST /sns/notifications: ${n(rate)} verified events/s = ${(rate / base).toFixed(2)}× the baseline ` +
        `(${n(result.sent)} posted in ${result.seconds.toFixed(1)} s: ${describeStatuses(result)}); ` +
        (verified ? `server CPU ${((cpu / verified) * 1000).toFixed(2)} ms per event (→ ${n((CORES * verified) / cpu)}/s on ${CORES} cores${dialect === "postgres" ? ", PostgreSQL's own CPU not counted" : ""})` : `server CPU ${cpu.toFixed(1)} s`),
    );
    if (verified) {
      // The ceiling: what the app and its database spend per event, against the cores there are
      // (the load generator runs on the same cores).
      const perEvent = (cpu + (dialect === "postgres" ? pgCpu : 0)) / verified;
      console.log(
        `${dialect.padEnd(8)} ceiling: the app${dialect === "postgres" ? ` (${((cpu / verified) * 1000).toFixed(2)} ms) and PostgreSQL (${((pgCpu / verified) * 1000).toFixed(2)} ms) spend` : " spends"} ${(perEvent * 1000).toFixed(2)} ms of CPU per event → ${n(CORES / perEvent)}/s on ${CORES} cores; the machine was ${Math.round(busy * 100)}% busy during the run`,
      );
    }
    if (server.killed()) console.log(`${dialect.padEnd(8)} the server had not stopped ${STOP_SECONDS} s after SIGTERM: killed`);
    const { count: errors, first } = server.errors();
    if (errors) console.log(`${dialect.padEnd(8)} the server logged ${n(errors)} error${errors === 1 ? "" : "s"}; the first: ${first}`);
    console.log(`${dialect.padEnd(8)} stored ${n(stored)} of ${n(result.sent)} (${[...byType].map(([type, e]) => `${type} ${n(e.stored)} of ${n(e.posted)}`).join(", ")})`);
    console.log(`${dialect.padEnd(8)} target ≥ ${n(TARGET)} verified events/s: ${rate >= TARGET && stored === COUNT ? "met" : "not met"}`);
  } finally {
    await db.close();
    await server.remove();
  }
}

const dialects = await benchDialects(which);

const certs = startCertServer();
try {
  console.log(`target ≥ ${n(TARGET)} verified events/s`);
  console.log(`machine: ${CORES} cores, load average ${loadavg()[0]!.toFixed(2)} before the run`);
  const prepared = prepare(certs.certUrl);
  const mix = MIX.map(([kind, share]) => `${kind} ${n((COUNT * share) / 100)}`).join(", ");
  console.log(`${n(COUNT)} SES events, one per recipient of one sent campaign (${mix}), each its own SNS message (SignatureVersion 2, every tenth 1); ${CONNECTIONS} connections`);
  const requests = prepared.bodies.map((body) => postRequest("/sns/notifications", body, HEADERS));
  console.log(`HTTP alone: the same posts into a bare Bun.serve that reads the body and answers: ${n(await httpAlone(requests))} req/s`);
  for (const dialect of dialects) await run(dialect, prepared, requests, { ...certs.env, SNS_SUBSCRIBE_URL_PATTERN: "^http://127\\.0\\.0\\.1:1/" });
} finally {
  certs.stop();
}
