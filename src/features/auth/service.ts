import { serialize, transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { Conflict, Invalid, TooManyRequests, Unauthorized } from "../../lib/errors";
import { newId, newToken, sha256 } from "../../lib/ids";
import { findHomeMembership, insertMembership, insertWorkspace } from "../workspaces/queries";
import {
  LOGIN_FAILURE_LIMIT,
  LOGIN_FAILURE_WINDOW_MS,
  NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_TOUCH_MS,
  type Auth,
  type ClientMeta,
  type PublicUser,
  type PublicWorkspace,
} from "./model";
import {
  clearFailures,
  countUsers,
  findLiveSession,
  findUserByEmail,
  insertSession,
  insertUser,
  nthRecentFailure,
  pruneAuthRecords,
  recentFailures,
  recordFailures,
  revokeSession,
  touchSession,
} from "./queries";

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
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
  if (await findUserByEmail(db, email)) throw new Conflict("An account with this email already exists; log in instead.", "email_taken");
  const passwordHash = await Bun.password.hash(input.password, { algorithm: "argon2id" });
  const now = clock.now();
  const user: PublicUser = { id: newId("usr"), email, name, role: "user" };
  const workspace: PublicWorkspace = { id: newId("wsp"), name: `${name || email.split("@")[0]}'s workspace` };

  try {
    await transaction(db, async (tx) => {
      // The first account on an instance administers it (one sign-up at a time decides which that is).
      await serialize(tx, "instance-admins");
      user.role = (await countUsers(tx)) === 0 ? "admin" : "user";
      await insertUser(tx, { ...user, passwordHash, createdAt: now });
      await insertWorkspace(tx, { ...workspace, createdAt: now });
      await insertMembership(tx, { workspaceId: workspace.id, userId: user.id, role: "owner", createdAt: now });
    });
  } catch (err) {
    // Two signups for one address at once: the unique index lets only one through.
    if (await findUserByEmail(db, email)) throw new Conflict("An account with this email already exists; log in instead.", "email_taken");
    throw err;
  }
  const token = await startSession(deps, user.id, workspace.id, meta);
  return { user, workspace, token };
}

export async function login(deps: Deps, input: { email: string; password: string }, meta: ClientMeta): Promise<LoginResult> {
  const { db, clock } = deps;
  const email = normalizeEmail(input.email);
  if (input.password.length > PASSWORD_MAX) {
    throw new Invalid(`The password must be at most ${PASSWORD_MAX} characters long.`, "password_too_long", "password");
  }
  const keys = [`email:${email}`, `ip:${meta.ip}`];
  // The attempt counts as a failure before the password is checked, so guesses sent in parallel
  // cannot all pass the limit before any of them is recorded. A success takes it back.
  const attempt = await recordFailures(db, keys, clock.now());
  await refuseWhileBlocked(deps, keys);

  const user = await findUserByEmail(db, email);
  decoyHash ??= Bun.password.hash("decoy password for timing", { algorithm: "argon2id" });
  const valid = await Bun.password.verify(input.password, user?.passwordHash ?? (await decoyHash));
  if (!user || !valid || user.disabled) throw new Unauthorized(INVALID_LOGIN, "invalid_credentials");
  await clearFailures(db, `email:${email}`, attempt);

  const home = await findHomeMembership(db, user.id);
  if (!home) throw new Unauthorized("This account does not belong to any workspace; ask an administrator.", "no_workspace");
  const token = await startSession(deps, user.id, home.workspaceId, meta);
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    workspace: { id: home.workspaceId, name: home.workspaceName },
    token,
  };
}

async function refuseWhileBlocked(deps: Deps, keys: string[]) {
  const now = deps.clock.now();
  const counts = await recentFailures(deps.db, keys, new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS));
  // The current attempt is among the counted rows: the limit is of failures before it.
  const blocked = counts.find((c) => Number(c.n) > LOGIN_FAILURE_LIMIT);
  if (!blocked) return;
  const pivot = await nthRecentFailure(deps.db, blocked.key, LOGIN_FAILURE_LIMIT + 1);
  const lifts = (pivot?.getTime() ?? now.getTime()) + LOGIN_FAILURE_WINDOW_MS;
  const seconds = Math.max(1, Math.ceil((lifts - now.getTime()) / 1000));
  throw new TooManyRequests(
    `Too many failed logins. Try again in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? "s" : ""}.`,
    seconds,
    "too_many_attempts",
  );
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
    user: { id: row.userId, email: row.email, name: row.name, role: row.role },
    workspace: { id: row.workspaceId, name: row.workspaceName },
    workspaceRole: row.workspaceRole,
    session: { id, awsCredentials: row.awsCredentials },
  };
}

export async function pruneAuth(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  await pruneAuthRecords(deps.db, {
    failuresBefore: new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS),
    now,
    idleBefore: new Date(now.getTime() - SESSION_IDLE_MS),
  });
}
