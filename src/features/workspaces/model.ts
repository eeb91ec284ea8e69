import type { WorkspaceRole } from "../auth/model";

export const WORKSPACE_NAME_MAX = 100;

/** An invite link works for a week, once. */
export const INVITE_TTL_MS = 7 * 24 * 3600_000;

/** Invites make admins or members; owners are made from the members page by an owner. */
export type InviteRole = "admin" | "member";
export const INVITE_ROLES: readonly InviteRole[] = ["admin", "member"];
export const WORKSPACE_ROLES: readonly WorkspaceRole[] = ["owner", "admin", "member"];

/** The words a person reads for each role. */
export const ROLE_LABEL: Record<WorkspaceRole, string> = { owner: "Owner", admin: "Admin", member: "Member" };

/** What an invite link is, as its page tells it. */
export type InviteState = "valid" | "used" | "revoked" | "expired" | "unknown";

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: WorkspaceRole;
  joinedAt: Date;
}

export interface PendingInvite {
  id: string;
  role: InviteRole;
  email: string | null;
  createdAt: Date;
  expiresAt: Date;
  createdBy: { id: string; email: string; name: string } | null;
}

export interface CreatedInvite {
  id: string;
  /** The link, with its token: shown this once, never stored. */
  url: string;
  role: InviteRole;
  expiresAt: Date;
  emailed: boolean;
  /** Why the link was not emailed, when an address was given. */
  emailError?: string;
}

export interface WorkspaceChoice {
  id: string;
  name: string;
  role: WorkspaceRole;
  current: boolean;
}

/** A workspace name as it is kept: inner runs of space made one, the ends trimmed. */
export function cleanWorkspaceName(raw: string): string {
  return raw.replace(/\s+/g, " ").trim();
}

/**
 * Whether `actor` may give `target` the role `next`: owners change anyone's role and make owners;
 * admins change members and admins, never touch an owner and never make one; members change nobody.
 * (The last owner's protection is checked against the database, not here.)
 */
export function mayChangeRole(actor: WorkspaceRole, target: WorkspaceRole, next: WorkspaceRole): boolean {
  if (actor === "owner") return true;
  if (actor === "admin") return target !== "owner" && next !== "owner";
  return false;
}

/** Whether `actor` may remove someone whose role is `target` (leaving oneself is always allowed, bar the last owner). */
export function mayRemove(actor: WorkspaceRole, target: WorkspaceRole): boolean {
  if (actor === "owner") return true;
  if (actor === "admin") return target !== "owner";
  return false;
}

/** Tokens are 32 random bytes in base64url: anything else in a link is not one of ours. */
export function looksLikeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
