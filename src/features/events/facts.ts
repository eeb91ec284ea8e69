import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { EventType } from "./model";

/**
 * One thing learnt about one recipient's mail, from an SES event or a tracking hit. SES delivers
 * late, twice and out of order, and a hit may arrive before the delivery it follows: so each fact
 * is recorded once (the event's key), sets the time of its kind on the recipient only the first
 * time (which is when its counter moves), and moves the recipient's status only forward.
 */
export interface Fact {
  workspaceId: string;
  type: EventType;
  /** The event's source id: unique per workspace, so a second arrival changes nothing. */
  key: string;
  email: string;
  at: Date;
  detail: Record<string, unknown>;
  /** Opens and clicks only. */
  class: "human" | "machine" | null;
  campaignId: string | null;
  recipientId: number | null;
  /** The SES message id the event names. */
  messageId?: string;
  /** The recipient's outcome was unknown when the event was read: the event may settle it. */
  settles?: boolean;
  /** A Permanent bounce (a Transient one is not the address's end). */
  hard?: boolean;
}

export interface Applied extends Fact {
  eventId: number;
}

/** Facts recorded and what they changed, for the rules that follow (suppression, the reputation guard). */
export interface FactsOutcome {
  applied: Applied[];
  /** Campaigns that learnt of new bounces or complaints. */
  reputationTouched: Set<string>;
}

type Counter = "sent" | "delivered" | "bounced" | "complained" | "opened" | "clicked" | "unique_opens" | "unique_clicks" | "human_opens" | "human_clicks" | "rejected" | "delayed" | "settled";

/** The recipient's time of each kind of fact, and the counter it moves the first time. */
const FIRSTS: { column: string; counter: Counter; applies: (f: Fact) => boolean }[] = [
  { column: "delivered_at", counter: "delivered", applies: (f) => f.type === "delivery" },
  { column: "bounced_at", counter: "bounced", applies: (f) => f.type === "bounce" && f.hard === true },
  { column: "complained_at", counter: "complained", applies: (f) => f.type === "complaint" },
  // A click is an open too: the mail was read to get there.
  { column: "opened_at", counter: "unique_opens", applies: (f) => f.type === "open" || f.type === "click" },
  { column: "clicked_at", counter: "unique_clicks", applies: (f) => f.type === "click" },
  { column: "human_opened_at", counter: "human_opens", applies: (f) => (f.type === "open" || f.type === "click") && f.class === "human" },
  { column: "human_clicked_at", counter: "human_clicks", applies: (f) => f.type === "click" && f.class === "human" },
];

/** Counters every recorded fact of a kind moves (hits, not people). */
const EACH: Partial<Record<EventType, Counter>> = { open: "opened", click: "clicked", reject: "rejected", delivery_delay: "delayed" };

/**
 * Forward-only statuses: a recipient moves to `status` only from one of `from`. Bounces and
 * complaints win over the rest; a rejected mail (SES refused it after accepting the call) failed.
 */
const MOVES: { status: string; from: string[]; applies: (f: Fact) => boolean }[] = [
  { status: "delivered", from: ["sent"], applies: (f) => f.type === "delivery" },
  { status: "opened", from: ["sent", "delivered"], applies: (f) => f.type === "open" },
  { status: "clicked", from: ["sent", "delivered", "opened"], applies: (f) => f.type === "click" },
  { status: "bounced", from: ["sent", "delivered", "opened", "clicked"], applies: (f) => f.type === "bounce" && f.hard === true },
  { status: "complained", from: ["sent", "delivered", "opened", "clicked", "bounced"], applies: (f) => f.type === "complaint" },
  { status: "failed", from: ["sent"], applies: (f) => f.type === "reject" },
];

/** Any of these from SES shows that a mail whose outcome was unknown did go out. */
const SETTLES: EventType[] = ["send", "delivery", "bounce", "complaint", "delivery_delay", "open", "click", "reject"];

const CHUNK = 500;
const hourOf = (at: Date | number) => Math.floor(Number(at instanceof Date ? at.getTime() : at) / 3_600_000) * 3_600_000;

/** A JSON array of records as a table `j` the statement joins on. */
function rowsOf(db: Database, rows: Record<string, string | number | null>[], columns: Record<string, "bigint" | "text">): SQL {
  const json = JSON.stringify(rows);
  if (db.dialect === "postgres") {
    const shape = Object.entries(columns)
      .map(([name, type]) => `${name} ${type}`)
      .join(", ");
    return sql`(select * from jsonb_to_recordset(${json}::jsonb) as x(${sql.raw(shape)})) as j`;
  }
  const picks = Object.keys(columns)
    .map((name) => `value ->> '${name}' as ${name}`)
    .join(", ");
  return sql`(select ${sql.raw(picks)} from json_each(${json})) as j`;
}

function idsIn(db: Database, ids: number[]): SQL {
  const json = JSON.stringify(ids);
  return db.dialect === "postgres" ? sql`(select (jsonb_array_elements_text(${json}::jsonb))::bigint)` : sql`(select value from json_each(${json}))`;
}

/**
 * Records facts in the caller's transaction: the events, the recipients' times and statuses, and
 * the campaigns' hourly counters, so a counter never disagrees with the rows behind it.
 */
export async function applyFacts(tx: Database, facts: Fact[]): Promise<FactsOutcome> {
  const applied: Applied[] = [];
  for (let i = 0; i < facts.length; i += CHUNK) applied.push(...(await insertFacts(tx, facts.slice(i, i + CHUNK))));
  const outcome: FactsOutcome = { applied, reputationTouched: new Set() };
  if (applied.length === 0) return outcome;

  const counts = new Map<string, { workspaceId: string; campaignId: string; hour: number } & Partial<Record<Counter, number>>>();
  const count = (workspaceId: string, campaignId: string, at: Date | number, counter: Counter) => {
    const hour = hourOf(at);
    const key = `${campaignId}\u0000${hour}`;
    const row = counts.get(key) ?? { workspaceId, campaignId, hour };
    row[counter] = (row[counter] ?? 0) + 1;
    counts.set(key, row);
  };
  const onRecipients = applied.filter((f) => f.recipientId !== null && f.campaignId !== null);
  const workspaceOf = new Map(onRecipients.map((f) => [f.campaignId!, f.workspaceId]));
  // Ids in one order in every statement, so two transactions never wait on each other in a circle.
  const sorted = [...onRecipients].sort((a, b) => a.recipientId! - b.recipientId! || a.at.getTime() - b.at.getTime());

  if (tx.dialect === "postgres" && sorted.length > 0) {
    // Each statement below locks its rows in id order, but one fact kind after another: two batches
    // touching the same recipients with different kinds would lock them in opposite orders. Every
    // recipient of the batch is locked first, in one order.
    const ids = [...new Set(sorted.map((f) => f.recipientId!))];
    await tx.rows(sql`select id from recipients where id in ${idsIn(tx, ids)} order by id for update`);
  }
  for (const row of await settleUnknowns(tx, sorted)) {
    count(workspaceOf.get(row.campaign_id)!, row.campaign_id, row.sent_at, "sent");
    count(workspaceOf.get(row.campaign_id)!, row.campaign_id, row.sent_at, "settled");
  }
  for (const first of FIRSTS) {
    // The earliest fact of the kind per recipient.
    const earliest = new Map<number, number>();
    for (const f of sorted) if (first.applies(f) && !earliest.has(f.recipientId!)) earliest.set(f.recipientId!, f.at.getTime());
    if (earliest.size === 0) continue;
    const rows = await tx.rows<{ id: number; campaign_id: string; at: number }>(sql`
      update recipients set ${sql.raw(first.column)} = j.a
      from ${rowsOf(tx, [...earliest].map(([id, a]) => ({ id, a })), { id: "bigint", a: "bigint" })}
      where recipients.id = j.id and recipients.${sql.raw(first.column)} is null
      returning recipients.id, recipients.campaign_id, recipients.${sql.raw(first.column)} as at`);
    for (const row of rows) {
      count(workspaceOf.get(row.campaign_id)!, row.campaign_id, Number(row.at), first.counter);
      if (first.counter === "bounced" || first.counter === "complained") outcome.reputationTouched.add(row.campaign_id);
    }
  }
  for (const move of MOVES) {
    const ids = [...new Set(sorted.filter(move.applies).map((f) => f.recipientId!))];
    if (ids.length === 0) continue;
    const from = sql.join(
      move.from.map((s) => sql`${s}`),
      sql`, `,
    );
    const reason = move.status === "failed" ? sql`, error = ${"SES rejected the mail after accepting it (it found a virus or the content could not be rendered)."}` : sql``;
    await tx.rows(sql`update recipients set status = ${move.status}${reason} where id in ${idsIn(tx, ids)} and status in (${from})`);
  }
  const softIds = [...new Set(sorted.filter((f) => f.type === "bounce" && !f.hard).map((f) => f.recipientId!))];
  if (softIds.length > 0) {
    await tx.rows(sql`update recipients set error = ${"Soft bounce: the receiving server could not take the mail for now (a full mailbox, a message too large, a server down)."}
      where id in ${idsIn(tx, softIds)} and status in ('sent', 'delivered')`);
  }
  for (const f of onRecipients) {
    const counter = EACH[f.type];
    if (counter) count(f.workspaceId, f.campaignId!, f.at, counter);
  }
  await addCounts(tx, [...counts.values()].sort((a, b) => a.campaignId.localeCompare(b.campaignId) || a.hour - b.hour));
  return outcome;
}

async function insertFacts(tx: Database, facts: Fact[]): Promise<Applied[]> {
  if (facts.length === 0) return [];
  // One JSON parameter the database unpacks: binding ten values a row costs more than the insert.
  const json = JSON.stringify(
    facts.map((f) => ({ w: f.workspaceId, t: f.type, s: f.key, e: f.email, a: f.at.getTime(), d: f.detail, k: f.class, c: f.campaignId, r: f.recipientId })),
  );
  const source =
    tx.dialect === "postgres"
      ? sql`select w, t, s, e, a, d, k, c, r from jsonb_to_recordset(${json}::jsonb) as x(w text, t text, s text, e text, a bigint, d jsonb, k text, c text, r bigint)`
      : sql`select value ->> 'w', value ->> 't', value ->> 's', value ->> 'e', value ->> 'a', value -> 'd', value ->> 'k', value ->> 'c', value ->> 'r' from json_each(${json}) where true`;
  const inserted = await tx.rows<{ id: number; source_id: string; workspace_id: string }>(sql`
    insert into events (workspace_id, type, source_id, email, at, detail, class, campaign_id, recipient_id) ${source}
    on conflict (workspace_id, source_id) do nothing
    returning id, source_id, workspace_id`);
  const ids = new Map(inserted.map((r) => [`${r.workspace_id}\u0000${r.source_id}`, Number(r.id)]));
  return facts.flatMap((f) => {
    const eventId = ids.get(`${f.workspaceId}\u0000${f.key}`);
    // Delete the key so the same fact twice in one batch is recorded once.
    if (eventId === undefined) return [];
    ids.delete(`${f.workspaceId}\u0000${f.key}`);
    return [{ ...f, eventId }];
  });
}

/** A recipient left `unknown` by a crash that SES reports as sent becomes `sent`, with the message id SES gave it. */
async function settleUnknowns(tx: Database, facts: Applied[]) {
  const found = new Map<number, { id: number; m: string; a: number }>();
  for (const f of facts) {
    if (f.settles && f.messageId && SETTLES.includes(f.type) && !found.has(f.recipientId!)) found.set(f.recipientId!, { id: f.recipientId!, m: f.messageId, a: f.at.getTime() });
  }
  if (found.size === 0) return [];
  return tx.rows<{ id: number; campaign_id: string; sent_at: number }>(sql`
    update recipients set status = 'sent', message_id = j.m, sent_at = j.a, error = null, claimed_by = null
    from ${rowsOf(tx, [...found.values()], { id: "bigint", m: "text", a: "bigint" })}
    where recipients.id = j.id and recipients.status = 'unknown'
    returning recipients.id, recipients.campaign_id, recipients.sent_at`);
}

const COUNTERS: Counter[] = ["sent", "delivered", "bounced", "complained", "opened", "clicked", "unique_opens", "unique_clicks", "human_opens", "human_clicks", "rejected", "delayed", "settled"];

async function addCounts(tx: Database, rows: ({ workspaceId: string; campaignId: string; hour: number } & Partial<Record<Counter, number>>)[]) {
  if (rows.length === 0) return;
  const columns = sql.raw(COUNTERS.join(", "));
  const values = sql.join(
    rows.map((r) => sql`(${r.workspaceId}, ${r.campaignId}, ${r.hour}, ${sql.join(COUNTERS.map((c) => sql`${r[c] ?? 0}`), sql`, `)})`),
    sql`, `,
  );
  const updates = sql.raw(COUNTERS.map((c) => `${c} = campaign_stats.${c} + excluded.${c}`).join(", "));
  await tx.rows(sql`insert into campaign_stats (workspace_id, campaign_id, hour, ${columns}) values ${values} on conflict (campaign_id, hour) do update set ${updates}`);
}
