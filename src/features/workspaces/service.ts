import type { Deps, Scope } from "../../deps";
import { Forbidden, Invalid } from "../../lib/errors";
import { findWorkspace, renameWorkspaceRow } from "./queries";

export const WORKSPACE_NAME_MAX = 100;

export async function getWorkspace(deps: Deps, scope: Scope) {
  const workspace = await findWorkspace(deps.db, scope.workspaceId);
  return { id: scope.workspaceId, name: workspace?.name ?? "" };
}

/** Recipients see the workspace's name (on the unsubscribe page, as the sender), so only its admins may change it. */
export async function renameWorkspace(deps: Deps, scope: Scope, rawName: string): Promise<{ id: string; name: string }> {
  if (scope.role === "member") throw new Forbidden("Only a workspace admin or owner can rename the workspace.");
  const name = rawName.replace(/\s+/g, " ").trim();
  if (!name) throw new Invalid("Give the workspace a name: recipients see it when they unsubscribe.", "invalid_name", "name");
  if (name.length > WORKSPACE_NAME_MAX) throw new Invalid(`A workspace name is at most ${WORKSPACE_NAME_MAX} characters.`, "invalid_name", "name");
  await renameWorkspaceRow(deps.db, scope.workspaceId, name);
  return { id: scope.workspaceId, name };
}
