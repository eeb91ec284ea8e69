import { sql } from "drizzle-orm";
import type { Database } from "../db/client";

/**
 * The SES pace of a workspace, kept in the database so that every campaign of the workspace and
 * every instance draw from one budget. Sends get time slots 1/rate apart: a sender may start its
 * n-th mail only at its slot, so no one-second window holds more than the rate. The 24-hour quota
 * is counted down from GetAccount's SentLast24Hours (re-read every minute) plus what was reserved.
 */
export interface AccountQuota {
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

/** A little under MaxSendRate, so that network jitter cannot push two batches into one second. */
export const PACE_MARGIN = 0.97;
const REFRESH_MS = 60_000;

export type Reservation =
  | { count: number; startAt: number; spanMs: number; intervalMs: number; rate: number; maxRate: number; reserved: number }
  | { count: 0; quota: true }
  /** The rate moved since the caller planned its batch (throttling, a new MaxSendRate): nothing reserved, plan again at `rate`. */
  | { count: 0; replan: true; rate: number; maxRate: number };

interface PacingRow {
  max_rate: number;
  rate: number;
  next_slot_at: number;
  max_24_hour_send: number;
  sent_last_24_hours: number;
  checked_at: number;
}

const num = (r: PacingRow) => ({
  maxRate: Number(r.max_rate),
  rate: Number(r.rate),
  nextSlotAt: Number(r.next_slot_at),
  max24: Number(r.max_24_hour_send),
  sent: Number(r.sent_last_24_hours),
  checkedAt: Number(r.checked_at),
});

async function readPacing(db: Database, workspaceId: string) {
  const [row] = await db.rows<PacingRow>(sql`select * from send_pacing where workspace_id = ${workspaceId}`);
  return row ? num(row) : null;
}

/**
 * Re-reads the account when the last reading is a minute old. Only the caller whose update moves
 * checked_at reads it, so many senders do not all call GetAccount (a control-plane call SES limits
 * to about one a second).
 */
async function refresh(db: Database, workspaceId: string, now: number, readAccount: () => Promise<AccountQuota>) {
  const current = await readPacing(db, workspaceId);
  if (current && now - current.checkedAt < REFRESH_MS) return;
  if (current) {
    const won = await db.rows(sql`update send_pacing set checked_at = ${now} where workspace_id = ${workspaceId} and checked_at = ${current.checkedAt} returning workspace_id`);
    if (won.length === 0) return;
  }
  const account = await readAccount();
  const maxRate = Math.max(account.maxSendRate, 0.1);
  if (!current) {
    // The first reading: when another sender's got in first, theirs stands (it may already count sends).
    await db.rows(sql`
      insert into send_pacing (workspace_id, max_rate, rate, next_slot_at, max_24_hour_send, sent_last_24_hours, checked_at)
      values (${workspaceId}, ${maxRate}, ${maxRate}, 0, ${account.max24HourSend}, ${account.sentLast24Hours}, ${now})
      on conflict (workspace_id) do nothing`);
    return;
  }
  // A lowered rate (after throttling) stays lowered; a raised MaxSendRate is taken at once when the rate was at the old maximum.
  await db.rows(sql`
    update send_pacing set
      rate = case when rate >= max_rate or rate > ${maxRate} then ${maxRate} else rate end,
      max_rate = ${maxRate}, max_24_hour_send = ${account.max24HourSend}, sent_last_24_hours = ${account.sentLast24Hours}, checked_at = ${now}
    where workspace_id = ${workspaceId}`);
}

/**
 * How many sends one batch takes and how long a stretch of time it reserves, at `rate` per second.
 * One by one, sends get slots 1/(rate × PACE_MARGIN) apart and a batch is about a second of them.
 * A SendBulkEmail call arrives as a burst: a second may hold k bursts of n with k·n ≤ rate, so each
 * burst reserves 1/k of a second (plus BURST_SLACK, for jitter) and never shares a second with k more.
 */
export const BURST_SLACK = 0.03;

export function batchPlan(rate: number, options: { bulk: boolean; max: number }): { want: number; spanMs: number; intervalMs: number } {
  if (options.bulk) {
    const perSecond = Math.max(1, Math.ceil(rate / options.max));
    const want = Math.max(1, Math.min(options.max, Math.floor(rate / perSecond)));
    const spanMs = Math.ceil(((1000 * want) / Math.max(rate, want)) * (1 + BURST_SLACK));
    return { want, spanMs, intervalMs: spanMs / want };
  }
  const intervalMs = 1000 / (rate * PACE_MARGIN);
  const want = Math.max(1, Math.min(options.max, Math.floor(rate * PACE_MARGIN)));
  return { want, spanMs: Math.ceil(want * intervalMs), intervalMs };
}

/**
 * Reserves `want` sends over the next free `spanMs` of the workspace's time: returns how many may go
 * (fewer past the 24-hour quota, none when it is used up) and from when. One atomic update, so two
 * instances reserving at once get consecutive stretches. `plannedRate`: the rate the caller sized
 * `want` and `spanMs` for; when the workspace's rate is no longer that, nothing is reserved and the
 * caller plans again. A sender that carries the rate from one batch to the next so spends one round
 * trip per batch, not three.
 */
export async function reserveSends(
  db: Database,
  workspaceId: string,
  want: number,
  spanMs: number,
  now: number,
  readAccount: () => Promise<AccountQuota>,
  plannedRate?: number,
): Promise<Reservation> {
  const greatest = db.dialect === "postgres" ? "greatest" : "max";
  const span = Math.max(1, Math.ceil(spanMs));
  const reserve = (fresh: boolean) =>
    db.rows<PacingRow>(sql`
      update send_pacing set
        next_slot_at = ${sql.raw(greatest)}(next_slot_at, ${now}) + ${span},
        sent_last_24_hours = sent_last_24_hours + ${want}
      where workspace_id = ${workspaceId}
        ${fresh ? sql`and checked_at > ${now - REFRESH_MS}` : sql``}
        ${plannedRate === undefined ? sql`` : sql`and abs(rate - ${plannedRate}) < 1e-9`}
      returning *`);
  // Most calls: the reading is fresh and the rate unchanged, and this one statement is the whole reservation.
  let [row] = await reserve(true);
  if (!row) {
    // Never read, read a minute ago or more, or the rate moved.
    await refresh(db, workspaceId, now, readAccount);
    [row] = await reserve(false);
    if (!row) {
      const current = await readPacing(db, workspaceId);
      if (!current) throw new Error("send pacing row missing after refresh");
      return { count: 0, replan: true, rate: current.rate, maxRate: current.maxRate };
    }
  }
  const p = num(row);
  // SES reports an unlimited 24-hour quota as -1.
  const over = p.max24 < 0 ? 0 : Math.max(0, p.sent - p.max24);
  const count = Math.max(0, want - over);
  const reservation = { count, startAt: p.nextSlotAt - span, spanMs: span, intervalMs: span / want, rate: p.rate, maxRate: p.maxRate, reserved: want };
  if (count > 0) return reservation;
  // Nothing granted: what this asked for must not count against the quota, or the next sender would find it spent.
  await giveBack(db, workspaceId, want, reservation);
  return { count: 0, quota: true };
}

/** The workspace's rate after a change, for the sender's next plan (null when the workspace has no pacing row). */
async function rateAfter(rows: Promise<{ rate: number }[]>): Promise<number | null> {
  const [row] = await rows;
  return row ? Number(row.rate) : null;
}

/** SES said "too fast": halve the rate and hold every sender of the workspace back for `backoffMs`. Returns the new rate. */
export async function slowDown(db: Database, workspaceId: string, now: number, backoffMs: number) {
  const greatest = db.dialect === "postgres" ? "greatest" : "max";
  return rateAfter(
    db.rows(sql`
      update send_pacing set rate = ${sql.raw(greatest)}(rate / 2, 0.5), next_slot_at = ${sql.raw(greatest)}(next_slot_at, ${now + backoffMs})
      where workspace_id = ${workspaceId} returning rate`),
  );
}

/** A batch went through at a lowered rate: give back a twentieth of MaxSendRate. Returns the new rate (null when it was already at the maximum). */
export async function speedUp(db: Database, workspaceId: string) {
  const least = db.dialect === "postgres" ? "least" : "min";
  return rateAfter(db.rows(sql`update send_pacing set rate = ${sql.raw(least)}(max_rate, rate + max_rate / 20) where workspace_id = ${workspaceId} and rate < max_rate returning rate`));
}

/**
 * Sends reserved but not made (the batch found fewer recipients) go back: to the 24-hour count, and
 * their slots too when no one has reserved after them, so an idle sender does not push the others back.
 */
export async function giveBack(db: Database, workspaceId: string, count: number, reservation: { startAt: number; spanMs: number; reserved: number }) {
  if (count <= 0) return;
  const end = reservation.startAt + reservation.spanMs;
  const used = reservation.startAt + Math.ceil((reservation.spanMs * (reservation.reserved - count)) / reservation.reserved);
  await db.rows(sql`
    update send_pacing set sent_last_24_hours = sent_last_24_hours - ${count},
      next_slot_at = case when next_slot_at = ${end} then ${used} else next_slot_at end
    where workspace_id = ${workspaceId}`);
}

/** Sends reserved and claimed but not made (late for their slot, or stopped by a verdict) go back to the 24-hour count. */
export async function giveBackQuota(db: Database, workspaceId: string, count: number) {
  if (count <= 0) return;
  await db.rows(sql`update send_pacing set sent_last_24_hours = sent_last_24_hours - ${count} where workspace_id = ${workspaceId}`);
}

/** The 24-hour quota is used up by SES's own count: take its word until the next reading. */
export async function quotaExhausted(db: Database, workspaceId: string) {
  await db.rows(sql`update send_pacing set sent_last_24_hours = max_24_hour_send where workspace_id = ${workspaceId}`);
}

/** The workspace's pace now, read from the account first when it is a minute old or was never read. */
export async function currentPace(db: Database, workspaceId: string, now: number, readAccount: () => Promise<AccountQuota>) {
  await refresh(db, workspaceId, now, readAccount);
  return readPacing(db, workspaceId);
}
