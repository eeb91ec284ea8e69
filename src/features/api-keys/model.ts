import type { WorkspaceRole } from "../auth/model";

export type KeyScope = "send" | "full";
export type KeyRole = "admin" | "member";

/** Keys read "sesame_" and 43 random characters: the prefix lets secret scanners and people recognise one. */
export const KEY_PREFIX = "sesame_";
/** How much of a key is kept to show people which one it is: the prefix and its first 6 random characters. */
export const KEY_SHOWN_CHARS = KEY_PREFIX.length + 6;
export const KEY_NAME_MAX = 100;
/** last_used_at is rewritten at most this often, so a busy key does not write on every request. */
export const KEY_TOUCH_MS = 60_000;

/** The role a new key may act with: at most its creator's, and never owner (a key cannot manage owners). */
export function keyRoleFor(creator: WorkspaceRole, wanted: KeyRole | undefined): KeyRole | null {
  const ceiling: KeyRole = creator === "member" ? "member" : "admin";
  const role = wanted ?? ceiling;
  if (role === "admin" && ceiling !== "admin") return null;
  return role;
}

/** A key acts with the lower of its own role and its creator's current one (demoted creators demote their keys). */
export function actingRole(key: KeyRole, creator: WorkspaceRole): KeyRole {
  return key === "admin" && creator !== "member" ? "admin" : "member";
}

export interface KeyView {
  id: string;
  name: string;
  scope: KeyScope;
  role: KeyRole;
  /** The first characters of the key, to recognise it ("sesame_Ab12Cd…"). */
  shown: string;
  createdBy: string | null;
  createdByEmail: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
