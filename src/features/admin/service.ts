import { serialize, transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { Conflict, Forbidden, NotFound } from "../../lib/errors";
import type { Auth, UserRole } from "../auth/model";
import { revokeUserSessions } from "../auth/queries";
import { issueResetLink } from "../auth/service";
import { getLimitSettings, listInstanceKeys, saveLimitSettings, setKeyLimits, type Limit, type LimitSettings } from "../limits/settings";
import { findWorkspace } from "../workspaces/queries";
import { USAGE_RATES_DAYS, type WorkspaceUsage } from "./model";
import { countOtherActiveAdmins, findApiKeyLimits, findUser, latestQuotaByWorkspace, listUsers, listWorkspacesWithMembers, sendingCountsByWorkspace, updateUser } from "./queries";
import { getSignupMode } from "./signup";
import { getSystemMail, sendSystemMail, systemMailChoices } from "./system-mail";

/** Instance administration is instance-wide by nature; the caller was checked to be an admin. */
export async function listInstanceUsers(deps: Deps) {
  return listUsers(deps.db);
}

export async function changeUser(deps: Deps, admin: Auth, id: string, patch: { role?: UserRole; disabled?: boolean }) {
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    // Changes to administrators run one at a time, so two admins demoting each other at once cannot
    // both pass the last-admin check; the caller must still be one when its turn comes.
    await serialize(tx, "instance-admins");
    const actor = await findUser(tx, admin.user.id);
    if (!actor || actor.role !== "admin" || actor.disabled) throw new Forbidden("Only an administrator can change accounts.");
    const user = await findUser(tx, id);
    if (!user) throw new NotFound("There is no such user.");
    const losesAdmin = (patch.role === "user" || patch.disabled === true) && user.role === "admin";
    if (losesAdmin && (await countOtherActiveAdmins(tx, id)) === 0) {
      throw new Conflict("This is the last active administrator; make someone else an administrator first.", "last_admin");
    }
    await updateUser(tx, id, { ...patch, updatedAt: now });
    // A disabled account is logged out everywhere at once.
    if (patch.disabled) await revokeUserSessions(tx, id, now);
    const updated = (await findUser(tx, id))!;
    return { id: updated.id, email: updated.email, role: updated.role, disabled: updated.disabled, createdAt: updated.createdAt, self: admin.user.id === id };
  });
}

/** A single-use reset link for an account, made by an instance admin; the link is in the answer alone. */
export async function makeResetLink(deps: Deps, admin: Auth, userId: string): Promise<{ url: string; expiresAt: Date; email: string }> {
  const user = await findUser(deps.db, userId);
  if (!user) throw new NotFound("There is no such user.");
  if (user.disabled) throw new Conflict("This account is disabled: enable it first, or the new password will not let them in.", "user_disabled");
  const link = await issueResetLink(deps, user.id, admin.user.id);
  return { ...link, email: user.email };
}

const DAY_MS = 24 * 3600_000;

/**
 * Sending per workspace, from counters alone (hourly campaign counters and SES quota readings): what
 * an instance admin needs to see who uses the instance how much, without reading anyone's lists,
 * templates or mail. Days and months are counted in UTC.
 */
export async function workspaceUsage(deps: Deps): Promise<WorkspaceUsage[]> {
  const now = deps.clock.now();
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const ratesSince = Math.floor((now.getTime() - USAGE_RATES_DAYS * DAY_MS) / 3_600_000) * 3_600_000;
  const [workspaces, counts, quotas] = await Promise.all([
    listWorkspacesWithMembers(deps.db),
    sendingCountsByWorkspace(deps.db, { dayStart, monthStart, ratesSince }),
    latestQuotaByWorkspace(deps.db),
  ]);
  return workspaces.map((w) => {
    const c = counts.get(w.id);
    const q = quotas.get(w.id);
    const delivered = c?.delivered ?? 0;
    const bounced = c?.bounced ?? 0;
    return {
      id: w.id,
      name: w.name,
      members: w.members,
      sentToday: c?.sentToday ?? 0,
      sentThisMonth: c?.sentThisMonth ?? 0,
      quota: q ? { max24HourSend: q.max24HourSend, sentLast24Hours: q.sentLast24Hours, region: q.region, measuredAt: q.at } : null,
      // The same definitions the reputation guard uses (campaigns/guard.ts).
      bounceRate: delivered + bounced > 0 ? bounced / (delivered + bounced) : null,
      complaintRate: delivered > 0 ? (c?.complained ?? 0) / delivered : null,
    };
  });
}

/** The limits per workspace role, as the admin sets them (blank: no limit). */
export async function getRoleLimits(deps: Deps): Promise<LimitSettings> {
  return getLimitSettings(deps.db);
}

export async function saveRoleLimits(deps: Deps, settings: LimitSettings): Promise<LimitSettings> {
  await saveLimitSettings(deps.db, settings, deps.clock.now());
  return getLimitSettings(deps.db);
}

/** One key's own limits; null fields fall back to its role's. */
export async function setApiKeyLimits(deps: Deps, keyId: string, limit: Limit): Promise<{ id: string } & Limit> {
  if (!(await setKeyLimits(deps.db, keyId, limit, deps.clock.now()))) throw new NotFound("There is no API key with that id.", "api_key_not_found");
  return (await findApiKeyLimits(deps.db, keyId))!;
}

export async function instanceKeys(deps: Deps) {
  return listInstanceKeys(deps.db);
}

/** The sign-up and system mail settings, with what the admin can choose the system mail from. */
export async function instanceSettings(deps: Deps) {
  const [signup, systemMail, choices] = await Promise.all([getSignupMode(deps.db), getSystemMail(deps), systemMailChoices(deps)]);
  const workspaceName = systemMail ? ((await findWorkspace(deps.db, systemMail.workspaceId))?.name ?? null) : null;
  return { signup, systemMail: systemMail ? { ...systemMail, workspaceName } : null, choices };
}

/** A test mail to the admin's own address through the system mail connection. */
export async function testSystemMail(deps: Deps, admin: Auth) {
  return sendSystemMail(deps, {
    to: admin.user.email,
    subject: "Sesame system mail works",
    text: "This test mail was sent by your Sesame instance through its system mail connection. Password reset links will be sent the same way.",
    html: "<p>This test mail was sent by your Sesame instance through its system mail connection. Password reset links will be sent the same way.</p>",
  });
}
