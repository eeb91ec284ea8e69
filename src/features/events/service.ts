import { confirmSubscription, parseSnsMessage, verifySnsMessage } from "../../aws/sns-verify";
import { transaction, type Database } from "../../db/client";
import type { Deps } from "../../deps";
import { Forbidden } from "../../lib/errors";
import { groupBy } from "../../lib/group";
import { guardReputation } from "../campaigns/guard";
import { addSuppressions, type SuppressionReason } from "../suppressions/queries";
import { classifyHit } from "../tracking/classify";
import { applyFacts, type Applied, type Fact } from "./facts";
import { sesEventRecords, type SesEventRecord } from "./model";
import { findWorkspacesByTopic, markSubscription, recipientRefs, setContactsStatus, softBouncesSince, type RecipientRef } from "./queries";

export type SnsOutcome = "confirmed" | "unsubscribed" | "recorded" | "duplicate" | "ignored";

/**
 * One SNS delivery to /sns/notifications. The topic must be one a workspace registered and the
 * signature must verify before anything else happens; SES events then land in `events`, on the
 * recipients they name and in their campaigns' counters (and bounces and complaints in
 * `suppressions`) in one transaction. SNS delivers late, twice and out of order: every event is
 * keyed by what it reports, so a redelivery, or the same event through a second channel, changes nothing.
 */
export async function receiveSnsDelivery(deps: Deps, body: string): Promise<{ outcome: SnsOutcome; events: number }> {
  const message = parseSnsMessage(body);
  const workspaces = await findWorkspacesByTopic(deps.db, message.TopicArn);
  if (workspaces.length === 0) throw new Forbidden("This SNS topic is not registered with any workspace.", "sns_unknown_topic");
  await verifySnsMessage(deps.config, message);
  const ids = workspaces.map((w) => w.id);

  if (message.Type === "SubscriptionConfirmation") {
    const arn = await confirmSubscription(deps.config, message);
    await markSubscription(deps.db, ids, "confirmed", arn);
    deps.log.info("SNS subscription confirmed", { topicArn: message.TopicArn });
    return { outcome: "confirmed", events: 0 };
  }
  if (message.Type === "UnsubscribeConfirmation") {
    await markSubscription(deps.db, ids, "none", null);
    return { outcome: "unsubscribed", events: 0 };
  }

  const records = sesEventRecords(message.Message);
  if (!records || records.length === 0) return { outcome: "ignored", events: 0 };
  // One topic may serve several workspaces (same AWS account): the configuration set names the
  // sender. An event no workspace's configuration set claims goes nowhere rather than to a guess.
  const workspaceId =
    workspaces.find((w) => w.configurationSet && w.configurationSet === records[0]!.configurationSet)?.id ?? (workspaces.length === 1 ? workspaces[0]!.id : null);
  if (!workspaceId) {
    deps.log.warn("SES event for a shared topic matches no workspace's configuration set", { topicArn: message.TopicArn });
    return { outcome: "ignored", events: 0 };
  }
  const created = await recordInTurn(deps, workspaceId, records);
  return { outcome: created === 0 ? "duplicate" : "recorded", events: created };
}

interface Waiting {
  workspaceId: string;
  records: SesEventRecord[];
  done(created: number): void;
  failed(err: unknown): void;
}

/** SNS messages written in one transaction at most: a burst is a few transactions, not one per event. */
const BATCH_MAX = 256;

/**
 * Batches written at once: PostgreSQL takes several transactions side by side (the time of each is
 * mostly round trips); SQLite writes one at a time anyway.
 */
const WRITERS = { postgres: 4, sqlite: 1 };

interface Writer {
  waiting: Waiting[];
  /** Batches being written now. */
  active: number;
}

const writers = new WeakMap<Deps, Writer>();

/**
 * Resolves once the records are committed, with how many of them were new. Messages that arrive while
 * a transaction is being written wait and go together in the next one (group commit): a lone message
 * is written at once, a burst costs a transaction per batch instead of per event.
 */
function recordInTurn(deps: Deps, workspaceId: string, records: SesEventRecord[]): Promise<number> {
  let writer = writers.get(deps);
  if (!writer) {
    writer = { waiting: [], active: 0 };
    writers.set(deps, writer);
  }
  const w = writer;
  return new Promise((done, failed) => {
    w.waiting.push({ workspaceId, records, done, failed });
    if (w.active >= WRITERS[deps.db.dialect]) return;
    w.active++;
    // After the posts already received are read (SQLite answers synchronously, so one post would
    // otherwise run start to end before the next is even parsed): they go in the same transaction.
    setImmediate(() => void drain(deps, w));
  });
}

async function drain(deps: Deps, writer: Writer) {
  try {
    while (writer.waiting.length > 0) {
      const batch = writer.waiting.splice(0, BATCH_MAX);
      try {
        const created = await writeBatch(deps, batch);
        batch.forEach((w, i) => w.done(created[i]!));
      } catch (err) {
        if (batch.length === 1) {
          // SNS retries what it was not told was received.
          batch[0]!.failed(err);
          continue;
        }
        // One message the database refuses must not fail the others that shared its transaction.
        for (const w of batch) {
          await writeBatch(deps, [w]).then(
            ([created]) => w.done(created!),
            (alone) => w.failed(alone),
          );
        }
      }
    }
  } finally {
    writer.active--;
  }
}

/** One transaction for the batch: every event, the recipients and counters they move, the suppressions they cause. */
async function writeBatch(deps: Deps, batch: Waiting[]): Promise<number[]> {
  const now = deps.clock.now();
  const facts: Fact[][] = [];
  for (const [workspaceId, entries] of groupBy(batch, (w) => w.workspaceId)) {
    const all = await factsOf(deps, workspaceId, entries.flatMap((w) => w.records));
    let at = 0;
    for (const w of entries) {
      facts[batch.indexOf(w)] = all.slice(at, at + w.records.length);
      at += w.records.length;
    }
  }
  const outcome = await transaction(deps.db, async (tx) => {
    const outcome = await applyFacts(tx, facts.flat());
    for (const [workspaceId, applied] of groupBy(outcome.applied, (f) => f.workspaceId)) await suppressFor(tx, workspaceId, applied, now);
    return outcome;
  });
  const applied = new Set(outcome.applied.map((f) => `${f.workspaceId}\u0000${f.key}`));
  // The same message twice in one batch: the first one records it, the second is the duplicate.
  const created = facts.map((list) =>
    list.filter((f) => {
      const key = `${f.workspaceId}\u0000${f.key}`;
      return applied.delete(key);
    }).length,
  );
  const workspaceOf = new Map(outcome.applied.map((f) => [f.campaignId, f.workspaceId]));
  for (const [workspaceId, campaignIds] of groupBy([...outcome.reputationTouched], (id) => workspaceOf.get(id)!)) {
    await guardReputation(deps, workspaceId, campaignIds);
  }
  return created;
}

/**
 * Each record tied to its recipient: by SES message id, or else by the mail's tags (a recipient whose
 * outcome was unknown has no message id yet). A tag must name a recipient of this workspace with the
 * same address and campaign, or the event stays unattached.
 */
async function factsOf(deps: Deps, workspaceId: string, records: SesEventRecord[]): Promise<Fact[]> {
  const byMessage = new Map<string, RecipientRef>();
  for (const r of await recipientRefs(deps.db, workspaceId, { messageIds: [...new Set(records.map((r) => r.messageId))] })) byMessage.set(`${r.messageId}\u0000${r.email}`, r);
  const tagged = records.filter((r) => !byMessage.has(`${r.messageId}\u0000${r.email}`) && r.tags.recipientId !== null && r.tags.workspaceId === workspaceId);
  const byId = new Map((await recipientRefs(deps.db, workspaceId, { ids: [...new Set(tagged.map((r) => r.tags.recipientId!))] })).map((r) => [r.id, r]));
  return records.map((r) => {
    let to: RecipientRef | null = byMessage.get(`${r.messageId}\u0000${r.email}`) ?? null;
    if (!to && r.tags.recipientId !== null && r.tags.workspaceId === workspaceId) {
      const candidate = byId.get(r.tags.recipientId);
      if (candidate && candidate.email === r.email && candidate.campaignId === r.tags.campaignId) to = candidate;
    }
    let hitClass: Fact["class"] = null;
    let detail = r.detail;
    if (r.hit) {
      const verdict = classifyHit({
        kind: r.type === "click" ? "click" : "open",
        method: "GET",
        userAgent: r.hit.userAgent,
        ip: r.hit.ip,
        at: r.at,
        deliveredAt: to?.deliveredAt ?? to?.sentAt ?? null,
        burst: 0,
      });
      hitClass = verdict.class;
      detail = { ...detail, agent: verdict.agent, reason: verdict.reason, addressClass: verdict.addressClass };
    }
    return {
      workspaceId,
      type: r.type,
      key: r.key,
      email: r.email,
      at: r.at,
      detail,
      class: hitClass,
      campaignId: to?.campaignId ?? null,
      recipientId: to?.id ?? null,
      messageId: r.messageId,
      settles: to?.status === "unknown",
      hard: r.suppress === "hard_bounce",
    };
  });
}

const SOFT_BOUNCES = 3;
const SOFT_BOUNCE_DAYS = 30;

/**
 * A hard bounce or a complaint suppresses the address at once; a third Transient bounce within 30
 * days does too. Each suppression names the event that caused it.
 */
async function suppressFor(tx: Database, workspaceId: string, applied: Applied[], now: Date) {
  const rows: { email: string; reason: SuppressionReason; source: string; eventId: number }[] = [];
  for (const f of applied) {
    if (f.type === "complaint") rows.push({ email: f.email, reason: "complaint", source: `ses:${f.messageId}`, eventId: f.eventId });
    else if (f.type === "bounce" && f.hard) rows.push({ email: f.email, reason: "hard_bounce", source: `ses:${f.messageId}`, eventId: f.eventId });
  }
  const softly = [...new Map(applied.filter((f) => f.type === "bounce" && !f.hard).map((f) => [f.email, f])).values()];
  for (const f of softly) {
    if (rows.some((r) => r.email === f.email)) continue;
    const since = new Date(now.getTime() - SOFT_BOUNCE_DAYS * 86_400_000);
    if ((await softBouncesSince(tx, workspaceId, f.email, since)) >= SOFT_BOUNCES) {
      rows.push({ email: f.email, reason: "soft_bounce", source: `ses:${f.messageId}`, eventId: f.eventId });
    }
  }
  if (rows.length === 0) return;
  await addSuppressions(tx, rows.map((r) => ({ workspaceId, createdAt: now, ...r })));
  for (const reason of ["hard_bounce", "soft_bounce", "complaint"] as const) {
    const emails = rows.filter((r) => r.reason === reason).map((r) => r.email);
    await setContactsStatus(tx, workspaceId, emails, reason === "complaint" ? "complained" : "bounced", now);
  }
}
