import type { WorkspaceRole } from "../auth/model";

/** A limit of requests per minute and mails per day; null is no limit. */
export interface Limit {
  requestsPerMinute: number | null;
  mailsPerDay: number | null;
}

export interface LimitSettings {
  roles: Record<WorkspaceRole, Limit>;
}

/**
 * Until the instance admin says otherwise: generous for people, so a script of a member cannot
 * starve the instance, and no daily mail cap (SES's own 24-hour quota applies anyway).
 */
export const DEFAULT_LIMITS: LimitSettings = {
  roles: {
    owner: { requestsPerMinute: 1200, mailsPerDay: null },
    admin: { requestsPerMinute: 1200, mailsPerDay: null },
    member: { requestsPerMinute: 600, mailsPerDay: null },
  },
};

export const LIMIT_MAX = 1_000_000_000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 3600_000;

/** A limit as stored: a whole number from 1 up, or null. Anything else is refused by the caller's validation. */
export function isLimitValue(value: unknown): value is number | null {
  return value === null || (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= LIMIT_MAX);
}

/** What a caller's limit comes from: its own (a key the admin gave one), else its role's. */
export function effectiveLimit(role: WorkspaceRole, settings: LimitSettings, own?: Partial<Limit>): Limit {
  const byRole = settings.roles[role];
  return {
    requestsPerMinute: own?.requestsPerMinute ?? byRole.requestsPerMinute,
    mailsPerDay: own?.mailsPerDay ?? byRole.mailsPerDay,
  };
}
