import type { Deps } from "../../deps";
import { TooManyRequests } from "../../lib/errors";
import type { Auth } from "../auth/model";
import { addToWindow } from "./counters";
import { DAY_MS, MINUTE_MS, effectiveLimit, type Limit } from "./model";
import { findKeyLimits } from "./queries";
import { cachedLimitSettings as limitSettings } from "./settings";

/** Whose counters a caller spends: a key's own, or a person's in this workspace. */
const counterOf = (auth: Auth) => (auth.apiKey ? `key:${auth.apiKey.id}` : `user:${auth.user.id}:${auth.workspace.id}`);

/**
 * Counts one API request against the caller's per-minute limit (a fixed window shared by every
 * instance). Null when the caller has no limit; `refused` when this request is past it (not counted).
 */
export async function countRequest(
  deps: Deps,
  auth: Auth,
  own?: Partial<Limit>,
): Promise<{ limit: number; remaining: number; reset: number; refused: boolean } | null> {
  const limit = effectiveLimit(auth.workspaceRole, await limitSettings(deps), own).requestsPerMinute;
  if (limit === null) return null;
  const now = deps.clock.now().getTime();
  const windowStart = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const reset = Math.max(1, Math.ceil((windowStart + MINUTE_MS - now) / 1000));
  const count = await addToWindow(deps.db, `req:${counterOf(auth)}`, windowStart, 1, limit);
  return { limit, remaining: count === null ? 0 : Math.max(0, limit - count), reset, refused: count === null };
}

/**
 * Counts `mails` against the caller's daily mail limit before they are queued, refusing (429) what
 * would pass it. Browser sessions and keys alike; the day is UTC.
 */
export async function chargeMails(deps: Deps, auth: Auth, mails: number): Promise<void> {
  if (mails <= 0) return;
  const own = auth.apiKey ? await findKeyLimits(deps.db, auth.apiKey.id) : undefined;
  const limit = effectiveLimit(auth.workspaceRole, await limitSettings(deps), own ?? undefined).mailsPerDay;
  const now = deps.clock.now().getTime();
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const total = await addToWindow(deps.db, `mail:${counterOf(auth)}`, dayStart, mails, limit);
  if (total === null) {
    const reset = Math.max(1, Math.ceil((dayStart + DAY_MS - now) / 1000));
    throw new TooManyRequests(
      `This would pass the ${byWhom(auth)} limit of ${limit!.toLocaleString("en-US")} mails a day (the count starts again at midnight UTC); ask the instance administrator for a higher limit.`,
      reset,
      "mail_limit",
    );
  }
}

const byWhom = (auth: Auth) => (auth.apiKey ? "key's" : "account's");
