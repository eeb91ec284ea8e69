import type { Scope } from "../deps";
import { hasWorkspaceRole, type Auth, type WorkspaceRole } from "../features/auth/model";
import { Forbidden, Unauthorized } from "../lib/errors";

/** The caller, or 401. */
export function requireAuth(auth: Auth | null): Auth {
  if (!auth) throw new Unauthorized("Please log in to continue.");
  return auth;
}

/** The caller's scope in their workspace, refusing with 403 when their role there is too low. */
export function requireScope(auth: Auth | null, role: WorkspaceRole = "member"): Scope {
  const a = requireAuth(auth);
  if (!hasWorkspaceRole(a.workspaceRole, role)) {
    throw new Forbidden(`This needs the ${role} role in this workspace.`);
  }
  return { userId: a.user.id, workspaceId: a.workspace.id, role: a.workspaceRole };
}

/** An instance administrator, or 403. */
export function requireAdmin(auth: Auth | null): Auth {
  const a = requireAuth(auth);
  if (a.user.role !== "admin") throw new Forbidden("Only administrators of this Sesame instance may do that.");
  return a;
}
