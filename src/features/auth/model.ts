export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
export const NAME_MAX = 100;

/** A session ends after a week without use, and a month after login whatever happens. */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
/** last_seen_at is rewritten at most this often, so reading pages does not write on every request. */
export const SESSION_TOUCH_MS = 60_000;

/**
 * Password guessing meets delays that grow, never a lock (OWASP's authentication guidance): a lock
 * would let anyone shut an owner out with a few wrong guesses. Failed password checks are counted
 * per account and address, per address and per account from anywhere; once a counter has had its
 * free failures within the window, the next try must wait after the latest failure, doubling from
 * one second up to a cap.
 */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
export const LOGIN_DELAY_BASE_MS = 1000;
export const LOGIN_DELAY_MAX_MS = 15 * 60_000;
export const LOGIN_FREE_FAILURES = {
  /** One person mistyping, or one client guessing one account. */
  accountAddress: 5,
  /** Well above the pair's: one address can be a whole office behind a proxy (TRUST_PROXY=0). */
  address: 50,
  /** Guesses spread over many addresses. */
  account: 50,
} as const;

/** How long a counter with `failures` recent failures makes the next try wait after the latest one. */
export function loginDelayMs(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(LOGIN_DELAY_MAX_MS, LOGIN_DELAY_BASE_MS * 2 ** Math.min(failures - free, 30));
}

/** Accounts created from one address within an hour, before sign-up from there waits. */
export const SIGNUP_LIMIT = 10;
export const SIGNUP_WINDOW_MS = 3600_000;

/** A password reset link works once, for an hour. */
export const RESET_TTL_MS = 3600_000;
/**
 * "Forgot password" requests: per address, at most this many an hour before the answer is 429; per
 * account, at most this many links mailed an hour (past that the request is answered the same and
 * nothing is sent, so nobody can fill someone's inbox, and the answer still says nothing).
 */
export const FORGOT_LIMIT_PER_ADDRESS = 20;
export const FORGOT_MAILS_PER_ACCOUNT = 3;
export const FORGOT_WINDOW_MS = 3600_000;

/** "30 seconds", "4 minutes", "1 hour": a wait as a person reads it, rounded up. */
export function waitInWords(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (seconds < 60) return unit(Math.max(1, Math.ceil(seconds)), "second");
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return unit(minutes, "minute");
  return unit(Math.ceil(minutes / 60), "hour");
}

export type UserRole = "admin" | "user";
export type WorkspaceRole = "owner" | "admin" | "member";

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  /** IANA zone name the person enters and reads schedules in; null until their browser has told us. */
  timeZone: string | null;
}

export interface PublicWorkspace {
  id: string;
  name: string;
}

/** Who is calling: resolved from the session cookie on every request. */
export interface Auth {
  user: PublicUser;
  workspace: PublicWorkspace;
  workspaceRole: WorkspaceRole;
  session: { id: string; awsCredentials: string | null };
  /** Set when the caller is an API key (Authorization: Bearer) rather than a browser session. */
  apiKey?: { id: string; name: string; scope: "send" | "full" };
}

export interface ClientMeta {
  ip: string;
  userAgent: string | null;
}

const WORKSPACE_RANK: Record<WorkspaceRole, number> = { member: 1, admin: 2, owner: 3 };

export function hasWorkspaceRole(actual: WorkspaceRole, needed: WorkspaceRole): boolean {
  return WORKSPACE_RANK[actual] >= WORKSPACE_RANK[needed];
}

/**
 * What the sign-up page can offer, decided by the instance's sign-up mode and the invite link, if any:
 * a form (on its own, or to join an invite's workspace), or a sentence saying why there is none.
 */
export type SignupView =
  | { kind: "form"; first?: boolean }
  | { kind: "invite"; token: string; workspaceName: string; role: "admin" | "member"; email: string | null }
  | { kind: "invite-only" }
  | { kind: "closed"; token?: string }
  | { kind: "invite-spent"; signupOpen: boolean };
