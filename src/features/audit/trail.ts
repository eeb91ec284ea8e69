import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { sha256 } from "../../lib/ids";
import { describeForLog } from "../../lib/log";
import type { Auth, ClientMeta } from "../auth/model";
import { maskAccessKeyId } from "../credentials/model";
import { FIELD_MAX, type AuditAction, type AuditActor, type AuditEntry, type AuditTarget } from "./model";
import {
  findApiKeyLabel,
  findCampaignName,
  findInviteByTokenHash,
  findInviteLabel,
  findNewestApiKey,
  findNewestInvite,
  findResetUser,
  findUserByEmail,
  findUserLabel,
  findWorkspaceName,
  insertAuditEntries,
  nextAuditSequence,
  recentAuditEntry,
  workspaceIdsOf,
} from "./queries";

/**
 * The audit trail is written here, from one hook that runs once the answer is known: a table maps
 * (method, route pattern, status) to an action, and each action says whose log it goes in, what it
 * was done to and which plain facts to keep. Features never call the log themselves, and a route
 * that does not exist yet is recorded as soon as it does.
 */

/** What the hook knows about one request once it has been answered. */
export interface Happening {
  deps: Deps;
  /** The caller as the request arrived (a session or an API key); null when signed out. */
  auth: Auth | null;
  meta: ClientMeta | null;
  params: Record<string, string>;
  /** The parsed body (JSON or form fields); never written as it is, only the fields each rule picks. */
  body: Record<string, unknown>;
  /** The JSON answer, when the answer was one. */
  response: Record<string, unknown> | null;
  status: number;
  now: Date;
}

/** What a rule found; anything left out is the caller's (actor, workspace). */
interface Recording {
  /** Whose logs the entry goes in: one row each; null is the instance's own log. */
  workspaceIds?: (string | null)[];
  actor?: AuditActor;
  target?: AuditTarget | null;
  detail?: Record<string, unknown> | null;
}

interface Rule {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  route: string;
  action: AuditAction;
  /** The statuses that are recorded; by default every success (below 400, redirects of page forms included). */
  on?: readonly number[];
  /** Null: nothing to record after all (e.g. a logout without a session). */
  record?: (h: Happening) => Promise<Recording | null>;
}

/** The caller as the log names them: a person, or an API key (with the person who made it). */
export function actorOf(auth: Auth): AuditActor {
  const key = auth.apiKey;
  if (key) return { type: "api_key", id: key.id, label: `API key “${key.name}” (${auth.user.email})` };
  return { type: "user", id: auth.user.id, label: auth.user.email };
}

/** A short text field from a body, trimmed; anything else is null. */
function str(value: unknown, max = 200): string | null {
  if (typeof value !== "string") return null;
  const text = value.trim();
  return text ? text.slice(0, max) : null;
}

/** A tick box or a boolean, as JSON or a form sends it; null when absent. */
function flag(value: unknown): boolean | null {
  if (value === true || value === "true" || value === "on") return true;
  if (value === false || value === "false" || value === "off") return false;
  return null;
}

/** A limit as JSON (a number or null) or a form (text, blank for none) gives it: a whole number, or null for "no limit". */
function limitOf(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,12}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}

/** `{requestsPerMinute, mailsPerDay}` from an object, or from a form's flat "<prefix>requestsPerMinute" fields. */
function limitsFrom(source: Record<string, unknown>, prefix = "") {
  return { requestsPerMinute: limitOf(source[`${prefix}requestsPerMinute`]), mailsPerDay: limitOf(source[`${prefix}mailsPerDay`]) };
}

function roleOf(value: unknown): string | null {
  return value === "owner" || value === "admin" || value === "member" || value === "user" ? value : null;
}

/** Only what the rule names: no field is copied from a body unless it is listed here. */
function facts(entries: Record<string, unknown>): Record<string, unknown> | null {
  const kept = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== null && v !== undefined));
  return Object.keys(kept).length ? kept : null;
}

/** Account events (sign-in, password) go in the log of every workspace the account belongs to. */
async function accountWorkspaces(h: Happening, userId: string): Promise<(string | null)[]> {
  const ids = await workspaceIdsOf(h.deps.db, userId);
  return ids.length ? ids : [null];
}

/** The account named by the body's email, as sign-in and sign-up find it. */
async function accountByBodyEmail(h: Happening) {
  const email = normalizeEmail(typeof h.body.email === "string" ? h.body.email : "");
  return isEmail(email) ? findUserByEmail(h.deps.db, email) : null;
}

async function signedIn(h: Happening): Promise<Recording | null> {
  const user = await accountByBodyEmail(h);
  if (!user) return null;
  return { workspaceIds: await accountWorkspaces(h, user.id), actor: { type: "user", id: user.id, label: user.email } };
}

/** Refused sign-ins: a throttled client is written once a minute per address and email, not once a request. */
const THROTTLED_EVERY_MS = 60_000;
const THROTTLED_KEPT = 10_000;
/** When this process last wrote a refusal per address and email: claimed before any await, so a burst of refusals answered at once writes one. */
const throttledWritten = new Map<string, number>();

/** Whether this refusal is the first of its window here: the database then says whether another instance wrote one. */
function claimThrottled(key: string, now: number): boolean {
  const last = throttledWritten.get(key);
  if (last !== undefined && now - last < THROTTLED_EVERY_MS) return false;
  if (throttledWritten.size >= THROTTLED_KEPT) {
    for (const [k, at] of throttledWritten) if (now - at >= THROTTLED_EVERY_MS) throttledWritten.delete(k);
    // Still full of fresh ones (a flood from many addresses): forget them rather than grow.
    if (throttledWritten.size >= THROTTLED_KEPT) throttledWritten.clear();
  }
  throttledWritten.set(key, now);
  return true;
}

async function failedSignIn(h: Happening): Promise<Recording | null> {
  const tried = normalizeEmail(typeof h.body.email === "string" ? h.body.email : "");
  // What was typed as the email is kept only when it is one: people paste passwords into the wrong field.
  const label = isEmail(tried) ? tried : "Someone (no valid email address given)";
  const ip = h.meta?.ip ?? null;
  const throttled = h.status === 429;
  if (throttled) {
    if (!claimThrottled(`${ip}|${label}`, h.now.getTime())) return null;
    if (await recentAuditEntry(h.deps.db, "auth.login_failed", "throttled", ip, label, new Date(h.now.getTime() - THROTTLED_EVERY_MS))) return null;
  }
  const user = isEmail(tried) ? await findUserByEmail(h.deps.db, tried) : null;
  return {
    workspaceIds: user ? await accountWorkspaces(h, user.id) : [null],
    actor: { type: "anonymous", id: null, label },
    target: user ? { type: "user", id: user.id, label: user.email } : null,
    detail: { reason: throttled ? "throttled" : "invalid_credentials" },
  };
}

async function passwordReset(h: Happening): Promise<Recording | null> {
  // The token finds the account; it is never written.
  const token = str(h.body.token, 1000);
  const user = token ? await findResetUser(h.deps.db, sha256(token)) : null;
  if (!user) return null;
  return { workspaceIds: await accountWorkspaces(h, user.id), actor: { type: "user", id: user.id, label: user.email } };
}

async function campaignTarget(h: Happening): Promise<Recording | null> {
  if (!h.auth || !h.params.id) return null;
  const name = await findCampaignName(h.deps.db, h.auth.workspace.id, h.params.id);
  return { target: { type: "campaign", id: h.params.id, label: name } };
}

async function memberTarget(h: Happening): Promise<AuditTarget | null> {
  const id = h.params.userId;
  if (!id) return null;
  const user = await findUserLabel(h.deps.db, id);
  return { type: "user", id, label: user?.email ?? null };
}

async function apiKeyTarget(h: Happening, id: string, workspaceId: string | null): Promise<AuditTarget> {
  const key = await findApiKeyLabel(h.deps.db, id);
  // A key of another workspace is never named in this one's log.
  const name = key && (workspaceId === null || key.workspaceId === workspaceId) ? key.name : null;
  return { type: "api_key", id, label: name };
}

async function userTarget(h: Happening): Promise<AuditTarget | null> {
  const id = h.params.id;
  if (!id) return null;
  const user = await findUserLabel(h.deps.db, id);
  return { type: "user", id, label: user?.email ?? null };
}

const instance = { workspaceIds: [null] };

export const RULES: readonly Rule[] = [
  // Account
  { method: "POST", route: "/auth/login", action: "auth.login", record: signedIn },
  { method: "POST", route: "/auth/login", action: "auth.login_failed", on: [401, 429], record: failedSignIn },
  {
    method: "POST",
    route: "/auth/signup",
    action: "auth.signup",
    record: async (h) => {
      const found = await signedIn(h);
      return found && { ...found, detail: facts({ invited: str(h.body.invite, 1000) ? true : null }) };
    },
  },
  {
    method: "POST",
    route: "/auth/logout",
    action: "auth.logout",
    record: async (h) => (h.auth && !h.auth.apiKey ? { workspaceIds: await accountWorkspaces(h, h.auth.user.id) } : null),
  },
  { method: "POST", route: "/auth/password", action: "auth.password_changed", record: async (h) => (h.auth ? { workspaceIds: await accountWorkspaces(h, h.auth.user.id) } : null) },
  { method: "POST", route: "/auth/reset", action: "auth.password_reset", record: passwordReset },

  // AWS credentials and settings of the workspace
  {
    method: "POST",
    route: "/aws/connect",
    action: "aws.connected",
    record: async (h) => {
      const id = str(h.body.accessKeyId, 128);
      return { detail: facts({ accessKeyId: id ? maskAccessKeyId(id) : null, region: str(h.body.region, 50), saved: flag(h.body.save) ?? false }) };
    },
  },
  { method: "DELETE", route: "/aws/connect", action: "aws.disconnected" },
  { method: "PUT", route: "/aws/events", action: "aws.events_topic_set", record: async (h) => ({ detail: facts({ topicArn: str(h.body.topicArn, 300) }) }) },
  { method: "POST", route: "/aws/events/setup", action: "aws.events_setup" },
  { method: "PUT", route: "/aws/s3", action: "aws.s3_bucket_set", record: async (h) => ({ detail: facts({ bucket: str(h.body.bucket, 100), region: str(h.body.region, 50) }) }) },
  { method: "DELETE", route: "/aws/s3", action: "aws.s3_bucket_removed" },
  { method: "PUT", route: "/aws/region", action: "aws.region_changed", record: async (h) => ({ detail: facts({ region: str(h.body.region, 50), force: flag(h.body.force) }) }) },
  { method: "PUT", route: "/aws/account/sending", action: "aws.sending_changed", record: async (h) => ({ detail: facts({ enabled: flag(h.body.enabled) }) }) },

  // Campaigns
  { method: "POST", route: "/campaigns/:id/launch", action: "campaign.launched", record: campaignTarget },
  { method: "POST", route: "/campaigns/:id/pause", action: "campaign.paused", record: campaignTarget },
  { method: "POST", route: "/campaigns/:id/resume", action: "campaign.resumed", record: campaignTarget },
  { method: "POST", route: "/campaigns/:id/cancel", action: "campaign.cancelled", record: campaignTarget },
  { method: "POST", route: "/campaigns/:id/resend-unknown", action: "campaign.unknown_resent", record: campaignTarget },

  // Members and invites
  {
    method: "PATCH",
    route: "/workspace/members/:userId",
    action: "member.role_changed",
    record: async (h) => ({ target: await memberTarget(h), detail: facts({ role: roleOf(h.body.role) }) }),
  },
  {
    method: "DELETE",
    route: "/workspace/members/:userId",
    action: "member.removed",
    record: async (h) => ({ target: await memberTarget(h), detail: facts({ self: h.auth?.user.id === h.params.userId ? true : null }) }),
  },
  {
    method: "POST",
    route: "/workspace/invites",
    action: "invite.created",
    record: async (h) => {
      // The answer's `url` holds the token: only the id is taken from it (or, after an htmx form, from the database).
      const newest = typeof h.response?.id === "string" || !h.auth ? null : await findNewestInvite(h.deps.db, h.auth.workspace.id, h.auth.user.id);
      const id = typeof h.response?.id === "string" ? h.response.id : (newest?.id ?? null);
      const email = str(h.body.email, 320);
      return {
        target: { type: "invite", id, label: email },
        detail: facts({ role: roleOf(h.body.role) ?? roleOf(h.response?.role), email, emailed: typeof h.response?.emailed === "boolean" ? h.response.emailed : null }),
      };
    },
  },
  {
    method: "DELETE",
    route: "/workspace/invites/:id",
    action: "invite.revoked",
    record: async (h) => {
      const invite = h.auth ? await findInviteLabel(h.deps.db, h.auth.workspace.id, h.params.id ?? "") : null;
      return { target: { type: "invite", id: h.params.id ?? null, label: invite?.email ?? null }, detail: facts({ role: invite?.role }) };
    },
  },
  {
    method: "POST",
    route: "/invite/:token/accept",
    action: "invite.accepted",
    record: async (h) => {
      // The token finds the invite (and so the workspace joined); it is never written.
      const invite = h.params.token ? await findInviteByTokenHash(h.deps.db, sha256(h.params.token)) : null;
      if (!invite) return null;
      return { workspaceIds: [invite.workspaceId], target: { type: "invite", id: invite.id, label: invite.email }, detail: facts({ role: invite.role }) };
    },
  },

  // API keys
  {
    method: "POST",
    route: "/api-keys",
    action: "api_key.created",
    record: async (h) => {
      // The answer's `key` is the secret itself: only its id is taken from it (or, after an htmx form, from the database).
      if (!h.auth) return null;
      const id = typeof h.response?.id === "string" ? h.response.id : (await findNewestApiKey(h.deps.db, h.auth.workspace.id, h.auth.user.id))?.id;
      const target = id ? await apiKeyTarget(h, id, h.auth.workspace.id) : { type: "api_key", id: null, label: str(h.body.name, 100) };
      return { target, detail: facts({ scope: str(h.body.scope, 10), role: roleOf(h.body.role) }) };
    },
  },
  {
    method: "DELETE",
    route: "/api-keys/:id",
    action: "api_key.revoked",
    record: async (h) => ({ target: await apiKeyTarget(h, h.params.id ?? "", h.auth?.workspace.id ?? null) }),
  },

  // Instance administration: the instance's own log
  {
    method: "PATCH",
    route: "/admin/users/:id",
    action: "admin.user_changed",
    record: async (h) => ({ ...instance, target: await userTarget(h), detail: facts({ role: roleOf(h.body.role), disabled: flag(h.body.disabled) }) }),
  },
  { method: "POST", route: "/admin/users/:id/reset-link", action: "admin.reset_link_created", record: async (h) => ({ ...instance, target: await userTarget(h) }) },
  {
    method: "PUT",
    route: "/admin/limits",
    action: "admin.limits_changed",
    record: async (h) => {
      // As JSON `{roles:{owner:{…}, …}}`, or the page's flat "owner.requestsPerMinute" fields.
      const roles = h.body.roles && typeof h.body.roles === "object" ? (h.body.roles as Record<string, unknown>) : null;
      const limits: Record<string, unknown> = {};
      for (const role of ["owner", "admin", "member"]) {
        const given = roles?.[role];
        limits[role] = roles ? limitsFrom(given && typeof given === "object" ? (given as Record<string, unknown>) : {}) : limitsFrom(h.body, `${role}.`);
      }
      return { ...instance, detail: { roles: limits } };
    },
  },
  {
    method: "PATCH",
    route: "/admin/api-keys/:id",
    action: "admin.api_key_limits_changed",
    record: async (h) => ({
      ...instance,
      target: await apiKeyTarget(h, h.params.id ?? "", null),
      detail: limitsFrom(h.body),
    }),
  },
  {
    method: "PUT",
    route: "/admin/signup",
    action: "admin.signup_mode_changed",
    record: async (h) => ({ ...instance, detail: facts({ mode: ["open", "invite", "closed"].includes(String(h.body.mode)) ? h.body.mode : null }) }),
  },
  {
    method: "PUT",
    route: "/admin/system-mail",
    action: "admin.system_mail_set",
    record: async (h) => {
      // As JSON `{workspaceId, from}`, or the page's one picker "workspaceId|address".
      const sender = str(h.body.sender, 500);
      const bar = sender?.indexOf("|") ?? -1;
      const workspaceId = str(h.body.workspaceId, 100) ?? (sender && bar > 0 ? sender.slice(0, bar) : null);
      const from = str(h.body.from, 400) ?? (sender && bar > 0 ? sender.slice(bar + 1) : null);
      const target = workspaceId ? { type: "workspace", id: workspaceId, label: await findWorkspaceName(h.deps.db, workspaceId) } : null;
      return { ...instance, target, detail: facts({ from }) };
    },
  },
  { method: "DELETE", route: "/admin/system-mail", action: "admin.system_mail_removed", record: async () => instance },
];

const byRoute = new Map<string, Rule[]>();
for (const rule of RULES) {
  const key = `${rule.method} ${rule.route}`;
  byRoute.set(key, [...(byRoute.get(key) ?? []), rule]);
}

function ruleFor(method: string, route: string, status: number): Rule | null {
  for (const rule of byRoute.get(`${method} ${route}`) ?? []) {
    if (rule.on ? rule.on.includes(status) : status < 400) return rule;
  }
  return null;
}

/** The entries one answered request makes (none when it matches no rule). */
export async function entriesFor(h: Happening, method: string, route: string): Promise<AuditEntry[]> {
  const rule = ruleFor(method, route, h.status);
  if (!rule) return [];
  const found = rule.record ? await rule.record(h) : {};
  if (!found) return [];
  const actor = found.actor ?? (h.auth ? actorOf(h.auth) : null);
  if (!actor) return [];
  const workspaceIds = found.workspaceIds ?? (h.auth ? [h.auth.workspace.id] : [null]);
  return workspaceIds.map((workspaceId) => ({
    workspaceId,
    actor: { ...actor, label: actor.label.slice(0, FIELD_MAX) },
    action: rule.action,
    target: found.target ?? null,
    detail: found.detail ?? null,
    ip: h.meta?.ip?.slice(0, 64) ?? null,
    userAgent: h.meta?.userAgent?.slice(0, FIELD_MAX) ?? null,
    at: h.now,
  }));
}

const pending = new Set<Promise<void>>();

/**
 * Resolves once every audit entry already on its way is written (or has failed and been logged).
 * The hook runs after the answer has gone out: shutdown and tests wait here for it.
 */
export async function auditIdle(): Promise<void> {
  // The hook starts on the next turn of the event loop after the answer; give it that turn.
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.size) await Promise.all([...pending]);
  }
}

function plainObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Response) && !(value instanceof ReadableStream) ? (value as Record<string, unknown>) : null;
}

/** The hook: installed once in src/app.ts, before the routes it watches. */
export function auditTrail(deps: Deps) {
  return new Elysia().onAfterResponse({ as: "global" }, (c) => {
    const method = c.request.method;
    const route = c.route;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS" || !route) return;
    const response = (c as { responseValue?: unknown }).responseValue;
    const setStatus = typeof c.set.status === "number" ? c.set.status : Number(c.set.status) || 200;
    // As Elysia merges them: a Response's own status wins unless it is 200 (the html plugin wraps a
    // page in a 200 Response, and the status the route set is the one sent).
    const status = response instanceof Response && response.status !== 200 ? response.status : setStatus;
    if (!ruleFor(method, route, status)) return;
    // The context plugin's derive (src/web/context.ts) put these here, unless the request failed before it ran.
    const extra = c as unknown as { auth?: Auth | null; meta?: ClientMeta; params?: Record<string, string>; body?: unknown };
    const happening: Happening = {
      deps,
      auth: extra.auth ?? null,
      meta: extra.meta ?? null,
      params: extra.params ?? {},
      body: plainObject(extra.body) ?? {},
      response: plainObject(response),
      status,
      now: deps.clock.now(),
    };
    const order = nextAuditSequence();
    const write = entriesFor(happening, method, route)
      .then((entries) => insertAuditEntries(deps.db, entries, order))
      .catch((err) => {
        // The answer has gone out as it was: a lost audit entry is logged, never turned into an error.
        deps.log.error("audit entry not written", { method, route, status, error: describeForLog(err) });
      })
      .finally(() => pending.delete(write));
    pending.add(write);
  });
}
