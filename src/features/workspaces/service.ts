import { transaction } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { Forbidden, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Auth } from "../auth/model";
import { cleanWorkspaceName, WORKSPACE_NAME_MAX, type WorkspaceChoice } from "./model";
import { findMembership, findUserWorkspaces, findWorkspace, insertMembership, insertWorkspace, pointSessionAt, renameWorkspaceRow } from "./queries";

export { WORKSPACE_NAME_MAX };

export async function getWorkspace(deps: Deps, scope: Scope) {
  const workspace = await findWorkspace(deps.db, scope.workspaceId);
  return { id: scope.workspaceId, name: workspace?.name ?? "" };
}

function checkName(rawName: string): string {
  const name = cleanWorkspaceName(rawName);
  if (!name) throw new Invalid("Give the workspace a name: recipients see it when they unsubscribe.", "invalid_name", "name");
  if (name.length > WORKSPACE_NAME_MAX) throw new Invalid(`A workspace name is at most ${WORKSPACE_NAME_MAX} characters.`, "invalid_name", "name");
  return name;
}

/** Recipients see the workspace's name (on the unsubscribe page, as the sender), so only its admins may change it. */
export async function renameWorkspace(deps: Deps, scope: Scope, rawName: string): Promise<{ id: string; name: string }> {
  if (scope.role === "member") throw new Forbidden("Only a workspace admin or owner can rename the workspace.");
  const name = checkName(rawName);
  await renameWorkspaceRow(deps.db, scope.workspaceId, name);
  return { id: scope.workspaceId, name };
}

/** The workspaces the caller belongs to, the one their session is in marked current. */
export async function listMyWorkspaces(deps: Deps, auth: Auth): Promise<WorkspaceChoice[]> {
  const rows = await findUserWorkspaces(deps.db, auth.user.id);
  return rows.map((row) => ({ ...row, current: row.id === auth.workspace.id }));
}

/** A new workspace the caller owns. The session stays where it is; switching is a separate step. */
export async function createWorkspace(deps: Deps, auth: Auth, rawName: string): Promise<{ id: string; name: string; role: "owner" }> {
  const name = checkName(rawName);
  const now = deps.clock.now();
  const workspace = { id: newId("wsp"), name };
  await transaction(deps.db, async (tx) => {
    await insertWorkspace(tx, { ...workspace, createdAt: now });
    await insertMembership(tx, { workspaceId: workspace.id, userId: auth.user.id, role: "owner", createdAt: now });
  });
  return { ...workspace, role: "owner" };
}

/**
 * Moves the caller's session into another workspace of theirs. A workspace they do not belong to is
 * "not found", whether or not it exists. An API key belongs to one workspace for good.
 */
export async function switchWorkspace(deps: Deps, auth: Auth, workspaceId: string): Promise<{ id: string; name: string; role: WorkspaceChoice["role"] }> {
  if (auth.session.id.startsWith("apikey:")) throw new Forbidden("An API key works in the workspace it was made in; it cannot switch.", "api_key_cannot_switch");
  const membership = await findMembership(deps.db, workspaceId, auth.user.id);
  const workspace = membership ? await findWorkspace(deps.db, workspaceId) : null;
  if (!membership || !workspace) throw new NotFound("You do not belong to that workspace.", "workspace_not_found");
  if (workspaceId !== auth.workspace.id) await pointSessionAt(deps.db, auth.session.id, workspaceId);
  return { id: workspace.id, name: workspace.name, role: membership.role };
}
