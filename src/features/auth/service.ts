import { serialize, transaction, type Database } from "../../db/client";
import type { Deps } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { AppError, BadRequest, Conflict, Forbidden, Invalid, TooManyRequests, Unauthorized } from "../../lib/errors";
import { newId, newToken, sha256 } from "../../lib/ids";
import { canonicalTimeZone } from "../../lib/zones";
import { getSignupMode } from "../admin/signup";
import type { SignupMode } from "../admin/model";
import { getSystemMail, sendSystemMail } from "../admin/system-mail";
import { peekInvite, redeemInvite } from "../workspaces/invites";
import { findHomeMembership, findWorkspace, insertMembership, insertWorkspace } from "../workspaces/queries";
import {
  FORGOT_LIMIT_PER_ADDRESS,
  FORGOT_MAILS_PER_ACCOUNT,
  FORGOT_WINDOW_MS,
  LOGIN_FAILURE_WINDOW_MS,
  LOGIN_FREE_FAILURES,
  NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  RESET_TTL_MS,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_TOUCH_MS,
  SIGNUP_LIMIT,
  SIGNUP_WINDOW_MS,
  loginDelayMs,
  waitInWords,
  type Auth,
  type ClientMeta,
  type PublicUser,
  type PublicWorkspace,
  type SignupView,
} from "./model";
import {
  claimPasswordReset,
  clearEntries,
  countUsers,
  findLiveSession,
  findPasswordReset,
  findUserByEmail,
  findUserById,
  insertPasswordReset,
  insertSession,
  insertUser,
  nthRecentEntry,
  pruneAuthRecords,
  recentEntries,
  recordEntries,
  revokeOtherSessions,
  revokeSession,
  revokeUserSessions,
  setPasswordHash,
  setTimeZone,
  setTimeZoneIfNone,
  spendPasswordResets,
  touchSession,
  updateProfileRow,
} from "./queries";

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
  /** An invite link's token: the new account joins that workspace instead of getting one of its own. */
  invite?: string;
  /** The browser's zone, as it reports it; anything that is not a zone is ignored. */
  timeZone?: unknown;
}

export interface LoginInput {
  email: string;
  password: string;
  /** The browser's zone: kept when the account has none yet; anything that is not a zone is ignored. */
  timeZone?: unknown;
}

export interface LoginResult {
  user: PublicUser;
  workspace: PublicWorkspace;
  /** The raw session token: it goes into the signed cookie and nowhere else. */
  token: string;
}

const INVALID_LOGIN = "That email and password do not match an account.";

/** Compared against when the email is unknown, so both failures take the same time. */
let decoyHash: Promise<string> | null = null;

function checkCredentialsShape(email: string, password: string) {
  if (!isEmail(email)) throw new Invalid("Enter a valid email address.", "invalid_email", "email");
  checkNewPassword(password, "password");
}

/** The rules every new password meets, at sign-up, on a change and on a reset. */
function checkNewPassword(password: string, field: string) {
  if (password.length < PASSWORD_MIN) {
    throw new Invalid(`The password must be at least ${PASSWORD_MIN} characters long.`, "password_too_short", field);
  }
  if (password.length > PASSWORD_MAX) {
    throw new Invalid(`The password must be at most ${PASSWORD_MAX} characters long.`, "password_too_long", field);
  }
}

const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });

/** Why sign-up is refused in a mode, for a visitor without a way in. */
export function signupRefusal(mode: SignupMode): Forbidden | null {
  if (mode === "invite") return new Forbidden("Sign-up on this Sesame is by invitation only: ask someone in a workspace for an invite link.", "signup_invite_only");
  if (mode === "closed") return new Forbidden("Sign-up on this Sesame is closed: ask its administrator for an account.", "signup_closed");
  return null;
}

/**
 * Whether this sign-up may create an account: the first account of an instance always may; an
 * invite link opens sign-up unless it is closed (then invites only bring in people who have an
 * account already); otherwise the instance admin's mode decides.
 */
async function refuseByMode(db: Database, hasInvite: boolean) {
  const mode = await getSignupMode(db);
  if (mode === "open" || (hasInvite && mode === "invite")) return;
  if ((await countUsers(db)) === 0) return;
  throw signupRefusal(mode)!;
}

export async function signup(deps: Deps, input: SignupInput, meta: ClientMeta): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const invite = input.invite?.trim() || null;
  const { db, clock } = deps;
  await refuseByMode(db, invite !== null);
  checkCredentialsShape(email, input.password);
  const name = (input.name ?? "").trim();
  if (name.length > NAME_MAX) throw new Invalid(`The name must be at most ${NAME_MAX} characters long.`, "name_too_long", "name");
  if (invite && !(await peekInvite(db, invite, clock.now()))) {
    const mode = await getSignupMode(db);
    throw mode === "open" || (await countUsers(db)) === 0 ? invalidInvite() : inviteOnlyRefusal();
  }

  // Checked before the costly hash, so a flood is turned away cheaply, and again inside the
  // transaction, where sign-ups run one at a time, so parallel ones cannot all slip past.
  await refuseSignupFlood(db, clock.now(), meta.ip);
  if (await findUserByEmail(db, email)) throw new Conflict("An account with this email already exists; log in instead.", "email_taken");
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();
  const user: PublicUser = { id: newId("usr"), email, name, role: "user", timeZone: browserZone(input.timeZone) };
  let workspace: PublicWorkspace = { id: newId("wsp"), name: `${name || email.split("@")[0]}'s workspace` };

  try {
    await transaction(db, async (tx) => {
      // The first account on an instance administers it (one sign-up at a time decides which that is).
      await serialize(tx, "instance-admins");
      await refuseSignupFlood(tx, now, meta.ip);
      await refuseByMode(tx, invite !== null);
      user.role = (await countUsers(tx)) === 0 ? "admin" : "user";
      await insertUser(tx, { ...user, passwordHash, createdAt: now });
      if (invite) {
        // The invite's workspace instead of one of its own; a link used meanwhile fails the whole sign-up.
        const joined = await redeemInvite(tx, invite, user.id, now);
        workspace = { id: joined.workspaceId, name: (await findWorkspace(tx, joined.workspaceId))?.name ?? "" };
      } else {
        await insertWorkspace(tx, { ...workspace, createdAt: now });
        await insertMembership(tx, { workspaceId: workspace.id, userId: user.id, role: "owner", createdAt: now });
      }
      await recordEntries(tx, [`signup:${meta.ip}`], now);
    });
  } catch (err) {
    // Two signups for one email at once: the unique index lets only one through.
    if (!(err instanceof AppError) && (await findUserByEmail(db, email))) {
      throw new Conflict("An account with this email already exists; log in instead.", "email_taken");
    }
    throw err;
  }
  const token = await startSession(deps, user.id, workspace.id, meta);
  return { user, workspace, token };
}

const INVITE_SPENT = "This invite link cannot be used: it was used already, withdrawn or has expired. Ask for a new one.";

function invalidInvite() {
  return new Invalid(INVITE_SPENT, "invite_invalid", "invite");
}

function inviteOnlyRefusal() {
  return new Forbidden(`${INVITE_SPENT} Sign-up on this Sesame is by invitation only.`, "signup_invite_only");
}

/** Accounts made in bulk from one address wait: only successful sign-ups count. */
async function refuseSignupFlood(db: Database, now: Date, ip: string) {
  const key = `signup:${ip}`;
  const [recent] = await recentEntries(db, [key], new Date(now.getTime() - SIGNUP_WINDOW_MS));
  if (!recent || Number(recent.n) < SIGNUP_LIMIT) return;
  // Sign-up opens again when the SIGNUP_LIMIT-th most recent one leaves the window.
  const pivot = (await nthRecentEntry(db, key, SIGNUP_LIMIT))?.getTime() ?? now.getTime();
  const seconds = Math.max(1, Math.ceil((pivot + SIGNUP_WINDOW_MS - now.getTime()) / 1000));
  throw new TooManyRequests(`Too many accounts were created from your address. Try again in ${waitInWords(seconds)}.`, seconds, "too_many_signups");
}

export async function login(deps: Deps, input: LoginInput, meta: ClientMeta): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  if (input.password.length > PASSWORD_MAX) {
    throw new Invalid(`The password must be at most ${PASSWORD_MAX} characters long.`, "password_too_long", "password");
  }
  // Checks for one address, and for one account, run one at a time, so each sees the failures
  // recorded by those before it: guesses sent in parallel cannot all pass the throttle, and nothing
  // in flight is counted as a failure. (Several instances each keep their own queues, so in parallel
  // they get at most one unthrottled check each.) Address before account, always: no deadlock.
  const user = await oneAtATime(`login-ip:${meta.ip}`, () => oneAtATime(`login-acct:${email}`, () => checkPassword(deps, email, input.password, meta.ip)));

  // Someone who left (or was removed from) every workspace still has an account: they get a fresh one of their own.
  const home = (await findHomeMembership(deps.db, user.id)) ?? (await ownWorkspace(deps, user));
  let timeZone = user.timeZone;
  const offered = timeZone ? null : browserZone(input.timeZone);
  if (offered) {
    await setTimeZoneIfNone(deps.db, user.id, offered, deps.clock.now());
    timeZone = offered;
  }
  const token = await startSession(deps, user.id, home.workspaceId, meta);
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role, timeZone },
    workspace: { id: home.workspaceId, name: home.workspaceName },
    token,
  };
}

/** A new, empty workspace the account owns, for an account that belongs to none any more. */
async function ownWorkspace(deps: Deps, user: { id: string; email: string; name: string }) {
  const now = deps.clock.now();
  const workspace = { id: newId("wsp"), name: `${user.name || user.email.split("@")[0]}'s workspace`, createdAt: now };
  await transaction(deps.db, async (tx) => {
    await insertWorkspace(tx, workspace);
    await insertMembership(tx, { workspaceId: workspace.id, userId: user.id, role: "owner", createdAt: now });
  });
  deps.log.info("workspace made for an account without one", { userId: user.id, workspaceId: workspace.id });
  return { workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
}

/** The counters a failed check is recorded under, each with its free failures. */
function loginCounters(email: string, ip: string) {
  return [
    { key: `acct-ip:${email}|${ip}`, free: LOGIN_FREE_FAILURES.accountAddress },
    { key: `ip:${ip}`, free: LOGIN_FREE_FAILURES.address },
    { key: `acct:${email}`, free: LOGIN_FREE_FAILURES.account },
  ];
}

async function checkPassword(deps: Deps, email: string, password: string, ip: string) {
  const { db, clock } = deps;
  const counters = loginCounters(email, ip);
  await refuseWhileDelayed(deps, counters);

  const user = await findUserByEmail(db, email);
  decoyHash ??= Bun.password.hash("decoy password for timing", { algorithm: "argon2id" });
  const valid = await Bun.password.verify(password, user?.passwordHash ?? (await decoyHash));
  if (!user || !valid || user.disabled) {
    await recordEntries(db, counters.map((c) => c.key), clock.now());
    throw new Unauthorized(INVALID_LOGIN, "invalid_credentials");
  }
  // The owner is back: the account's failures from every address are forgotten. The address's own
  // count stays, since it may hold guesses at other accounts.
  await clearEntries(db, `acct:${email}`, `acct-ip:${email}|`);
  return user;
}

/** Refuses a try, without checking its password or counting it, while any counter says wait. */
async function refuseWhileDelayed(deps: Deps, counters: { key: string; free: number }[]) {
  const now = deps.clock.now().getTime();
  const recent = await recentEntries(deps.db, counters.map((c) => c.key), new Date(now - LOGIN_FAILURE_WINDOW_MS));
  let until = now;
  for (const { key, n, last } of recent) {
    const free = counters.find((c) => c.key === key)!.free;
    if (last) until = Math.max(until, last.getTime() + loginDelayMs(Number(n), free));
  }
  if (until <= now) return;
  const seconds = Math.ceil((until - now) / 1000);
  throw new TooManyRequests(`Too many failed attempts. Try again in ${waitInWords(seconds)}.`, seconds, "too_many_attempts");
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier call with the same key has settled (within this process). */
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const mine = (queues.get(key) ?? Promise.resolve()).then(work);
  const settled = mine.catch(() => undefined);
  queues.set(key, settled);
  try {
    return await mine;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

async function startSession(deps: Deps, userId: string, workspaceId: string, meta: ClientMeta): Promise<string> {
  const token = newToken();
  const now = deps.clock.now();
  await insertSession(deps.db, {
    id: sha256(token),
    userId,
    workspaceId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return token;
}

export async function logout(deps: Deps, token: string): Promise<void> {
  await revokeSession(deps.db, sha256(token), deps.clock.now());
}

/** The caller behind a session token, or null when the session is unknown, revoked or expired. */
export async function authenticate(deps: Deps, token: string): Promise<Auth | null> {
  const now = deps.clock.now();
  const id = sha256(token);
  const row = await findLiveSession(deps.db, id, now, new Date(now.getTime() - SESSION_IDLE_MS));
  if (!row) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > SESSION_TOUCH_MS) await touchSession(deps.db, id, now);
  return {
    user: { id: row.userId, email: row.email, name: row.name, role: row.role, timeZone: row.timeZone },
    workspace: { id: row.workspaceId, name: row.workspaceName },
    workspaceRole: row.workspaceRole,
    session: { id, awsCredentials: row.awsCredentials },
  };
}

export async function pruneAuth(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await pruneAuthRecords(deps.db, {
    entriesBefore: new Date(now.getTime() - Math.max(LOGIN_FAILURE_WINDOW_MS, SIGNUP_WINDOW_MS, FORGOT_WINDOW_MS)),
    now,
    idleBefore: new Date(now.getTime() - SESSION_IDLE_MS),
  });
}

/** A zone a browser reported, as Sesame keeps it, or null: a browser's odd answer is never an error. */
function browserZone(value: unknown): string | null {
  return typeof value === "string" ? canonicalTimeZone(value) : null;
}

/** The zone the caller enters and reads times in: theirs, or UTC until their browser has told us. */
export function userTimeZone(auth: Auth): string {
  return auth.user.timeZone ?? "UTC";
}

/**
 * Sets the caller's time zone. A browser reporting its own zone (`ifNone`) fills it only while the
 * account has none and is ignored when it names no zone; a person choosing one is refused a name
 * that is not a zone.
 */
export async function changeTimeZone(deps: Deps, auth: Auth, value: string, options: { ifNone?: boolean } = {}): Promise<string | null> {
  const zone = canonicalTimeZone(value);
  if (options.ifNone) {
    if (!zone || auth.user.timeZone) return auth.user.timeZone;
    await setTimeZoneIfNone(deps.db, auth.user.id, zone, deps.clock.now());
    return zone;
  }
  if (!zone) throw new BadRequest("Choose a time zone from the list, such as Europe/Paris.", "invalid_time_zone");
  await setTimeZone(deps.db, auth.user.id, zone, deps.clock.now());
  return zone;
}

/** Account changes belong to a person at a browser: an API key acts for its creator but never as them. */
function requireSession(auth: Auth): Auth {
  if (auth.apiKey || auth.session.id.startsWith("apikey:")) throw new Forbidden("An API key cannot change an account; log in to do this.", "session_required");
  return auth;
}

export interface ProfileInput {
  name?: string;
  timeZone?: string;
}

/** Sets the caller's own name and time zone; either may be left out. */
export async function updateProfile(deps: Deps, auth: Auth, input: ProfileInput): Promise<PublicUser> {
  requireSession(auth);
  const patch: { name?: string; timeZone?: string } = {};
  if (input.name !== undefined) {
    const name = input.name.replace(/\s+/g, " ").trim();
    if (name.length > NAME_MAX) throw new Invalid(`The name must be at most ${NAME_MAX} characters long.`, "name_too_long", "name");
    patch.name = name;
  }
  if (input.timeZone !== undefined) {
    const zone = canonicalTimeZone(input.timeZone);
    if (!zone) throw new Invalid("Choose a time zone from the list, such as Europe/Paris.", "invalid_time_zone", "timeZone");
    patch.timeZone = zone;
  }
  if (Object.keys(patch).length) await updateProfileRow(deps.db, auth.user.id, { ...patch, updatedAt: deps.clock.now() });
  return { ...auth.user, ...patch };
}

/**
 * Changes the caller's password after checking the current one, which meets the same growing delays
 * as a login (a stolen session cannot guess it faster than the login form could). Every other
 * session of the account ends; the one that asked stays.
 */
export async function changePassword(deps: Deps, auth: Auth, input: { currentPassword: string; newPassword: string }, meta: ClientMeta): Promise<void> {
  requireSession(auth);
  if (input.currentPassword.length > PASSWORD_MAX) throw new Invalid("That is not your current password.", "wrong_password", "currentPassword");
  checkNewPassword(input.newPassword, "newPassword");
  const email = auth.user.email;
  await oneAtATime(`login-ip:${meta.ip}`, () =>
    oneAtATime(`login-acct:${email}`, async () => {
      const counters = loginCounters(email, meta.ip);
      await refuseWhileDelayed(deps, counters);
      const user = await findUserById(deps.db, auth.user.id);
      if (!user || !(await Bun.password.verify(input.currentPassword, user.passwordHash))) {
        await recordEntries(deps.db, counters.map((c) => c.key), deps.clock.now());
        throw new Invalid("That is not your current password.", "wrong_password", "currentPassword");
      }
    }),
  );
  const passwordHash = await hashPassword(input.newPassword);
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    await setPasswordHash(tx, auth.user.id, passwordHash, now);
    await revokeOtherSessions(tx, auth.user.id, auth.session.id, now);
    await spendPasswordResets(tx, auth.user.id, now);
  });
  await clearEntries(deps.db, `acct:${email}`, `acct-ip:${email}|`);
}

/** The address a reset link opens, with its token: shown or mailed once, stored only as its hash. */
function resetUrl(deps: Deps, token: string): string {
  return new URL(`/reset/${token}`, deps.config.publicUrl).toString();
}

/** A fresh single-use reset link for an account, valid for an hour. `createdBy`: the admin who made it, or null when mailed on request. */
export async function issueResetLink(deps: Deps, userId: string, createdBy: string | null): Promise<{ url: string; expiresAt: Date }> {
  const token = newToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
  await insertPasswordReset(deps.db, { id: newId("pwr"), userId, tokenHash: sha256(token), createdBy, createdAt: now, expiresAt });
  return { url: resetUrl(deps, token), expiresAt };
}

/**
 * "I forgot my password". The answer never depends on whether the address has an account: the
 * look-up, the link and the mail happen after the answer, off the request, so its timing says nothing
 * either. Only the asking address is limited (429), which says nothing about any account.
 * Returns how a link would reach the person: by mail, or only from an administrator.
 */
export async function forgotPassword(deps: Deps, rawEmail: string, meta: ClientMeta): Promise<{ delivery: "mail" | "admin" }> {
  const now = deps.clock.now();
  const key = `forgot:${meta.ip}`;
  const [recent] = await recentEntries(deps.db, [key], new Date(now.getTime() - FORGOT_WINDOW_MS));
  if (recent && Number(recent.n) >= FORGOT_LIMIT_PER_ADDRESS) {
    const pivot = (await nthRecentEntry(deps.db, key, FORGOT_LIMIT_PER_ADDRESS))?.getTime() ?? now.getTime();
    const seconds = Math.max(1, Math.ceil((pivot + FORGOT_WINDOW_MS - now.getTime()) / 1000));
    throw new TooManyRequests(`Too many reset requests from your address. Try again in ${waitInWords(seconds)}.`, seconds, "too_many_resets");
  }
  await recordEntries(deps.db, [key], now);
  const delivery = (await getSystemMail(deps)) ? "mail" : "admin";
  const email = normalizeEmail(rawEmail);
  if (delivery === "mail" && isEmail(email)) {
    void mailResetLink(deps, email).catch((err) => deps.log.error("password reset mail failed", { error: err instanceof Error ? err.message : String(err) }));
  }
  return { delivery };
}

async function mailResetLink(deps: Deps, email: string): Promise<void> {
  const user = await findUserByEmail(deps.db, email);
  if (!user || user.disabled) return;
  const now = deps.clock.now();
  const key = `forgot-acct:${user.id}`;
  const [recent] = await recentEntries(deps.db, [key], new Date(now.getTime() - FORGOT_WINDOW_MS));
  if (recent && Number(recent.n) >= FORGOT_MAILS_PER_ACCOUNT) return;
  await recordEntries(deps.db, [key], now);
  const { url } = await issueResetLink(deps, user.id, null);
  const text = [
    "Someone asked to reset the password of your Sesame account.",
    "",
    `Choose a new password here (the link works once, within the next hour):`,
    url,
    "",
    "If it was not you, ignore this mail: your password stays as it is.",
  ].join("\n");
  const html = `<p>Someone asked to reset the password of your Sesame account.</p><p><a href="${escapeHtml(url)}">Choose a new password</a> (the link works once, within the next hour).</p><p>If it was not you, ignore this mail: your password stays as it is.</p>`;
  const outcome = await sendSystemMail(deps, { to: user.email, subject: "Reset your Sesame password", text, html });
  if (outcome !== "sent") deps.log.warn("password reset link not mailed", { userId: user.id, outcome });
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export type ResetLinkState = { state: "valid"; email: string } | { state: "used" | "expired" | "unknown" };

/** What a reset link is now, for its page. */
export async function peekResetLink(deps: Deps, token: string): Promise<ResetLinkState> {
  const row = token.length <= 200 ? await findPasswordReset(deps.db, sha256(token)) : null;
  if (!row || row.disabled) return { state: "unknown" };
  if (row.usedAt) return { state: "used" };
  if (row.expiresAt.getTime() <= deps.clock.now().getTime()) return { state: "expired" };
  return { state: "valid", email: row.email };
}

export const RESET_REFUSALS: Record<"used" | "expired" | "unknown", string> = {
  used: "This reset link was used already: each link works once. Ask for a new one if you still need it.",
  expired: "This reset link has expired (they work for an hour). Ask for a new one.",
  unknown: "This reset link is not valid. Check that you copied all of it, or ask for a new one.",
};

/** Sets a new password through a reset link: the link is spent, and every session of the account ends. */
export async function resetPassword(deps: Deps, input: { token: string; password: string }): Promise<{ email: string }> {
  const peek = await peekResetLink(deps, input.token);
  if (peek.state !== "valid") throw new Invalid(RESET_REFUSALS[peek.state], `reset_link_${peek.state}`, "token");
  checkNewPassword(input.password, "password");
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const row = (await findPasswordReset(deps.db, sha256(input.token)))!;
  await transaction(deps.db, async (tx) => {
    // The link may have been spent while the hash was computed: only one use wins.
    if (!(await claimPasswordReset(tx, row.id, now))) throw new Invalid(RESET_REFUSALS.used, "reset_link_used", "token");
    await setPasswordHash(tx, row.userId, passwordHash, now);
    await spendPasswordResets(tx, row.userId, now);
    await revokeUserSessions(tx, row.userId, now);
  });
  // The owner proved themselves another way: the failures against the account are forgotten.
  await clearEntries(deps.db, `acct:${row.email}`, `acct-ip:${row.email}|`);
  return { email: row.email };
}

/** What the sign-up page offers now: the mode, whether this is the first account, and the invite link, if any. */
export async function signupView(deps: Deps, invite: string | null): Promise<SignupView> {
  const { db, clock } = deps;
  if ((await countUsers(db)) === 0) return { kind: "form", first: true };
  const mode = await getSignupMode(db);
  if (invite) {
    const peek = await peekInvite(db, invite, clock.now());
    if (!peek) return { kind: "invite-spent", signupOpen: mode === "open" };
    if (mode === "closed") return { kind: "closed", token: invite };
    return { kind: "invite", token: invite, workspaceName: peek.workspaceName, role: peek.role, email: peek.email };
  }
  if (mode === "open") return { kind: "form" };
  return mode === "invite" ? { kind: "invite-only" } : { kind: "closed" };
}

/** Whether the login page should offer "Create an account". */
export async function signupOpen(deps: Deps): Promise<boolean> {
  return (await getSignupMode(deps.db)) === "open" || (await countUsers(deps.db)) === 0;
}
