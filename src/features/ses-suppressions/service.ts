import { getAccount } from "../../aws/ses";
import {
  deleteSuppressed,
  getSuppressed,
  isSesSuppressionReason,
  listSuppressed,
  putSuppressed,
  putSuppressionAttributes,
  SES_SUPPRESSION_REASONS,
  sesSession,
  tokenTrail,
  type SesSuppressionReason,
} from "../../aws/suppression-list";
import type { Deps } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { AppError, Invalid, NotFound } from "../../lib/errors";
import { zonedToUtc } from "../../lib/zones";
import type { Auth } from "../auth/model";
import { userTimeZone } from "../auth/service";
import { activeKeys, requireKeys, requireWorkspaceAdmin, withAws } from "../credentials/service";
import { SYNC_SETTINGS, type SesSuppressionFilter, type SesSuppressionsPage, type SyncDirection, type SyncResult, type SyncSetting, type SyncStatus } from "./model";
import { findSyncState, recordSyncStarted, updateSyncSetting } from "./queries";
import { currentRun, startSync } from "./sync";

/** Rows of one page of the list. */
export const PAGE_SIZE = 50;
/** A partial search reads at most this many addresses per request; the page then offers to look further. */
export const SCAN_LIMIT = 20_000;
/**
 * Pages a partial search reads at most per request. Full pages reach SCAN_LIMIT in 20; SES may answer
 * fewer addresses than asked (even none, with a NextToken), and such pages must not go on for ever.
 */
export const SEARCH_PAGES = 40;
/** How long a "Pull now" or "Push now" request waits for its result before answering that it goes on (tests shorten it). */
export const syncWait = { ms: 20_000 };

/** The page's filter from the query string, with anything that is not one of its values dropped. */
export function readFilter(query: { q?: string; reason?: string; from?: string; to?: string; nextToken?: string }): SesSuppressionFilter {
  const day = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && zonedToUtc(`${v}T00:00`, "UTC") ? v : "");
  return {
    q: (query.q ?? "").trim().slice(0, 320),
    reason: isSesSuppressionReason(query.reason) ? query.reason : null,
    from: day(query.from),
    to: day(query.to),
    nextToken: query.nextToken?.trim() || null,
  };
}

/**
 * A page of SES's list. SES cannot search: a whole address is looked up directly, and part of one
 * is searched by reading the list a thousand at a time, up to SCAN_LIMIT addresses per request.
 */
export async function listSesSuppressions(deps: Deps, auth: Auth, filter: SesSuppressionFilter): Promise<SesSuppressionsPage> {
  const { keys } = await requireKeys(deps, auth);
  const ses = sesSession(deps.config, keys);
  const dates = { reasons: filter.reason ? [filter.reason] : undefined, ...dayBounds(filter, userTimeZone(auth)) };
  return withAws(deps, auth, async () => {
    const q = normalizeEmail(filter.q);
    if (q && isEmail(q)) {
      const found = await getSuppressed(ses, q);
      const fits = found && (!dates.reasons || dates.reasons.includes(found.reason)) && (!dates.startDate || found.lastUpdate >= dates.startDate) && (!dates.endDate || found.lastUpdate <= dates.endDate);
      return { items: fits ? [found] : [], nextToken: null };
    }
    const trail = tokenTrail(filter.nextToken);
    if (!q) {
      const page = await listSuppressed(ses, { ...dates, nextToken: filter.nextToken ?? undefined, pageSize: PAGE_SIZE });
      return { items: page.items, nextToken: trail(page.nextToken) };
    }
    const items: SesSuppressionsPage["items"] = [];
    let scanned = 0;
    let pages = 0;
    let nextToken = filter.nextToken ?? undefined;
    // Whole pages only, so that the token given back continues right after what was read.
    do {
      const page = await listSuppressed(ses, { ...dates, nextToken, pageSize: 1000 });
      scanned += page.items.length;
      for (const item of page.items) if (item.email.toLowerCase().includes(q)) items.push(item);
      nextToken = trail(page.nextToken) ?? undefined;
    } while (nextToken && items.length < PAGE_SIZE && scanned < SCAN_LIMIT && ++pages < SEARCH_PAGES);
    return { items, nextToken: nextToken ?? null, scanned, stoppedEarly: Boolean(nextToken) && items.length < PAGE_SIZE };
  });
}

/**
 * The filter's days as instants: from the start of `from` to the end of `to` in the person's time
 * zone, the zone the table shows times in.
 */
function dayBounds(filter: SesSuppressionFilter, zone: string): { startDate?: Date; endDate?: Date } {
  const start = (day: string) => zonedToUtc(`${day}T00:00`, zone) ?? undefined;
  const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 3600_000).toISOString().slice(0, 10);
  const end = filter.to ? start(nextDay(filter.to)) : undefined;
  return { startDate: filter.from ? start(filter.from) : undefined, endDate: end && new Date(end.getTime() - 1) };
}

function checkAddress(raw: string): string {
  const email = normalizeEmail(raw);
  if (!isEmail(email)) throw new Invalid("Enter a valid email address.", "invalid_email", "email");
  return email;
}

export async function addSesSuppression(deps: Deps, auth: Auth, input: { email: string; reason: string }): Promise<void> {
  requireWorkspaceAdmin(auth, "add addresses to SES's suppression list");
  const email = checkAddress(input.email);
  if (!isSesSuppressionReason(input.reason)) throw new Invalid("Choose why the address is suppressed: bounce or complaint.", "invalid_reason", "reason");
  const { keys } = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putSuppressed(sesSession(deps.config, keys), email, input.reason as SesSuppressionReason));
}

export async function removeSesSuppression(deps: Deps, auth: Auth, raw: string): Promise<void> {
  requireWorkspaceAdmin(auth, "remove addresses from SES's suppression list");
  const email = normalizeEmail(raw);
  const { keys } = await requireKeys(deps, auth);
  const removed = await withAws(deps, auth, () => deleteSuppressed(sesSession(deps.config, keys), email));
  if (!removed) throw new NotFound("That address is not on SES's suppression list; it may have been removed already. Reload the list.", "ses_suppression_not_found");
}

/** Which events make SES add addresses to the list on its own. */
export async function suppressionAttributes(deps: Deps, auth: Auth): Promise<{ reasons: SesSuppressionReason[] }> {
  const { keys } = await requireKeys(deps, auth);
  const account = await withAws(deps, auth, () => getAccount(deps.config, keys));
  return { reasons: account.suppressedReasons };
}

export async function setSuppressionAttributes(deps: Deps, auth: Auth, raw: string[]): Promise<{ reasons: SesSuppressionReason[] }> {
  requireWorkspaceAdmin(auth, "change which events add addresses to SES's suppression list");
  const chosen = raw.filter((r) => r !== "");
  const bad = chosen.find((r) => !isSesSuppressionReason(r));
  if (bad !== undefined) throw new Invalid("Reasons are BOUNCE and COMPLAINT.", "invalid_reason", "reasons");
  const reasons = SES_SUPPRESSION_REASONS.filter((r) => chosen.includes(r));
  const { keys } = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putSuppressionAttributes(sesSession(deps.config, keys), reasons));
  return { reasons };
}

export async function syncStatus(deps: Deps, auth: Auth): Promise<SyncStatus> {
  const state = await findSyncState(deps.db, auth.workspace.id);
  return { sync: state?.sync ?? "off", lastSyncAt: state?.syncedAt ?? null, pulledThrough: state?.pulledThrough ?? null, run: currentRun(auth.workspace.id) };
}

export async function setSyncSetting(deps: Deps, auth: Auth, sync: string): Promise<SyncStatus> {
  requireWorkspaceAdmin(auth, "change how SES's suppression list is kept in step");
  if (!SYNC_SETTINGS.includes(sync as SyncSetting)) throw new Invalid("Choose off, pull, push or both.", "invalid_sync", "sync");
  await updateSyncSetting(deps.db, auth.workspace.id, sync as SyncSetting);
  return syncStatus(deps, auth);
}

/**
 * Runs one direction now with the caller's keys and waits a while for it. A longer one goes on in
 * the background: the answer then says it is running, with what it has done so far.
 */
export async function syncNow(deps: Deps, auth: Auth, direction: string): Promise<SyncResult & { running: boolean }> {
  requireWorkspaceAdmin(auth, "sync SES's suppression list");
  if (direction !== "pull" && direction !== "push") throw new Invalid("Choose pull or push.", "invalid_direction", "direction");
  const { keys } = await requireKeys(deps, auth);
  const run = startSync(deps, auth.workspace.id, keys, direction as SyncDirection);
  await recordSyncStarted(deps.db, auth.workspace.id, run.startedAt);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), syncWait.ms)));
  const waited = await Promise.race([run.done.then((r) => ({ ...r, running: false })), timeout]).finally(() => clearTimeout(timer));
  return waited ?? { added: run.added, skipped: run.skipped, refused: run.refused, running: true };
}

/** Everything the page shows; a list or attributes AWS would not give leave their sentence in their place. */
export async function sesSuppressionsPage(deps: Deps, auth: Auth, filter: SesSuppressionFilter) {
  const connected = (await activeKeys(deps, auth).catch(() => null)) !== null;
  const sync = await syncStatus(deps, auth);
  if (!connected) return { connected, sync, list: { page: null }, attributes: { reasons: null } };
  const [list, attributes] = await Promise.all([
    sesSuppressionsTable(deps, auth, filter),
    suppressionAttributes(deps, auth).then(
      (a) => ({ reasons: a.reasons as string[] | null }),
      (err) => ({ reasons: null, error: sentence(err) }),
    ),
  ]);
  return { connected, sync, list, attributes };
}

/** The list as the page's table shows it: a page, or the sentence saying why there is none. */
export async function sesSuppressionsTable(deps: Deps, auth: Auth, filter: SesSuppressionFilter): Promise<{ page: SesSuppressionsPage | null; error?: string }> {
  return listSesSuppressions(deps, auth, filter).then(
    (page) => ({ page }),
    (err) => ({ page: null, error: sentence(err) }),
  );
}

function sentence(err: unknown): string {
  if (err instanceof AppError) return err.message;
  throw err;
}
