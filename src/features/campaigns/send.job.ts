import { getAccount } from "../../aws/ses";
import { openSesSender, type SesSender } from "../../aws/ses-sender";
import { AwsFailure } from "../../aws/errors";
import type { Deps } from "../../deps";
import { newId } from "../../lib/ids";
import { describeForLog } from "../../lib/log";
import { collectIfLarge } from "../../lib/memory";
import { batchPlan, currentPace, giveBack, giveBackQuota, quotaExhausted, reserveSends, slowDown, speedUp, type AccountQuota } from "../../jobs/pacing";
import { attachmentsForSending } from "../attachments/service";
import { sendingKeys } from "../credentials/service";
import { composeBulkDestination, composeMessage, planBulk, type Addressee, type BulkPlan, type CampaignContent } from "./message";
import { BULK_MAX, bulkVerdict, sendVerdict, type SendVerdict } from "./model";
import {
  advanceExpansion,
  beat,
  campaignStatusOf,
  claimQueuedRecipients,
  claimRunners,
  deadRunners,
  dueCampaigns,
  expandListSlice,
  findCampaign,
  finishExpansion,
  hasUnsettled,
  moveCampaign,
  queuedUpTo,
  recordOutcomes,
  runningCampaigns,
  settleClaimsOf,
  updateCampaignRow,
  type ClaimedRecipient,
  type Outcome,
} from "./queries";

/**
 * The sender. Every process that runs jobs is a runner: it beats a heartbeat into the database and,
 * every tick, starts due scheduled campaigns and makes sure each running campaign has its send loops
 * here. Several instances therefore share every campaign: recipients are claimed in the database
 * (queued → sending) before their SES call and get their outcome after it, and the pace comes from
 * the workspace's row in send_pacing, so the queue only schedules and the database decides who still
 * needs mail. A runner that stops beating is dead: its claims become "unknown" (never re-sent by
 * themselves), and the living carry the campaign on.
 */

const TICK_MS = 2_000;
const GC_EVERY_MS = 1_000;
/** A runner silent for this long is dead (a heartbeat is written every tick). */
const DEAD_AFTER_MS = 30_000;
/** Send loops per running campaign in each process. */
export const LOOPS_PER_CAMPAIGN = 4;
/** SendEmail calls in flight per loop. */
const IN_FLIGHT = 8;
/**
 * Recipients claimed at once on the one-by-one path: little more than a second of sending at most,
 * and as many as a SendBulkEmail batch, so that with LOOPS_PER_CAMPAIGN loops a process holds at most
 * 200 claims of a campaign whatever the pace: all of them are reported unknown when it is killed.
 * (At 100, loops that could not keep up with the rate all held a full batch at once.)
 */
const BATCH_MAX = 50;
/**
 * How late a send may leave for its slot; later, it goes back to the queue for a fresh one. With slots
 * PACE_MARGIN of the rate apart, up to 30 ms late keeps every second within the rate; 10 leaves the
 * rest for the network between here and SES. Above about
 * 1,000 mails a second no sender here can outrun the rate, and slots are too close to keep.
 */
const LATE_MS = 10;
export const sendDeadline = (slot: number, intervalMs: number) => (intervalMs >= 1 ? slot + LATE_MS : undefined);
/**
 * A SendBulkEmail burst may be late only by the room its stretch leaves in a second (bursts k to a
 * second, each 1/k of a second and a little more): later, it could share a second with k more.
 */
export function burstDeadline(startAt: number, spanMs: number): number | undefined {
  if (spanMs < 20) return undefined;
  const room = spanMs * Math.ceil(1000 / spanMs) - 1000 - 1;
  return startAt + Math.max(0, Math.min(LATE_MS, room));
}
/** How long before its first slot a batch is claimed (and a SendBulkEmail batch composed), so that the database's answer does not make it late. */
const SLOT_LEAD_MS = 40;
/** A recipient SES failed for with passing faults this many times is given up as failed. */
const MAX_ATTEMPTS = 5;
/** How long a campaign waits when the 24-hour quota is used up before asking SES again. */
const QUOTA_WAIT_MS = 15 * 60_000;
/** Contacts copied into recipients per statement while a campaign is expanded. */
const EXPAND_SLICE = 5_000;
/** The expansion cursor holds the list's position and a contact id: list index × 2^40 + contact id. */
const LIST_STRIDE = 2 ** 40;

export const runnerId = newId("run");
const startedAt = new Date();

const state = {
  deps: null as Deps | null,
  stopping: false,
  timer: null as ReturnType<typeof setInterval> | null,
  gcTimer: null as ReturnType<typeof setInterval> | null,
  ticking: false,
  ticks: 0,
  takeOver: false,
  loops: new Map<string, Set<Promise<void>>>(),
  expanding: new Set<string>(),
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits until `at` (epoch ms), waking early when the process is stopping. */
async function waitUntil(deps: Deps, at: number): Promise<void> {
  for (;;) {
    const left = at - deps.clock.now().getTime();
    if (left <= 0 || state.stopping) return;
    await sleep(Math.min(left, 250));
  }
}

const jitter = (ms: number) => ms / 2 + Math.random() * ms;

/**
 * Starts the runner. `takeOver`: this process is the only instance (embedded queue), so claims left
 * by any other runner are a crash's and are settled at once, not after the heartbeat timeout.
 */
export function startSender(deps: Deps, options: { takeOver: boolean }) {
  state.deps = deps;
  state.stopping = false;
  state.takeOver = options.takeOver;
  state.timer = setInterval(() => void tick(deps), TICK_MS);
  // While this process sends, a full collection each second once it has grown keeps its peak memory
  // down (bench/send: 100,000 mails in bulk on SQLite peaked at ~315 MB without it).
  state.gcTimer = setInterval(() => {
    if (state.loops.size > 0) collectIfLarge();
  }, GC_EVERY_MS);
  void tick(deps);
}

/** Stops starting work and lets every loop finish its batch, so every answer SES gave is recorded. */
export async function stopSender() {
  state.stopping = true;
  if (state.timer) clearInterval(state.timer);
  if (state.gcTimer) clearInterval(state.gcTimer);
  state.timer = null;
  state.gcTimer = null;
  const all = [...state.loops.values()].flatMap((set) => [...set]);
  await Promise.allSettled(all);
  while (state.ticking) await sleep(20);
}

async function tick(deps: Deps) {
  if (state.ticking || state.stopping) return;
  state.ticking = true;
  try {
    const now = deps.clock.now();
    await beat(deps.db, runnerId, now, startedAt);
    if (state.ticks++ % 5 === 0 || state.takeOver) {
      const dead = state.takeOver
        ? await claimRunners(deps.db, (await runningCampaigns(deps.db, null)).map((c) => c.id)).then((ids) => ids.filter((id) => id !== runnerId))
        : await deadRunners(deps.db, new Date(now.getTime() - DEAD_AFTER_MS), runnerId);
      state.takeOver = false;
      for (const settled of await settleClaimsOf(deps.db, dead)) {
        deps.log.warn("recipients in flight when a runner stopped are now unknown", { campaignId: settled.campaignId, unknown: settled.n });
      }
    }
    for (const due of await dueCampaigns(deps.db, now)) await startDue(deps, due.workspaceId, due.id);
    for (const c of await runningCampaigns(deps.db, null)) {
      if (c.holdUntil && c.holdUntil > now) continue;
      if (c.holdUntil) await updateCampaignRow(deps.db, c.workspaceId, c.id, ["running"], { holdUntil: null, pauseReason: null });
      ensureWork(deps, c.workspaceId, c.id, c.expandedAt !== null);
    }
  } catch (err) {
    deps.log.error("sender tick failed", { error: describeForLog(err) });
  } finally {
    state.ticking = false;
  }
}

async function startDue(deps: Deps, workspaceId: string, id: string) {
  const now = deps.clock.now();
  if (await moveCampaign(deps.db, workspaceId, id, ["scheduled"], "running", { launchedAt: now, updatedAt: now })) {
    deps.log.info("scheduled campaign started", { workspaceId, campaignId: id });
  }
}

/** The "campaigns" job: a launch or a scheduled start asks for the campaign to be worked on now. */
export async function kickCampaign(deps: Deps, workspaceId: string, id: string) {
  const c = await findCampaign(deps.db, workspaceId, id);
  if (!c) return;
  if (c.status === "scheduled" && c.scheduledAt && c.scheduledAt <= deps.clock.now()) await startDue(deps, workspaceId, id);
  const status = await campaignStatusOf(deps.db, id);
  if (status?.status === "running" && !(status.holdUntil && status.holdUntil > deps.clock.now())) ensureWork(deps, workspaceId, id, c.expandedAt !== null);
}

function ensureWork(deps: Deps, workspaceId: string, id: string, expanded: boolean) {
  if (state.stopping) return;
  if (!expanded && !state.expanding.has(id)) {
    state.expanding.add(id);
    void expand(deps, workspaceId, id)
      .catch((err) => deps.log.error("campaign expansion failed", { campaignId: id, error: describeForLog(err) }))
      .finally(() => state.expanding.delete(id));
  }
  const loops = state.loops.get(id) ?? new Set<Promise<void>>();
  if (loops.size === 0) deps.log.info("sending campaign", { workspaceId, campaignId: id, runner: runnerId });
  state.loops.set(id, loops);
  while (loops.size < LOOPS_PER_CAMPAIGN) {
    const loop: Promise<void> = sendLoop(deps, workspaceId, id)
      .catch((err) => deps.log.error("send loop failed", { campaignId: id, error: describeForLog(err) }))
      .finally(() => {
        loops.delete(loop);
        if (loops.size === 0 && state.loops.get(id) === loops) state.loops.delete(id);
      });
    loops.add(loop);
  }
}

/** Copies the campaign's lists into recipient rows, a slice at a time from the saved cursor. */
async function expand(deps: Deps, workspaceId: string, id: string) {
  const c = await findCampaign(deps.db, workspaceId, id);
  if (!c || c.expandedAt) return;
  let listIndex = Math.floor(c.expandedThrough / LIST_STRIDE);
  let after = c.expandedThrough % LIST_STRIDE;
  for (; listIndex < c.listIds.length; listIndex++, after = 0) {
    for (;;) {
      if (state.stopping) return;
      const status = await campaignStatusOf(deps.db, id);
      if (status?.status !== "running" && status?.status !== "paused") return;
      const upto = await expandListSlice(deps.db, c, c.listIds[listIndex]!, after, EXPAND_SLICE);
      if (upto === null) break;
      after = upto;
      await advanceExpansion(deps.db, id, listIndex * LIST_STRIDE + after);
      // A turn of the event loop between slices, as after each batch sent (sendLoop): on SQLite the
      // whole list would otherwise be copied without one, holding up every request meanwhile.
      await sleep(0);
    }
    await advanceExpansion(deps.db, id, (listIndex + 1) * LIST_STRIDE);
  }
  await finishExpansion(deps.db, c, deps.clock.now());
}

interface Attempt {
  row: ClaimedRecipient;
  verdict: SendVerdict | null;
  messageId?: string;
  /** Not sent: a verdict earlier in the batch stopped it. */
  held?: boolean;
  missing?: string[];
}

async function pauseWorkspace(deps: Deps, workspaceId: string, reason: string) {
  const now = deps.clock.now();
  for (const c of await runningCampaigns(deps.db, workspaceId)) {
    if (await moveCampaign(deps.db, workspaceId, c.id, ["running"], "paused", { pauseReason: reason, updatedAt: now })) {
      deps.log.warn("campaign paused", { workspaceId, campaignId: c.id, why: "workspace" });
    }
  }
}

async function pauseCampaign(deps: Deps, workspaceId: string, id: string, reason: string) {
  if (await moveCampaign(deps.db, workspaceId, id, ["running"], "paused", { pauseReason: reason, updatedAt: deps.clock.now() })) {
    deps.log.warn("campaign paused", { workspaceId, campaignId: id, why: "campaign" });
  }
}

async function holdForQuota(deps: Deps, workspaceId: string) {
  const until = new Date(deps.clock.now().getTime() + QUOTA_WAIT_MS);
  const reason = `The account's 24-hour sending quota is used up. Sesame asks SES again at ${until.toISOString().slice(11, 16)} UTC and carries on by itself as soon as the quota allows.`;
  await quotaExhausted(deps.db, workspaceId);
  for (const c of await runningCampaigns(deps.db, workspaceId)) {
    // A campaign whose last recipients went out meanwhile is finished, not held.
    if (c.expandedAt && (await queuedUpTo(deps.db, c.id, 1)) === 0) continue;
    await updateCampaignRow(deps.db, workspaceId, c.id, ["running"], { holdUntil: until, pauseReason: reason });
  }
}

/** One send loop: reserve slots, claim that many recipients, send them at their slots, record what SES said. */
async function sendLoop(deps: Deps, workspaceId: string, id: string) {
  const c = await findCampaign(deps.db, workspaceId, id);
  if (!c || c.status !== "running") return;
  const active = await sendingKeys(deps, workspaceId, c.sessionId);
  if (!active) {
    await pauseCampaign(deps, workspaceId, id, "There are no AWS keys to send with: connect and save keys in Settings → AWS, then resume.");
    return;
  }
  const keys = active.keys;
  const client = openSesSender(deps.config, keys);
  await client.ready;
  const content: CampaignContent = {
    workspaceId,
    campaignId: id,
    from: c.fromAddress,
    replyTo: c.replyTo,
    subject: c.subject,
    html: c.html ?? "",
    text: c.text,
    tracking: c.tracking,
    configurationSet: c.configurationSet,
    attachments: await attachmentsForSending(deps, { workspaceId, id, attachments: c.attachments }, keys),
  };
  const plan = planBulk(content);
  const readAccount = (): Promise<AccountQuota> => getAccount(deps.config, keys);
  let expanded = c.expandedAt !== null;
  let transientFailures = 0;
  let quotaRetries = 0;
  // The workspace's rate as the last reservation (or the account) gave it: the next batch is planned
  // at it, and a reservation that finds it moved plans again.
  let rate: number | null = null;
  // The last claim found fewer recipients than it was granted (or none was made yet): before the next
  // reservation, look at the campaign and count what waits, so that an idle or finished campaign
  // reserves nothing. After a full claim both are skipped: the claim itself checks the campaign.
  let short = true;
  // The highest recipient id this loop claimed: the next claim starts after it (see claimQueuedRecipients).
  let cursor = 0;

  try {
    while (!state.stopping) {
      if (rate === null) {
        try {
          rate = (await currentPace(deps.db, workspaceId, deps.clock.now().getTime(), readAccount))?.rate ?? 1;
        } catch (err) {
          if (await accountTrouble(deps, workspaceId, id, err)) return;
          await sleep(jitter(5_000));
          continue;
        }
      }
      // A batch is at most about a second of sending: what is claimed and not yet sent at a crash is reported unknown.
      const batch = batchPlan(rate, { bulk: plan !== null, max: plan ? BULK_MAX : BATCH_MAX });
      let want = batch.want;
      if (short) {
        const status = await campaignStatusOf(deps.db, id);
        if (status?.status !== "running" || (status.holdUntil && status.holdUntil > deps.clock.now())) return;
        want = await queuedUpTo(deps.db, id, batch.want);
      }
      if (want === 0) {
        if (!expanded) expanded = (await findCampaign(deps.db, workspaceId, id))?.expandedAt != null;
        if (!expanded) {
          await sleep(300);
          continue;
        }
        await finishIfDone(deps, workspaceId, id);
        return;
      }
      let reservation;
      try {
        reservation = await reserveSends(deps.db, workspaceId, want, (batch.spanMs * want) / batch.want, deps.clock.now().getTime(), readAccount, rate);
      } catch (err) {
        if (await accountTrouble(deps, workspaceId, id, err)) return;
        await sleep(jitter(5_000));
        continue;
      }
      if ("replan" in reservation) {
        rate = reservation.rate;
        continue;
      }
      if (!("startAt" in reservation)) {
        // Again after a moment: another sender may have been re-reading the account, or may give back
        // what it reserved and could not send.
        if (quotaRetries < 3) {
          quotaRetries++;
          await sleep(1_500);
          continue;
        }
        await holdForQuota(deps, workspaceId);
        return;
      }
      quotaRetries = 0;
      rate = reservation.rate;
      // A batch is claimed a little before its time, so that it can leave on time.
      await waitUntil(deps, reservation.startAt - SLOT_LEAD_MS);
      if (state.stopping) {
        await giveBack(deps.db, workspaceId, reservation.reserved, reservation);
        return;
      }
      let rows = await claimQueuedRecipients(deps.db, id, runnerId, reservation.count, deps.clock.now(), cursor);
      if (rows.length < reservation.count && cursor > 0) {
        // Past the cursor the queue ran short: recipients put back behind it (held for a later slot, a
        // passing fault) are taken from the start.
        rows = rows.concat(await claimQueuedRecipients(deps.db, id, runnerId, reservation.count - rows.length, deps.clock.now()));
      }
      for (const row of rows) cursor = Math.max(cursor, row.id);
      if (rows.length < reservation.reserved) await giveBack(deps.db, workspaceId, reservation.reserved - rows.length, reservation);
      short = rows.length < reservation.count;
      // Paused, cancelled or held while this sender waited for its slot, or another sender took the
      // last ones: the next round looks at the campaign first.
      if (rows.length === 0) {
        await sleep(50);
        continue;
      }
      const attempts = await sendBatch(deps, client, content, plan, rows, reservation);
      const outcome = await settle(deps, workspaceId, id, attempts);
      // A turn of the event loop after each batch: SQLite answers here without one (its promises are
      // already settled), and only a turn lets the runtime free the statements of the batch, which
      // the client prepares anew for each query and which its garbage collector cannot see. Without
      // it, 100,000 mails in bulk grew the process by ~150 MB (bench/send).
      await sleep(0);
      await giveBackQuota(deps.db, workspaceId, outcome.unsent);
      if (outcome.stop) return;
      if (outcome.throttled) {
        deps.log.warn("SES said too fast: the workspace's rate is halved", { workspaceId, campaignId: id, rate: reservation.rate / 2 });
        rate = await slowDown(deps.db, workspaceId, deps.clock.now().getTime(), jitter(1_000));
      } else if (reservation.rate < reservation.maxRate) {
        rate = (await speedUp(deps.db, workspaceId)) ?? reservation.maxRate;
      }
      transientFailures = outcome.transient ? transientFailures + 1 : 0;
      if (transientFailures) await sleep(jitter(Math.min(30_000, 500 * 2 ** transientFailures)));
    }
  } finally {
    client.close();
  }
}

/** GetAccount failed while pacing: keys or permissions stop the workspace; anything else is retried. */
async function accountTrouble(deps: Deps, workspaceId: string, id: string, err: unknown): Promise<boolean> {
  if (!(err instanceof AwsFailure)) throw err;
  deps.log.warn("reading the account for pacing failed", { workspaceId, campaignId: id, code: err.code, detail: err.detail });
  if (["aws_unrecognized_key", "aws_signature_mismatch", "aws_access_denied", "aws_expired"].includes(err.code)) {
    await pauseWorkspace(deps, workspaceId, err.message);
    return true;
  }
  return false;
}

async function sendBatch(
  deps: Deps,
  client: SesSender,
  content: CampaignContent,
  plan: BulkPlan | null,
  rows: ClaimedRecipient[],
  reservation: { startAt: number; spanMs: number; intervalMs: number },
): Promise<Attempt[]> {
  const { startAt, intervalMs } = reservation;
  const suppressed = new Set(rows.filter((r) => r.suppressed).map((r) => r.email));
  const attempts: Attempt[] = rows.map((row) => ({ row, verdict: null }));
  const now = deps.clock.now();
  const addressee = (row: ClaimedRecipient): Addressee => ({ recipientId: row.id, email: row.email, variables: row.variables });
  const open = attempts.filter((a) => !suppressed.has(a.row.email));
  for (const a of attempts) if (suppressed.has(a.row.email)) a.held = true;

  if (plan) {
    const entries: { attempt: Attempt; destination: ReturnType<typeof composeBulkDestination> }[] = open.map((attempt) => ({
      attempt,
      destination: composeBulkDestination(deps.config, content, plan, addressee(attempt.row), now),
    }));
    const ready = entries.filter((e) => e.destination.ok);
    for (const e of entries) if (!e.destination.ok) e.attempt.missing = e.destination.missing;
    if (ready.length === 0) return markSuppressed(attempts, suppressed);
    await waitUntil(deps, startAt);
    try {
      const results = await client.sendBulk(
        plan.template,
        ready.map((e) => (e.destination as Extract<typeof e.destination, { ok: true }>).destination),
        burstDeadline(startAt, reservation.spanMs),
      );
      results.forEach((result, i) => {
        const attempt = ready[i]!.attempt;
        if (result.ok) attempt.messageId = result.messageId;
        else attempt.verdict = bulkVerdict(result.status, result.error);
      });
    } catch (err) {
      if ((err as Error).name === "LateForSlot") for (const e of ready) e.attempt.held = true;
      else for (const e of ready) e.attempt.verdict = sendVerdict(err);
    }
    return markSuppressed(attempts, suppressed);
  }

  let next = 0;
  let halted = false;
  const worker = async () => {
    while (next < open.length) {
      const i = next++;
      const attempt = open[i]!;
      const slot = startAt + i * intervalMs;
      await waitUntil(deps, slot);
      if (halted || state.stopping) {
        attempt.held = true;
        continue;
      }
      const composed = composeMessage(deps.config, content, addressee(attempt.row), now);
      if (!composed.ok) {
        attempt.missing = composed.missing;
        continue;
      }
      try {
        attempt.messageId = await client.sendEmail(composed.message, sendDeadline(slot, intervalMs));
      } catch (err) {
        if ((err as Error).name === "LateForSlot") {
          // Behind its slot: this one goes back for a fresh slot; the next ones may still be on time.
          attempt.held = true;
          continue;
        }
        attempt.verdict = sendVerdict(err);
        // Past these, the rest of the batch would only meet the same answer.
        if (["throttled", "quota", "workspace", "campaign"].includes(attempt.verdict.kind)) halted = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, open.length) }, worker));
  return markSuppressed(attempts, suppressed);
}

function markSuppressed(attempts: Attempt[], suppressed: Set<string>): Attempt[] {
  for (const a of attempts) if (suppressed.has(a.row.email)) a.verdict = { kind: "rejected", reason: "suppressed" };
  return attempts;
}

/** Records a batch's outcomes and acts on what SES said of it as a whole. */
async function settle(deps: Deps, workspaceId: string, id: string, attempts: Attempt[]) {
  const now = deps.clock.now();
  const outcomes: Outcome[] = [];
  let throttled = false;
  let transient = false;
  let stopVerdict: SendVerdict | null = null;
  for (const a of attempts) {
    const v = a.verdict;
    if (v?.kind === "rejected" && v.reason === "suppressed") {
      outcomes.push({ id: a.row.id, status: "suppressed", error: "On the suppression list when its turn came." });
    } else if (a.missing) {
      outcomes.push({ id: a.row.id, status: "failed", error: `No value for ${a.missing.map((m) => `{{${m}}}`).join(", ")} and no fallback.` });
    } else if (a.messageId) {
      outcomes.push({ id: a.row.id, status: "sent", messageId: a.messageId, at: now.getTime() });
    } else if (a.held || !v) {
      outcomes.push({ id: a.row.id, status: "queued" });
    } else if (v.kind === "rejected") {
      outcomes.push({ id: a.row.id, status: "failed", error: v.reason });
    } else if (v.kind === "unknown") {
      outcomes.push({ id: a.row.id, status: "unknown", error: v.reason });
    } else if (v.kind === "transient") {
      transient = true;
      const tries = a.row.attempts + 1;
      outcomes.push(tries >= MAX_ATTEMPTS ? { id: a.row.id, status: "failed", error: `${v.reason} Tried ${tries} times.`, retried: true } : { id: a.row.id, status: "queued", retried: true });
    } else {
      if (v.kind === "throttled") throttled = true;
      else stopVerdict ??= v;
      outcomes.push({ id: a.row.id, status: "queued" });
    }
  }
  await recordOutcomes(deps.db, { workspaceId, id }, outcomes, now);
  if (stopVerdict?.kind === "quota") await holdForQuota(deps, workspaceId);
  else if (stopVerdict?.kind === "workspace") await pauseWorkspace(deps, workspaceId, stopVerdict.reason);
  else if (stopVerdict?.kind === "campaign") await pauseCampaign(deps, workspaceId, id, stopVerdict.reason);
  return { stop: stopVerdict !== null, throttled, transient, unsent: outcomes.filter((o) => o.status === "queued").length };
}

async function finishIfDone(deps: Deps, workspaceId: string, id: string) {
  if (await hasUnsettled(deps.db, id)) return;
  const now = deps.clock.now();
  // A hold set by a sender that met the quota while the last batch went out no longer applies.
  if (await moveCampaign(deps.db, workspaceId, id, ["running"], "sent", { finishedAt: now, updatedAt: now, holdUntil: null, pauseReason: null })) {
    deps.log.info("campaign finished", { workspaceId, campaignId: id });
  }
}

