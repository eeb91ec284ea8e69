import { and, eq, gte, inArray } from "drizzle-orm";
import { transaction, type Database } from "../../db/client";
import type { Deps } from "../../deps";
import { groupBy } from "../../lib/group";
import { describeForLog } from "../../lib/log";
import { applyFacts, type Fact } from "../events/facts";
import { recipientRefs, type RecipientRef } from "../events/queries";
import { classifyHit } from "./classify";

/** One fetch of an open pixel or a click link, as the route saw it. */
export interface Hit {
  kind: "open" | "click";
  workspaceId: string;
  campaignId: string;
  recipientId: number;
  url?: string;
  method: string;
  userAgent: string | null;
  ip: string | null;
  at: Date;
}

/** Hits are written together: a burst of opens is a few transactions, not one per hit. */
const FLUSH_EVERY_MS = 200;
const FLUSH_AT = 1_000;
/**
 * A click waits this long before it is written, so that a scanner following every link of a mail
 * within one second is seen as the burst it is, not as a person's first click.
 */
const CLICK_HOLD_MS = 1_100;
const BURST_MS = 1_000;
const URGE_EVERY_MS = 20;
/** Hits per transaction at most: a backlog is written in several, none holding the database for long. */
const WRITE_MAX = 5_000;

interface Writer {
  pending: (Hit & { id: string })[];
  timer: ReturnType<typeof setInterval> | null;
  flushing: Promise<void> | null;
  /** When a full buffer last asked for an early write (held clicks keep it full: not on every hit). */
  urgedAt: number;
  dropped: number;
  droppedLoggedAt: number;
  /** Hits of the write under way (they count toward the cap: a failed write puts them back). */
  inFlight: number;
}

const writers = new Map<Deps, Writer>();

function writerOf(deps: Deps): Writer {
  let writer = writers.get(deps);
  if (!writer) {
    const created: Writer = { pending: [], timer: null, flushing: null, urgedAt: 0, dropped: 0, droppedLoggedAt: Number.NEGATIVE_INFINITY, inFlight: 0 };
    created.timer = setInterval(() => void flush(deps, created, false), FLUSH_EVERY_MS);
    created.timer.unref?.();
    writers.set(deps, created);
    writer = created;
  }
  return writer;
}

/**
 * Hits kept at most while the database does not take them (down, full): past this, new hits are not
 * kept (and said so in the log) rather than the process running out of memory.
 */
const PENDING_MAX = 200_000;

/** Keeps a hit for the next write; the route answers at once. */
export function recordHit(deps: Deps, hit: Hit) {
  const writer = writerOf(deps);
  if (writer.pending.length + writer.inFlight >= PENDING_MAX) {
    writer.dropped++;
    const now = performance.now();
    if (now - writer.droppedLoggedAt > 10_000) {
      writer.droppedLoggedAt = now;
      deps.log.error("tracking hits are not being written: new ones are dropped until the database takes them", { held: writer.pending.length, dropped: writer.dropped });
    }
    return;
  }
  writer.pending.push({ ...hit, id: crypto.randomUUID() });
  if (writer.pending.length >= FLUSH_AT && !writer.flushing) {
    const now = performance.now();
    if (now - writer.urgedAt < URGE_EVERY_MS) return;
    writer.urgedAt = now;
    void flush(deps, writer, false);
  }
}

/** Whether a click token names a recipient that still exists, in the campaign it names (a click link must lead nowhere otherwise). */
export async function knownRecipient(deps: Deps, to: { workspaceId: string; campaignId: string; recipientId: number }): Promise<boolean> {
  const [found] = await recipientRefs(deps.db, to.workspaceId, { ids: [to.recipientId] });
  return found?.campaignId === to.campaignId;
}

/** Writes every hit kept so far, held clicks included (graceful shutdown, tests). */
export async function flushHits(deps: Deps) {
  const writer = writers.get(deps);
  if (!writer) return;
  for (;;) {
    while (writer.flushing) await writer.flushing;
    const before = writer.pending.length;
    if (before === 0) return;
    await flush(deps, writer, true);
    // Nothing could be written (the database is down): what is left stays for the next try.
    if (writer.pending.length >= before) return;
  }
}

/** Stops the writer of these deps after writing what it holds. */
export async function stopHits(deps: Deps) {
  const writer = writers.get(deps);
  if (!writer) return;
  if (writer.timer) clearInterval(writer.timer);
  writer.timer = null;
  await flushHits(deps);
  writers.delete(deps);
}

/** Stops every writer after writing what it holds: none of the hits answered is lost on a graceful stop. */
export async function stopHitWriters() {
  for (const deps of [...writers.keys()]) await stopHits(deps);
}

async function flush(deps: Deps, writer: Writer, all: boolean): Promise<void> {
  if (writer.flushing || writer.pending.length === 0) return;
  const due = all ? Number.POSITIVE_INFINITY : deps.clock.now().getTime() - CLICK_HOLD_MS;
  const ready: (Hit & { id: string })[] = [];
  const kept: (Hit & { id: string })[] = [];
  for (const h of writer.pending) {
    if (ready.length < WRITE_MAX && (h.kind === "open" || h.at.getTime() <= due)) ready.push(h);
    else kept.push(h);
  }
  if (ready.length === 0) return;
  writer.pending = kept;
  writer.inFlight = ready.length;
  writer.flushing = write(deps, ready, writer.pending)
    .catch(async (err) => {
      deps.log.error("writing tracking hits failed", { hits: ready.length, error: describeForLog(err) });
      if (!(await deps.db.ping().then(() => true, () => false))) {
        // Kept for the next round: a database that is briefly down loses no hit.
        writer.pending = ready.concat(writer.pending);
        return;
      }
      // The database is there but refused the batch: one by one, so a hit it cannot take does not hold back the rest.
      for (const hit of ready) {
        await write(deps, [hit], writer.pending).catch((alone) => deps.log.error("a tracking hit could not be written", { error: describeForLog(alone) }));
      }
    })
    .finally(() => {
      writer.flushing = null;
      writer.inFlight = 0;
    });
  await writer.flushing;
}

async function write(deps: Deps, hits: (Hit & { id: string })[], stillHeld: Hit[]) {
  // Looked up within each hit's own workspace: a token can name no one else's recipient.
  const recipients = new Map<string, RecipientRef>();
  for (const [workspaceId, ids] of groupBy(hits, (h) => h.workspaceId, (h) => h.recipientId)) {
    for (const r of await recipientRefs(deps.db, workspaceId, { ids: [...new Set(ids)] })) recipients.set(`${workspaceId}\u0000${r.id}`, r);
  }
  const clicks = hits.filter((h) => h.kind === "click");
  const earlier = await recentClicks(deps.db, [...new Set(clicks.map((h) => h.recipientId))], clicks);
  const clicksOf = groupBy([...clicks, ...stillHeld.filter((h) => h.kind === "click"), ...earlier], (h) => h.recipientId, (h) => h);
  const facts: Fact[] = [];
  for (const hit of hits) {
    const to = recipients.get(`${hit.workspaceId}\u0000${hit.recipientId}`);
    // A token signed for a recipient that is gone (its campaign deleted) records nothing.
    if (!to || to.campaignId !== hit.campaignId) continue;
    const verdict = classifyHit({
      kind: hit.kind,
      method: hit.method,
      userAgent: hit.userAgent,
      ip: hit.ip,
      at: hit.at,
      deliveredAt: to.deliveredAt ?? to.sentAt,
      burst: hit.kind === "click" ? burstOf(hit, clicksOf) : 0,
    });
    facts.push({
      workspaceId: hit.workspaceId,
      type: hit.kind,
      key: `hit:${hit.id}`,
      email: to.email,
      at: hit.at,
      detail: {
        agent: verdict.agent,
        reason: verdict.reason,
        addressClass: verdict.addressClass,
        // Control characters (PostgreSQL's jsonb refuses NUL) have no place in a user agent.
        userAgent: hit.userAgent?.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 500) ?? null,
        method: hit.method,
        ...(hit.url ? { url: hit.url } : {}),
      },
      class: verdict.class,
      campaignId: to.campaignId,
      recipientId: to.id,
    });
  }
  if (facts.length === 0) return;
  await transaction(deps.db, (tx) => applyFacts(tx, facts));
  deps.log.debug("tracking hits written", { hits: facts.length });
}

/** Other links of the same mail clicked by the same recipient within a second of this click. */
function burstOf(hit: Hit, byRecipient: Map<number, Pick<Hit, "url" | "at" | "kind">[]>): number {
  const urls = new Set<string>();
  for (const o of byRecipient.get(hit.recipientId) ?? []) {
    if (o.kind !== "click" || o.url === hit.url || !o.url) continue;
    if (Math.abs(o.at.getTime() - hit.at.getTime()) <= BURST_MS) urls.add(o.url);
  }
  return urls.size;
}

/** Clicks already written (by this process or another instance) just before these. */
async function recentClicks(db: Database, recipientIds: number[], clicks: Hit[]): Promise<Pick<Hit, "recipientId" | "url" | "at" | "kind">[]> {
  if (recipientIds.length === 0) return [];
  const since = new Date(clicks.reduce((min, h) => Math.min(min, h.at.getTime()), Number.POSITIVE_INFINITY) - BURST_MS);
  const { events } = db.t;
  const rows = await db.orm
    .select({ recipientId: events.recipientId, at: events.at, detail: events.detail })
    .from(events)
    .where(and(inArray(events.recipientId, recipientIds), eq(events.type, "click"), gte(events.at, since)));
  return rows.map((r) => ({ kind: "click" as const, recipientId: r.recipientId!, at: r.at, url: typeof r.detail?.url === "string" ? r.detail.url : undefined }));
}
