import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { inJson, type Database } from "../../db/client";
import type { CampaignStatus, RecipientStatus } from "./model";

type CampaignRow = typeof import("../../db/schema.sqlite").campaigns.$inferSelect;
type CampaignInsert = typeof import("../../db/schema.sqlite").campaigns.$inferInsert;

export async function insertCampaign(db: Database, row: CampaignInsert) {
  await db.orm.insert(db.t.campaigns).values(row);
}

export async function findCampaign(db: Database, workspaceId: string, id: string): Promise<CampaignRow | null> {
  const { campaigns } = db.t;
  const [row] = await db.orm.select().from(campaigns).where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id)));
  return row ?? null;
}

export async function campaignStatusOf(db: Database, id: string): Promise<{ status: CampaignStatus; holdUntil: Date | null } | null> {
  const { campaigns } = db.t;
  const [row] = await db.orm.select({ status: campaigns.status, holdUntil: campaigns.holdUntil }).from(campaigns).where(eq(campaigns.id, id));
  return row ? { status: row.status as CampaignStatus, holdUntil: row.holdUntil } : null;
}

export async function listCampaignRows(db: Database, workspaceId: string, options: { limit: number; offset: number }) {
  const { campaigns } = db.t;
  return db.orm
    .select()
    .from(campaigns)
    .where(eq(campaigns.workspaceId, workspaceId))
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .limit(options.limit)
    .offset(options.offset);
}

export async function countCampaigns(db: Database, workspaceId: string): Promise<number> {
  const [row] = await db.rows<{ n: number }>(sql`select count(*) as n from campaigns where workspace_id = ${workspaceId}`);
  return Number(row?.n ?? 0);
}

/**
 * Moves a campaign from one of `from` to `to` with `changes`, only if it is still in one of `from`:
 * two requests (or two instances) racing on the same move cannot both win.
 */
export async function moveCampaign(
  db: Database,
  workspaceId: string,
  id: string,
  from: CampaignStatus[],
  to: CampaignStatus,
  changes: Partial<CampaignInsert> = {},
): Promise<boolean> {
  const { campaigns } = db.t;
  const moved = await db.orm
    .update(campaigns)
    .set({ ...changes, status: to })
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id), inArray(campaigns.status, from)))
    .returning({ id: campaigns.id });
  return moved.length > 0;
}

export async function updateCampaignRow(db: Database, workspaceId: string, id: string, from: CampaignStatus[], changes: Partial<CampaignInsert>): Promise<boolean> {
  const { campaigns } = db.t;
  const updated = await db.orm
    .update(campaigns)
    .set(changes)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id), inArray(campaigns.status, from)))
    .returning({ id: campaigns.id });
  return updated.length > 0;
}

export async function deleteCampaignRow(db: Database, workspaceId: string, id: string, from: CampaignStatus[]): Promise<boolean> {
  const { campaigns } = db.t;
  const deleted = await db.orm
    .delete(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id), inArray(campaigns.status, from)))
    .returning({ id: campaigns.id });
  return deleted.length > 0;
}

/** Every running campaign of a workspace (instance-wide callers pass null): the sender's work list. */
export async function runningCampaigns(db: Database, workspaceId: string | null) {
  const { campaigns } = db.t;
  return db.orm
    .select({ id: campaigns.id, workspaceId: campaigns.workspaceId, holdUntil: campaigns.holdUntil, expandedAt: campaigns.expandedAt })
    .from(campaigns)
    .where(workspaceId ? and(eq(campaigns.status, "running"), eq(campaigns.workspaceId, workspaceId)) : eq(campaigns.status, "running"));
}

/** Scheduled campaigns whose time has come (instance-wide: the scheduler serves every workspace). */
export async function dueCampaigns(db: Database, now: Date) {
  const { campaigns } = db.t;
  return db.orm
    .select({ id: campaigns.id, workspaceId: campaigns.workspaceId })
    .from(campaigns)
    .where(and(eq(campaigns.status, "scheduled"), lte(campaigns.scheduledAt, now)))
    .orderBy(asc(campaigns.scheduledAt));
}

/** The lists a campaign may use, with their member counts. */
export async function listsOfWorkspace(db: Database, workspaceId: string, ids: string[]) {
  const { lists } = db.t;
  if (ids.length === 0) return [];
  return db.orm
    .select({ id: lists.id, name: lists.name, contacts: lists.contactCount })
    .from(lists)
    .where(and(eq(lists.workspaceId, workspaceId), inArray(lists.id, ids)));
}

/**
 * The audience of `listIds` as a launch would build it: distinct addresses, those suppressed or no
 * longer active (skipped), and memberships beyond the first of the same address (duplicates).
 */
export async function audienceOf(db: Database, workspaceId: string, listIds: string[]) {
  if (listIds.length === 0) return { memberships: 0, distinct: 0, suppressed: 0 };
  const lists = inJson(db, sql.raw("lc.list_id") as never, listIds);
  const [row] = await db.rows<{ memberships: number; distinct_contacts: number; suppressed: number }>(sql`
    select
      (select count(*) from list_contacts lc where lc.workspace_id = ${workspaceId} and ${lists}) as memberships,
      count(*) as distinct_contacts,
      coalesce(sum(case when c.status <> 'active' or exists (select 1 from suppressions s where s.workspace_id = c.workspace_id and s.email = c.email) then 1 else 0 end), 0) as suppressed
    from contacts c
    where c.workspace_id = ${workspaceId}
      and exists (select 1 from list_contacts lc where lc.contact_id = c.id and lc.workspace_id = ${workspaceId} and ${lists})`);
  return { memberships: Number(row?.memberships ?? 0), distinct: Number(row?.distinct_contacts ?? 0), suppressed: Number(row?.suppressed ?? 0) };
}

/**
 * Copies the next contacts of one list (by contact id, after `afterContactId`) into the campaign's
 * recipients, each with its attributes as variables. An address already there (from another list,
 * or a run before a crash) is left as it is; a suppressed or inactive contact is added as
 * "suppressed", so the campaign shows who was skipped. Returns the last contact id read, or null at
 * the end of the list.
 */
export async function expandListSlice(db: Database, c: { workspaceId: string; id: string }, listId: string, afterContactId: number, limit: number): Promise<number | null> {
  const [edge] = await db.rows<{ contact_id: number }>(sql`
    select contact_id from list_contacts where list_id = ${listId} and contact_id > ${afterContactId}
    order by contact_id limit 1 offset ${limit - 1}`);
  const upto = edge ? Number(edge.contact_id) : null;
  await db.rows(sql`
    insert into recipients (workspace_id, campaign_id, contact_id, email, variables, status, attempts)
    select c.workspace_id, ${c.id}, c.id, c.email, c.attributes,
      case when c.status <> 'active' or s.email is not null then 'suppressed' else 'queued' end, 0
    from list_contacts lc
    join contacts c on c.id = lc.contact_id and c.workspace_id = ${c.workspaceId}
    left join suppressions s on s.workspace_id = c.workspace_id and s.email = c.email
    where lc.list_id = ${listId} and lc.contact_id > ${afterContactId} ${upto === null ? sql`` : sql`and lc.contact_id <= ${upto}`}
    order by lc.contact_id
    on conflict (campaign_id, email) do nothing`);
  return upto;
}

/** Moves the expansion cursor forward only, so two instances expanding at once never move it back. */
export async function advanceExpansion(db: Database, id: string, cursor: number) {
  await db.rows(sql`update campaigns set expanded_through = ${cursor} where id = ${id} and expanded_through < ${cursor}`);
}

/**
 * Marks the campaign's recipients complete, counting the addresses that were in more than one of
 * its lists (memberships beyond the first, as the list counts say).
 */
export async function finishExpansion(db: Database, c: { workspaceId: string; id: string; listIds: string[] }, now: Date) {
  const [row] = await db.rows<{ memberships: number; from_lists: number }>(sql`
    select
      (select coalesce(sum(contact_count), 0) from lists where workspace_id = ${c.workspaceId} and ${inJson(db, sql.raw("id") as never, c.listIds)}) as memberships,
      (select count(*) from recipients where campaign_id = ${c.id} and contact_id is not null) as from_lists`);
  const duplicates = Math.max(0, Number(row?.memberships ?? 0) - Number(row?.from_lists ?? 0));
  const { campaigns } = db.t;
  await db.orm.update(campaigns).set({ expandedAt: now, duplicates }).where(eq(campaigns.id, c.id));
  // Statistics taken while recipients was small would have PostgreSQL walk the primary key past every
  // sent row on each claim (quadratic over a campaign); a fresh sample keeps it on the campaign's index.
  if (db.dialect === "postgres") await db.rows(sql`analyze recipients`);
}

export interface NewRecipient {
  email: string;
  variables: Record<string, string> | null;
  contactId: number | null;
}

/** Recipients given directly (POST /email/send), suppressed addresses marked so; a repeated address is kept once. */
export async function insertRecipients(db: Database, c: { workspaceId: string; id: string }, rows: NewRecipient[], suppressed: Set<string>) {
  if (rows.length === 0) return;
  const { recipients } = db.t;
  for (let i = 0; i < rows.length; i += 1000) {
    await db.orm
      .insert(recipients)
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          workspaceId: c.workspaceId,
          campaignId: c.id,
          contactId: r.contactId,
          email: r.email,
          variables: r.variables,
          status: suppressed.has(r.email) ? "suppressed" : "queued",
        })),
      )
      .onConflictDoNothing({ target: [recipients.campaignId, recipients.email] });
  }
}

export interface ClaimedRecipient {
  id: number;
  email: string;
  variables: Record<string, string>;
  attempts: number;
  /** On the workspace's suppression list when claimed: it is recorded as suppressed, never sent. */
  suppressed: boolean;
}

/**
 * Claims up to `limit` queued recipients for `runner` (queued → sending) before any SES call, so a
 * crash leaves a trace of who may have been mailed; only while the campaign is running and not held
 * (a pause or a cancel made while the sender waited for its slot claims nothing). Each claimed row
 * says whether its address is suppressed. One statement for all three: the send loop's round trips
 * to the database are what limits it, not the database's work. PostgreSQL skips rows another
 * instance is claiming; SQLite runs one writer at a time.
 *
 * `afterId`: the sender's cursor, the highest id it claimed so far. Claimed rows leave behind, on
 * PostgreSQL, index entries that only a vacuum removes, and statistics taken while every row was
 * queued make the planner walk the primary key past every row already sent: from the start, each
 * claim would read the whole campaign's past (quadratic over a campaign). From the cursor it reads
 * only what it takes.
 */
export async function claimQueuedRecipients(db: Database, campaignId: string, runner: string, limit: number, now: Date, afterId = 0): Promise<ClaimedRecipient[]> {
  const at = now.getTime();
  const sendable = sql`exists (select 1 from campaigns where id = ${campaignId} and status = 'running' and (hold_until is null or hold_until <= ${at}))`;
  const suppressed = sql`exists (select 1 from suppressions s where s.workspace_id = recipients.workspace_id and s.email = recipients.email)`;
  // On PostgreSQL the pick is a materialised CTE: as an IN (subquery … LIMIT) the planner may run the
  // subquery more than once and claim more rows than asked for.
  const claim =
    db.dialect === "postgres"
      ? sql`
        with picked as materialized (
          select id from recipients where campaign_id = ${campaignId} and status = 'queued' and id > ${afterId} and ${sendable}
          order by campaign_id, status, id limit ${limit} for update skip locked)
        update recipients set status = 'sending', claimed_by = ${runner}, claimed_at = ${at}
        from picked where recipients.id = picked.id and recipients.status = 'queued'
        returning recipients.id, recipients.email, recipients.variables, recipients.attempts, ${suppressed} as suppressed`
      : sql`
        update recipients set status = 'sending', claimed_by = ${runner}, claimed_at = ${at}
        where id in (select id from recipients where campaign_id = ${campaignId} and status = 'queued' and id > ${afterId} order by id limit ${limit})
          and status = 'queued' and ${sendable}
        returning id, email, variables, attempts, ${suppressed} as suppressed`;
  const rows = await db.rows<{ id: number; email: string; variables: unknown; attempts: number; suppressed: unknown }>(claim);
  return rows
    .map((r) => ({
      id: Number(r.id),
      email: r.email,
      variables: (typeof r.variables === "string" ? JSON.parse(r.variables) : r.variables ?? {}) as Record<string, string>,
      attempts: Number(r.attempts),
      suppressed: r.suppressed === true || Number(r.suppressed) === 1,
    }))
    .sort((a, b) => a.id - b.id);
}

export interface Outcome {
  id: number;
  status: Extract<RecipientStatus, "sent" | "failed" | "unknown" | "suppressed" | "queued">;
  messageId?: string | null;
  error?: string | null;
  /** When SES accepted it. */
  at?: number | null;
  /** An SES call failed for it in passing: one more attempt counted toward giving up. */
  retried?: boolean;
}

/**
 * Records a batch's outcomes and the campaign's hourly sent/failed counters in one transaction, in
 * one round trip: on PostgreSQL one statement (the counters from the rows the update changed), on
 * SQLite one batch (the counters from the rows the update is about to change, read under the same
 * write lock). Only rows still claimed ("sending") or given up as "unknown" change: a late answer
 * beats "unknown", never a newer outcome, and a row an SES event already settled is not counted twice.
 */
export async function recordOutcomes(db: Database, c: { workspaceId: string; id: string }, outcomes: Outcome[], now: Date) {
  if (outcomes.length === 0) return;
  const json = JSON.stringify(outcomes.map((o) => ({ id: o.id, s: o.status, m: o.messageId ?? null, e: o.error ?? null, a: o.at ?? null, r: o.retried ? 1 : 0 })));
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  const released = sql`case when j.s = 'queued' then null else recipients.claimed_by end`;
  const set = sql`status = j.s, message_id = coalesce(j.m, recipients.message_id), error = j.e,
      sent_at = coalesce(j.a, recipients.sent_at), claimed_by = ${released}, attempts = recipients.attempts + j.r`;
  const count = sql`on conflict (campaign_id, hour) do update set sent = campaign_stats.sent + excluded.sent, failed = campaign_stats.failed + excluded.failed`;
  if (db.dialect === "postgres") {
    // The batch's ids are the way in (the primary key), never the campaign's status index: the ||''
    // keeps the planner off it, as SQLite's unary + does below. That index still holds an entry for
    // every row that was ever "sending" until a vacuum, and walking them all per batch is quadratic.
    await db.rows(sql`
      with j as (select * from jsonb_to_recordset(${json}::jsonb) as x(id bigint, s text, m text, e text, a bigint, r int)),
      changed as (
        update recipients set ${set} from j
        where recipients.id = j.id and recipients.campaign_id || '' = ${c.id} and recipients.status || '' in ('sending', 'unknown')
        returning recipients.status)
      insert into campaign_stats (workspace_id, campaign_id, hour, sent, failed)
      select ${c.workspaceId}, ${c.id}, ${hour}, k.sent, k.failed
      from (select count(*) filter (where status = 'sent') as sent, count(*) filter (where status = 'failed') as failed from changed) as k
      where k.sent + k.failed > 0
      ${count}`);
    return;
  }
  const source = sql`(select value ->> 'id' as id, value ->> 's' as s, value ->> 'm' as m, value ->> 'e' as e, value ->> 'a' as a, value ->> 'r' as r from json_each(${json})) as j`;
  // The unary + keeps SQLite off the campaign's status index: the batch's ids are the way in, not an
  // index that would read every claimed row once per outcome.
  const still = sql`+recipients.campaign_id = ${c.id} and +recipients.status in ('sending', 'unknown')`;
  await db.orm.batch([
    // (The WHERE before ON CONFLICT is SQLite's way to tell an upsert from a join's ON.)
    db.orm.run(sql`
      insert into campaign_stats (workspace_id, campaign_id, hour, sent, failed)
      select ${c.workspaceId}, ${c.id}, ${hour}, k.sent, k.failed
      from (select coalesce(sum(j.s = 'sent'), 0) as sent, coalesce(sum(j.s = 'failed'), 0) as failed
            from ${source} join recipients on recipients.id = j.id where ${still}) as k
      where k.sent + k.failed > 0
      ${count}`),
    db.orm.run(sql`update recipients set ${set} from ${source} where recipients.id = j.id and ${still}`),
  ]);
}

export async function countByStatus(db: Database, campaignId: string) {
  const rows = await db.rows<{ status: string; n: number }>(sql`select status, count(*) as n from recipients where campaign_id = ${campaignId} group by status`);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<RecipientStatus, number>>;
}

/** What happened after the send, from the campaign's hourly counters (kept in the transactions that record each event). */
export async function engagementCounts(db: Database, campaignId: string) {
  const columns = ["delivered", "bounced", "complained", "unique_opens", "unique_clicks", "human_opens", "human_clicks", "unsubscribed", "rejected", "delayed", "settled"] as const;
  const [row] = await db.rows<Record<(typeof columns)[number], number>>(
    sql`select ${sql.raw(columns.map((c) => `coalesce(sum(${c}), 0) as ${c}`).join(", "))} from campaign_stats where campaign_id = ${campaignId}`,
  );
  const n = (c: (typeof columns)[number]) => Number(row?.[c] ?? 0);
  return {
    delivered: n("delivered"),
    bounced: n("bounced"),
    complained: n("complained"),
    opened: n("unique_opens"),
    clicked: n("unique_clicks"),
    humanOpened: n("human_opens"),
    humanClicked: n("human_clicks"),
    unsubscribed: n("unsubscribed"),
    rejected: n("rejected"),
    delayed: n("delayed"),
    settled: n("settled"),
  };
}

/** True while any recipient still waits for its first SES call or its answer. */
export async function hasUnsettled(db: Database, campaignId: string): Promise<boolean> {
  const rows = await db.rows(sql`select 1 from recipients where campaign_id = ${campaignId} and status in ('queued', 'sending') limit 1`);
  return rows.length > 0;
}

/** How many recipients wait to be claimed, counting no further than `limit` (a sender reserves no more slots than that). */
export async function queuedUpTo(db: Database, campaignId: string, limit: number): Promise<number> {
  const [row] = await db.rows<{ n: number }>(sql`select count(*) as n from (select 1 from recipients where campaign_id = ${campaignId} and status = 'queued' limit ${limit}) as q`);
  return Number(row?.n ?? 0);
}

export async function recipientsPage(db: Database, workspaceId: string, campaignId: string, options: { status: RecipientStatus | null; limit: number; offset: number }) {
  const { recipients } = db.t;
  const where = and(eq(recipients.workspaceId, workspaceId), eq(recipients.campaignId, campaignId), options.status ? eq(recipients.status, options.status) : undefined);
  const items = await db.orm
    .select({ id: recipients.id, email: recipients.email, status: recipients.status, messageId: recipients.messageId, sentAt: recipients.sentAt, error: recipients.error })
    .from(recipients)
    .where(where)
    .orderBy(asc(recipients.id))
    .limit(options.limit)
    .offset(options.offset);
  const [total] = await db.orm.select({ n: sql<number>`count(*)` }).from(recipients).where(where);
  return { items, total: Number(total?.n ?? 0) };
}

/** The user chose to resend the unknown recipients: they are queued again, with a note of why. */
export async function requeueUnknown(db: Database, workspaceId: string, campaignId: string): Promise<number> {
  const rows = await db.rows(sql`
    update recipients set status = 'queued', claimed_by = null, error = 'Resent by choice after an unknown outcome'
    where workspace_id = ${workspaceId} and campaign_id = ${campaignId} and status = 'unknown' returning id`);
  return rows.length;
}

/** A cancelled campaign's queued recipients are cancelled; those in flight keep their outcome. */
export async function cancelQueued(db: Database, campaignId: string): Promise<number> {
  const rows = await db.rows(sql`update recipients set status = 'cancelled' where campaign_id = ${campaignId} and status = 'queued' returning id`);
  return rows.length;
}

export async function deleteRecipientsOf(db: Database, campaignId: string) {
  await db.rows(sql`delete from recipients where campaign_id = ${campaignId}`);
}

// Runners: one per process that sends. A runner whose heartbeat stops is dead; its claims are settled.

export async function beat(db: Database, runner: string, now: Date, startedAt: Date) {
  await db.rows(sql`insert into runners (id, started_at, heartbeat_at) values (${runner}, ${startedAt.getTime()}, ${now.getTime()})
    on conflict (id) do update set heartbeat_at = excluded.heartbeat_at`);
}

export async function deadRunners(db: Database, staleBefore: Date, self: string): Promise<string[]> {
  const rows = await db.rows<{ id: string }>(sql`select id from runners where heartbeat_at < ${staleBefore.getTime()} and id <> ${self}`);
  return rows.map((r) => r.id);
}

/**
 * The claims of runners that died are settled as "unknown": their SES call may or may not have gone
 * out, and only the user may decide to send again. Rows in campaigns that are still running only.
 */
export async function settleClaimsOf(db: Database, runnerIds: string[]): Promise<{ campaignId: string; n: number }[]> {
  if (runnerIds.length === 0) return [];
  const rows = await db.rows<{ campaign_id: string }>(sql`
    update recipients set status = 'unknown', error = 'Sesame stopped before SES answered; this message may or may not have been sent.'
    where status = 'sending' and ${inJson(db, sql.raw("claimed_by") as never, runnerIds)}
    returning campaign_id`);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.campaign_id, (counts.get(r.campaign_id) ?? 0) + 1);
  await db.rows(sql`delete from runners where ${inJson(db, sql.raw("id") as never, runnerIds)}`);
  return [...counts].map(([campaignId, n]) => ({ campaignId, n }));
}

/** Claims held by other runners than `alive` in one campaign: with SQLite's one process, all of them are orphans at boot. */
export async function claimRunners(db: Database, campaignIds: string[]): Promise<string[]> {
  if (campaignIds.length === 0) return [];
  const rows = await db.rows<{ claimed_by: string | null }>(sql`
    select distinct claimed_by from recipients where status = 'sending' and ${inJson(db, sql.raw("campaign_id") as never, campaignIds)}`);
  return rows.map((r) => r.claimed_by).filter((r): r is string => r !== null);
}
