import type { AwsKeys } from "../../aws/client";
import { AwsFailure } from "../../aws/errors";
import { listSuppressed, putSuppressed, sesListTarget, sesSession, tokenTrail, type SesSession } from "../../aws/suppression-list";
import { transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { Conflict } from "../../lib/errors";
import { STATUS_FOR_SUPPRESSION } from "../contacts/model";
import { setContactsStatusByEmails } from "../contacts/queries";
import { addPulledSuppressions, countSesPushed, markSesPushed, suppressionsToPush } from "../suppressions/queries";
import { FROM_SES, PULLED_SOURCE, TO_SES, type SyncDirection, type SyncResult, type SyncRunView } from "./model";
import { findSyncState, recordPulledThrough, retargetSyncMarks } from "./queries";

/** SES's own page limit: a pull reads the list a thousand addresses a call. */
const PULL_PAGE = 1000;
/** Sesame's hard bounces and complaints read per batch of a push (memory stays bounded whatever the list's size). */
const PUSH_BATCH = 500;
/** PutSuppressedDestination calls in flight at once. */
const PUSH_CONCURRENCY = 4;
/**
 * An incremental pull asks SES for entries since the newest one already pulled, less this margin:
 * an entry SES adds while a pull is paging may carry a time just before the newest one that pull
 * saw. Reading an hour again costs little, since an address already suppressed is skipped.
 */
const PULL_OVERLAP_MS = 60 * 60 * 1000;

export interface SyncOptions {
  /** Waits after each TooManyRequests in a row; past the last one the push stops and says so. */
  backoffMs: number[];
  /**
   * Pages one pull reads at most (of PULL_PAGE addresses): far more than any account's list, so that
   * an answer that pages without end (empty pages, each with a NextToken) stops the pull instead.
   */
  maxPullPages: number;
}

export const DEFAULT_SYNC: SyncOptions = { backoffMs: [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000], maxPullPages: 5_000 };

/** Refusals a push logs one by one; past these only their number is logged, at the end of the run. */
const REFUSALS_LOGGED = 20;

interface Run extends SyncRunView {
  done: Promise<SyncResult>;
}

/**
 * The sync under way (or last ended) per workspace in this process: a button and the background job
 * join the one running instead of racing it, and the page can show its progress.
 */
const runs = new Map<string, Run>();

const view = ({ done: _done, ...rest }: Run): SyncRunView => ({ ...rest });

export function currentRun(workspaceId: string): SyncRunView | null {
  const run = runs.get(workspaceId);
  return run ? view(run) : null;
}

/** Resolves when every sync this process started has ended (tests; a graceful stop). */
export async function syncRunsSettled(): Promise<void> {
  await Promise.allSettled([...runs.values()].map((r) => r.done));
}

/**
 * Starts a pull or a push for the workspace, or joins the one of the same direction already running.
 * The work goes on after the caller stops waiting: it keeps its place in the database, so a restart
 * that cuts it short loses nothing.
 */
export function startSync(deps: Deps, workspaceId: string, keys: AwsKeys, direction: SyncDirection, options: Partial<SyncOptions> = {}): Run {
  const current = runs.get(workspaceId);
  if (current?.running) {
    if (current.direction === direction) return current;
    throw new Conflict(`A ${current.direction} of SES's suppression list is running; try again when it has finished.`, "sync_running");
  }
  const run = { direction, startedAt: deps.clock.now(), endedAt: null, added: 0, skipped: 0, refused: 0, running: true, error: null } as Run;
  const ses = sesSession(deps.config, keys);
  const chosen = { ...DEFAULT_SYNC, ...options };
  run.done = (async () => {
    // The marks describe one SES list; keys of another account, or another region, start afresh.
    if (await retargetSyncMarks(deps.db, workspaceId, sesListTarget(keys))) {
      deps.log.info("SES suppression list sync starts afresh on another SES list", { workspaceId, region: keys.region });
    }
    await (direction === "pull" ? pull(deps, workspaceId, ses, run, chosen) : push(deps, workspaceId, ses, run, chosen));
  })().then(
    () => {
      run.running = false;
      run.endedAt = deps.clock.now();
      return { added: run.added, skipped: run.skipped, refused: run.refused };
    },
    (err: Error) => {
      run.running = false;
      run.endedAt = deps.clock.now();
      run.error = err instanceof AwsFailure || err instanceof Conflict ? err.message : "The sync stopped on an error on Sesame's side; it has been logged.";
      deps.log.warn("SES suppression list sync failed", { workspaceId, direction, error: err.message, ...(err instanceof AwsFailure ? { detail: err.detail } : {}) });
      throw err;
    },
  );
  // A run nobody waits for any more must not become an unhandled rejection.
  run.done.catch(() => {});
  runs.set(workspaceId, run);
  return run;
}

/** SQLite runs on this thread: between two batches, requests that wait get their turn. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Copies SES's list into Sesame's: the whole list the first time, then what SES added since the
 * newest entry already pulled. Each page is one transaction; an address Sesame already suppresses
 * keeps its own reason and is only marked as being on SES's list.
 */
async function pull(deps: Deps, workspaceId: string, ses: SesSession, run: Run, options: SyncOptions): Promise<void> {
  const state = await findSyncState(deps.db, workspaceId);
  let newest = state?.pulledThrough ?? null;
  const since = newest ? new Date(newest.getTime() - PULL_OVERLAP_MS) : undefined;
  const trail = tokenTrail();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages++ >= options.maxPullPages) throw endlessList(options.maxPullPages);
    const page = await listSuppressed(ses, { startDate: since, nextToken, pageSize: PULL_PAGE });
    const now = deps.clock.now();
    const rows = new Map<string, (typeof page.items)[number]>();
    for (const item of page.items) {
      const email = normalizeEmail(item.email);
      if (isEmail(email)) rows.set(email, item);
      if (!newest || item.lastUpdate > newest) newest = item.lastUpdate;
    }
    const added = await transaction(deps.db, async (tx) => {
      const inserted = await addPulledSuppressions(
        tx,
        [...rows].map(([email, item]) => ({ workspaceId, email, reason: FROM_SES[item.reason], source: PULLED_SOURCE, createdAt: now, sesPushedAt: now })),
      );
      for (const reason of ["hard_bounce", "complaint"] as const) {
        await setContactsStatusByEmails(tx, workspaceId, inserted.filter((r) => r.reason === reason).map((r) => r.email), STATUS_FOR_SUPPRESSION[reason], now);
      }
      await markSesPushed(tx, workspaceId, [...rows.keys()], now);
      return inserted.length;
    });
    run.added += added;
    run.skipped += page.items.length - added;
    nextToken = trail(page.nextToken) ?? undefined;
    await yieldTurn();
  } while (nextToken);
  // Only a pull that read to the end moves the mark: one cut short starts again from the old one.
  if (newest) await recordPulledThrough(deps.db, workspaceId, newest);
}

function endlessList(pages: number): AwsFailure {
  return new AwsFailure(
    `SES was still giving pages of its suppression list after ${(pages * PULL_PAGE).toLocaleString("en")} addresses, more than Sesame reads in one pull, so the pull stopped there. What it read is kept; the next pull reads the list again from where the last complete one ended.`,
    "aws_paging_limit",
    "ses:ListSuppressedDestinations",
    `ListSuppressedDestinations still answered a NextToken after ${pages} pages`,
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const throttled = (err: unknown) => err instanceof AwsFailure && err.code === "aws_throttled";
/**
 * SES refused this one address (BadRequest: an address it will not take), not the keys or the
 * account: the push goes on with the others. Anything else (permissions, keys, network) stops it.
 */
const refusedAddress = (err: unknown): err is AwsFailure => err instanceof AwsFailure && err.code === "aws_bad_request";

/**
 * Puts Sesame's hard bounces and complaints that SES's list lacks onto it, a few calls in flight,
 * each address marked as it succeeds: a re-run, or one after a crash, pushes only the rest.
 * TooManyRequests pauses every caller and retries with growing waits; past the last wait the push
 * stops with AWS's sentence, keeping what it did. An address SES refuses is logged, counted and left
 * unmarked (the next push tries it again), and the push goes on with the rest.
 */
async function push(deps: Deps, workspaceId: string, ses: SesSession, run: Run, options: SyncOptions): Promise<void> {
  run.skipped = await countSesPushed(deps.db, workspaceId);
  const gate = { until: 0, strikes: 0 };
  let failure: unknown = null;

  const pushOne = async (row: { id: number; email: string; reason: keyof typeof TO_SES }) => {
    for (;;) {
      const wait = gate.until - Date.now();
      if (wait > 0) await sleep(wait);
      if (failure) return;
      try {
        await putSuppressed(ses, row.email, TO_SES[row.reason]!);
        gate.strikes = 0;
        break;
      } catch (err) {
        if (refusedAddress(err)) {
          gate.strikes = 0;
          // The row's id stands for the address, which the log does not keep (AWS's answer may quote it).
          const detail = err.detail.split(row.email).join("[address]");
          if (++run.refused <= REFUSALS_LOGGED) deps.log.warn("SES refused an address pushed to its suppression list", { workspaceId, suppressionId: row.id, detail });
          return;
        }
        if (!throttled(err) || gate.strikes >= options.backoffMs.length) throw err;
        // One wait for every caller: a throttled account is throttled for all of them.
        const delay = options.backoffMs[gate.strikes++]!;
        gate.until = Math.max(gate.until, Date.now() + delay);
      }
    }
    await markSesPushed(deps.db, workspaceId, [row.email], deps.clock.now());
    run.added++;
  };

  let after = 0;
  while (!failure) {
    const batch = await suppressionsToPush(deps.db, workspaceId, after, PUSH_BATCH);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    let next = 0;
    const worker = async () => {
      while (!failure && next < batch.length) {
        const row = batch[next++]!;
        await pushOne(row).catch((err) => {
          failure ??= err;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, batch.length) }, worker));
    await yieldTurn();
  }
  if (run.refused > REFUSALS_LOGGED) deps.log.warn("SES refused more addresses pushed to its suppression list", { workspaceId, refused: run.refused, logged: REFUSALS_LOGGED });
  if (failure) throw failure;
}
