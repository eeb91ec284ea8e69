export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
export const NAME_MAX = 100;

/** A session ends after a week without use, and a month after login whatever happens. */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
/** last_seen_at is rewritten at most this often, so reading pages does not write on every request. */
export const SESSION_TOUCH_MS = 60_000;

/** Ten failed logins within fifteen minutes, for one account or from one address, block further tries. */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;

export type UserRole = "admin" | "user";
export type WorkspaceRole = "owner" | "admin" | "member";

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
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
}

export interface ClientMeta {
  ip: string;
  userAgent: string | null;
}

const WORKSPACE_RANK: Record<WorkspaceRole, number> = { member: 1, admin: 2, owner: 3 };

export function hasWorkspaceRole(actual: WorkspaceRole, needed: WorkspaceRole): boolean {
  return WORKSPACE_RANK[actual] >= WORKSPACE_RANK[needed];
}
