import { and, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { inJson, type Database } from "../../db/client";
import { RECIPIENT_STATUSES } from "../campaigns/model";

/**
 * The per-recipient rows of an analytics view, read in bounded pages for the exports.
 *
 * A recipient is in the view when its campaign is in the filter's scope and its mail was sent
 * (`sent_at`) within the period, the same hour-aligned instants `period()` gives the counters. The
 * sender counts `sent` in the hour it records as `sent_at` (recordOutcomes, and settleUnknowns for
 * an unknown outcome an SES event settles), so the rows of a view number exactly its `totals.sent`.
 * One corner cannot agree: a deleted campaign takes its recipients with it while its hourly counters
 * stay, so the totals keep counting mail whose rows are gone. And the other facts (delivered,
 * opened...) are counted by the hour they happened: a mail sent on the period's last day and opened
 * the day after is in the rows with its open, but not in that period's `uniqueOpens`.
 */

export const ACTIVITIES = ["any", "opened", "clicked"] as const;
export type Activity = (typeof ACTIVITIES)[number];

export interface RecipientsView {
  workspaceId: string;
  /** The campaigns in scope; null for all of the workspace's. */
  campaignIds: string[] | null;
  since: Date;
  until: Date;
  /** Everyone, those with at least one open (a click is an open too), or at least one click. */
  activity: Activity;
  /** Only those with an open (a click, for "clicked") classified human. */
  human: boolean;
}

export interface RecipientRow {
  id: number;
  campaign: string;
  email: string;
  status: string;
  sentAt: number | null;
  deliveredAt: number | null;
  openedAt: number | null;
  clickedAt: number | null;
  bouncedAt: number | null;
  complainedAt: number | null;
  unsubscribedAt: number | null;
  messageId: string | null;
  error: string | null;
  /**
   * Open and click events (hits), all and human only. A click counts as an open too, as it does for
   * the first-open time and `uniqueOpens` (the mail was read to get there): so a row has opens
   * exactly when it has a first-open time, and human opens exactly when it counts in `humanOpens`.
   */
  opens: number;
  clicks: number;
  humanOpens: number;
  humanClicks: number;
}

/** Rows read per query. */
export const PAGE = 2_000;
/**
 * Ids one query looks through at most. A page stops at PAGE rows, but in a campaign whose rows are
 * spread among others' (or mostly outside the period) it could otherwise read far before finding
 * them: the window bounds what one query reads, so no single query holds up other requests.
 */
const WINDOW = 20 * PAGE;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * A text column no index may serve (SQLite's unary +, an expression in PostgreSQL): the id range is
 * the way in. Through recipients_campaign_status_idx a page would read the whole campaign, which a
 * planner without fresh statistics (rows just written) happily does on every page.
 */
function unindexed(db: Database, column: string) {
  return sql.raw(db.dialect === "sqlite" ? `+${column}` : `(${column} || '')`);
}

/** `recipient_id` among `ids`, in the form each planner takes along events_recipient_idx. */
function recipientIn(db: Database, ids: number[]): SQL {
  return db.dialect === "postgres" ? sql`recipient_id = any(${`{${ids.join(",")}}`}::bigint[])` : sql`recipient_id in (select value from json_each(${JSON.stringify(ids)}))`;
}

/**
 * The scope's campaigns that sent mail within the period, with their names, oldest first. Every
 * recipient of the view was counted as sent in an hour of the period, so these are all the
 * campaigns with rows to read (campaigns that sent nothing then are not read at all).
 */
export async function campaignsSentIn(db: Database, view: RecipientsView): Promise<{ id: string; name: string }[]> {
  if (view.campaignIds && view.campaignIds.length === 0) return [];
  const { campaigns, campaignStats: s } = db.t;
  const sent = db.orm
    .selectDistinct({ id: s.campaignId })
    .from(s)
    .where(
      and(
        eq(s.workspaceId, view.workspaceId),
        gte(s.hour, view.since.getTime()),
        lt(s.hour, view.until.getTime()),
        gt(s.sent, 0),
        view.campaignIds ? inJson(db, s.campaignId, view.campaignIds) : undefined,
      ),
    );
  return db.orm
    .select({ id: campaigns.id, name: campaigns.name })
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, view.workspaceId), inArray(campaigns.id, sent)))
    .orderBy(campaigns.createdAt, campaigns.id);
}

/**
 * The lowest and highest recipient id of a campaign, from the first and last entry of each status in
 * recipients_campaign_status_idx: two dozen index lookups, where min(id) over the campaign reads its
 * whole index (a tenth of a second for a million rows, on the thread that answers requests in SQLite).
 */
async function idBounds(db: Database, campaignId: string): Promise<{ lo: number; hi: number } | null> {
  const ends = RECIPIENT_STATUSES.map(
    (status) =>
      sql`select (select min(id) from recipients where campaign_id = ${campaignId} and status = ${status}) as lo, (select max(id) from recipients where campaign_id = ${campaignId} and status = ${status}) as hi`,
  );
  const [row] = await db.rows<{ lo: unknown; hi: unknown }>(sql`select min(lo) as lo, max(hi) as hi from (${sql.join(ends, sql` union all `)}) as ends`);
  const lo = num(row?.lo);
  const hi = num(row?.hi);
  return lo === null || hi === null ? null : { lo, hi };
}

function activityCondition(view: RecipientsView): SQL {
  if (view.activity === "clicked") return view.human ? sql`and human_clicked_at is not null` : sql`and clicked_at is not null`;
  // A click is an open too: opened_at and human_opened_at are set by either.
  if (view.activity === "opened" || view.human) return view.human ? sql`and human_opened_at is not null` : sql`and opened_at is not null`;
  return sql``;
}

type Row = Omit<RecipientRow, "campaign" | "opens" | "clicks" | "humanOpens" | "humanClicks">;

/** Up to `limit` recipients of the view in one campaign with ids in (after, through], in id order. */
async function recipientsPage(db: Database, view: RecipientsView, campaignId: string, after: number, through: number, limit: number): Promise<Row[]> {
  const rows = await db.rows<Record<string, unknown>>(sql`
    select id, email, status, sent_at, delivered_at, opened_at, clicked_at, bounced_at, complained_at, unsubscribed_at, message_id, error
    from recipients
    where id > ${after} and id <= ${through} and ${unindexed(db, "campaign_id")} = ${campaignId} and workspace_id = ${view.workspaceId}
      and sent_at >= ${view.since.getTime()} and sent_at < ${view.until.getTime()} ${activityCondition(view)}
    order by id
    limit ${limit}`);
  return rows.map((r) => ({
    id: Number(r.id),
    email: String(r.email),
    status: String(r.status),
    sentAt: num(r.sent_at),
    deliveredAt: num(r.delivered_at),
    openedAt: num(r.opened_at),
    clickedAt: num(r.clicked_at),
    bouncedAt: num(r.bounced_at),
    complainedAt: num(r.complained_at),
    unsubscribedAt: num(r.unsubscribed_at),
    messageId: (r.message_id as string | null) ?? null,
    error: (r.error as string | null) ?? null,
  }));
}

type Engagement = Pick<RecipientRow, "opens" | "clicks" | "humanOpens" | "humanClicks">;

/**
 * Open and click events of these recipients, counted in one grouped query along events_recipient_idx.
 * The ids are the workspace's own (read from its recipients just before): a condition on the
 * workspace would only offer the planner events_workspace_type_idx, every open of the workspace.
 */
async function engagementOf(db: Database, ids: number[]): Promise<Map<number, Engagement>> {
  const rows = await db.rows<{ recipient_id: unknown; type: string; class: string | null; n: unknown }>(sql`
    select recipient_id, type, class, count(*) as n from events
    where ${recipientIn(db, ids)} and type in ('open', 'click')
    group by recipient_id, type, class`);
  const out = new Map<number, Engagement>();
  for (const r of rows) {
    const id = Number(r.recipient_id);
    const e = out.get(id) ?? { opens: 0, clicks: 0, humanOpens: 0, humanClicks: 0 };
    const n = Number(r.n);
    e.opens += n;
    if (r.class === "human") e.humanOpens += n;
    if (r.type === "click") {
      e.clicks += n;
      if (r.class === "human") e.humanClicks += n;
    }
    out.set(id, e);
  }
  return out;
}

/**
 * The view's recipients, a page at a time: campaign by campaign (oldest first), by recipient id
 * within each, keyset-paged (never an offset), each page with its open and click counts. Nothing is
 * held beyond the page in hand; `stopped` is asked before each query, so a cancelled download stops
 * the reading. Other work runs between pages.
 */
export async function* recipientPages(db: Database, view: RecipientsView, stopped: () => boolean = () => false): AsyncGenerator<RecipientRow[]> {
  for (const campaign of await campaignsSentIn(db, view)) {
    if (stopped()) return;
    const bounds = await idBounds(db, campaign.id);
    if (!bounds) continue;
    let after = bounds.lo - 1;
    while (after < bounds.hi) {
      if (stopped()) return;
      const through = Math.min(after + WINDOW, bounds.hi);
      const rows = await recipientsPage(db, view, campaign.id, after, through, PAGE);
      // A short page read the whole window; a full one goes on from its last row.
      after = rows.length === PAGE ? rows.at(-1)!.id : through;
      if (rows.length === 0) {
        // An empty window still took its time: the requests waiting get their turn here too.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const engagement = await engagementOf(db, rows.map((r) => r.id));
      yield rows.map((r) => ({ ...r, campaign: campaign.name, opens: 0, clicks: 0, humanOpens: 0, humanClicks: 0, ...engagement.get(r.id) }));
      // SQLite answers without ever leaving this thread: between pages, the requests waiting get their turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** A campaign's name, for the filter an export was made with. */
export async function campaignName(db: Database, workspaceId: string, id: string): Promise<string | null> {
  const { campaigns } = db.t;
  const [row] = await db.orm.select({ name: campaigns.name }).from(campaigns).where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id))).limit(1);
  return row?.name ?? null;
}

/** A list's name, for the filter an export was made with. */
export async function listName(db: Database, workspaceId: string, id: string): Promise<string | null> {
  const { lists } = db.t;
  const [row] = await db.orm.select({ name: lists.name }).from(lists).where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, id))).limit(1);
  return row?.name ?? null;
}
