import { serialize, transaction, type Database } from "../../db/client";
import type { Deps } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { BadRequest, Conflict, Invalid, TooManyRequests, Unauthorized } from "../../lib/errors";
import { newId, newToken, sha256 } from "../../lib/ids";
import { canonicalTimeZone } from "../../lib/zones";
import { findHomeMembership, insertMembership, insertWorkspace } from "../workspaces/queries";
import {
  LOGIN_FAILURE_WINDOW_MS,
  LOGIN_FREE_FAILURES,
  NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
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
} from "./model";
import {
  clearEntries,
  countUsers,
  findLiveSession,
  findUserByEmail,
  insertSession,
  insertUser,
  nthRecentEntry,
  pruneAuthRecords,
  recentEntries,
  recordEntries,
  revokeSession,
  setTimeZone,
  setTimeZoneIfNone,
  touchSession,
} from "./queries";

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
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
  if (password.length < PASSWORD_MIN) {
    throw new Invalid(`The password must be at least ${PASSWORD_MIN} characters long.`, "password_too_short", "password");
  }
  if (password.length > PASSWORD_MAX) {
    throw new Invalid(`The password must be at most ${PASSWORD_MAX} characters long.`, "password_too_long", "password");
  }
}

export async function signup(deps: Deps, input: SignupInput, meta: ClientMeta): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  checkCredentialsShape(email, input.password);
  const name = (input.name ?? "").trim();
  if (name.length > NAME_MAX) throw new Invalid(`The name must be at most ${NAME_MAX} characters long.`, "name_too_long", "name");

  const { db, clock } = deps;
  // Checked before the costly hash, so a flood is turned away cheaply, and again inside the
  // transaction, where sign-ups run one at a time, so parallel ones cannot all slip past.
  await refuseSignupFlood(db, clock.now(), meta.ip);
  if (await findUserByEmail(db, email)) throw new Conflict("An account with this email already exists; log in instead.", "email_taken");
  const passwordHash = await Bun.password.hash(input.password, { algorithm: "argon2id" });
  const now = clock.now();
  const user: PublicUser = { id: newId("usr"), email, name, role: "user", timeZone: browserZone(input.timeZone) };
  const workspace: PublicWorkspace = { id: newId("wsp"), name: `${name || email.split("@")[0]}'s workspace` };

  try {
    await transaction(db, async (tx) => {
      // The first account on an instance administers it (one sign-up at a time decides which that is).
      await serialize(tx, "instance-admins");
      await refuseSignupFlood(tx, now, meta.ip);
      user.role = (await countUsers(tx)) === 0 ? "admin" : "user";
      await insertUser(tx, { ...user, passwordHash, createdAt: now });
      await insertWorkspace(tx, { ...workspace, createdAt: now });
      await insertMembership(tx, { workspaceId: workspace.id, userId: user.id, role: "owner", createdAt: now });
      await recordEntries(tx, [`signup:${meta.ip}`], now);
    });
  } catch (err) {
    // Two signups for one email at once: the unique index lets only one through.
    if (!(err instanceof TooManyRequests) && (await findUserByEmail(db, email))) {
      throw new Conflict("An account with this email already exists; log in instead.", "email_taken");
    }
    throw err;
  }
  const token = await startSession(deps, user.id, workspace.id, meta);
  return { user, workspace, token };
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

  const home = await findHomeMembership(deps.db, user.id);
  if (!home) throw new Unauthorized("This account does not belong to any workspace; ask an administrator.", "no_workspace");
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
    entriesBefore: new Date(now.getTime() - Math.max(LOGIN_FAILURE_WINDOW_MS, SIGNUP_WINDOW_MS)),
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
