import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { Invalid } from "../../lib/errors";
import type { WorkspaceRole } from "../auth/model";
import { DEFAULT_LIMITS, isLimitValue, type Limit, type LimitSettings } from "./model";

export type { Limit, LimitSettings };

const KEY = "limits";
const ROLES: WorkspaceRole[] = ["owner", "admin", "member"];

/** The limits per workspace role the instance admin set, with the defaults for whatever was never set. */
export async function getLimitSettings(db: Database): Promise<LimitSettings> {
  const { instanceSettings } = db.t;
  const [row] = await db.orm.select({ value: instanceSettings.value }).from(instanceSettings).where(eq(instanceSettings.key, KEY));
  const stored = (row?.value ?? {}) as Partial<LimitSettings>;
  const roles = {} as LimitSettings["roles"];
  for (const role of ROLES) {
    const own = stored.roles?.[role];
    roles[role] = {
      requestsPerMinute: own && isLimitValue(own.requestsPerMinute) ? own.requestsPerMinute : DEFAULT_LIMITS.roles[role].requestsPerMinute,
      mailsPerDay: own && isLimitValue(own.mailsPerDay) ? own.mailsPerDay : DEFAULT_LIMITS.roles[role].mailsPerDay,
    };
  }
  return { roles };
}

/** Checks a limit a person typed: a whole number from 1, or null (no limit). */
export function checkLimit(limit: { requestsPerMinute?: unknown; mailsPerDay?: unknown }, field: string): Limit {
  const requestsPerMinute = limit.requestsPerMinute ?? null;
  const mailsPerDay = limit.mailsPerDay ?? null;
  if (!isLimitValue(requestsPerMinute)) throw new Invalid("Requests per minute is a whole number from 1, or empty for no limit.", "invalid_limit", `${field}.requestsPerMinute`);
  if (!isLimitValue(mailsPerDay)) throw new Invalid("Mails per day is a whole number from 1, or empty for no limit.", "invalid_limit", `${field}.mailsPerDay`);
  return { requestsPerMinute, mailsPerDay };
}

const SETTINGS_TTL_MS = 5_000;
let cachedSettings: { db: unknown; at: number; value: LimitSettings } | null = null;

/** The admin's limits, read at most every few seconds per instance: a change applies everywhere within that. */
export async function cachedLimitSettings(deps: { db: Database }): Promise<LimitSettings> {
  const now = Date.now();
  if (cachedSettings && cachedSettings.db === deps.db && now - cachedSettings.at < SETTINGS_TTL_MS) return cachedSettings.value;
  const value = await getLimitSettings(deps.db);
  cachedSettings = { db: deps.db, at: now, value };
  return value;
}


export async function saveLimitSettings(db: Database, settings: LimitSettings, now: Date): Promise<void> {
  const roles = {} as LimitSettings["roles"];
  for (const role of ROLES) roles[role] = checkLimit(settings.roles?.[role] ?? {}, role);
  const { instanceSettings } = db.t;
  await db.orm
    .insert(instanceSettings)
    .values({ key: KEY, value: { roles }, updatedAt: now })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value: { roles }, updatedAt: now } });
  // This instance applies the new limits at once; others within the few seconds of their cache.
  cachedSettings = null;
}

/** Every API key of the instance, for the admin's limits table: names and dates, never a secret. */
export async function listInstanceKeys(db: Database) {
  const { apiKeys, workspaces } = db.t;
  return db.orm
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scope: apiKeys.scope,
      role: apiKeys.role,
      prefix: apiKeys.prefix,
      workspaceId: apiKeys.workspaceId,
      workspaceName: workspaces.name,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      requestsPerMinute: apiKeys.requestsPerMinute,
      mailsPerDay: apiKeys.mailsPerDay,
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .orderBy(workspaces.name, apiKeys.createdAt);
}

/** The admin's own limits for one key; null fields fall back to the key's role. Returns false when there is no such key. */
export async function setKeyLimits(db: Database, keyId: string, limit: Limit, _now: Date): Promise<boolean> {
  const checked = checkLimit(limit, "key");
  const { apiKeys } = db.t;
  const rows = await db.orm.update(apiKeys).set(checked).where(eq(apiKeys.id, keyId)).returning({ id: apiKeys.id });
  return rows.length > 0;
}
