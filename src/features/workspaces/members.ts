import { serialize, transaction, type Database } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { Conflict, Forbidden, Invalid, NotFound } from "../../lib/errors";
import { hasWorkspaceRole, type WorkspaceRole } from "../auth/model";
import { mayChangeRole, mayRemove, WORKSPACE_ROLES, type Member } from "./model";
import {
  countOwners,
  deleteMembership,
  findHomeMembership,
  findMembers,
  findMembership,
  moveUserSessions,
  revokeUserSessionsIn,
  setMembershipRole,
} from "./queries";

const RANK: Record<WorkspaceRole, number> = { owner: 0, admin: 1, member: 2 };

/** Owners first, then admins, then members; each by when they joined. */
export async function listMembers(deps: Deps, scope: Scope): Promise<Member[]> {
  const members = await findMembers(deps.db, scope.workspaceId);
  return members.sort((a, b) => RANK[a.role] - RANK[b.role] || a.joinedAt.getTime() - b.joinedAt.getTime());
}

/** Owner changes run one at a time per workspace, so two demotions at once cannot both pass the last-owner check. */
const ownersLock = (workspaceId: string) => `workspace-owners:${workspaceId}`;

/**
 * The caller's role as it stands now: their membership read again inside the transaction (it may
 * have changed since the request was authenticated), never above the role the request carries (an
 * API key may hold less than its creator).
 */
async function actorRole(tx: Database, scope: Scope): Promise<WorkspaceRole> {
  const current = (await requireMember(tx, scope.workspaceId, scope.userId)).role;
  return hasWorkspaceRole(scope.role, current) ? current : scope.role;
}

async function requireMember(tx: Database, workspaceId: string, userId: string) {
  const membership = await findMembership(tx, workspaceId, userId);
  if (!membership) throw new NotFound("That person is not a member of this workspace.", "member_not_found");
  return membership;
}

export async function changeMemberRole(deps: Deps, scope: Scope, userId: string, role: string): Promise<Member> {
  if (!WORKSPACE_ROLES.includes(role as WorkspaceRole)) throw new Invalid("Choose owner, admin or member.", "invalid_role", "role");
  const next = role as WorkspaceRole;
  if (scope.role === "member") throw new Forbidden("Only a workspace admin or owner can change roles.");
  await transaction(deps.db, async (tx) => {
    await serialize(tx, ownersLock(scope.workspaceId));
    const actor = await actorRole(tx, scope);
    const target = await requireMember(tx, scope.workspaceId, userId);
    if (!mayChangeRole(actor, target.role, next)) {
      throw new Forbidden(
        target.role === "owner" ? "Only an owner can change an owner's role." : next === "owner" ? "Only an owner can make someone an owner." : "Only a workspace admin or owner can change roles.",
      );
    }
    if (target.role === next) return;
    if (target.role === "owner" && (await countOwners(tx, scope.workspaceId)) <= 1) {
      throw new Conflict("This is the workspace's last owner. Make someone else an owner first.", "last_owner");
    }
    await setMembershipRole(tx, scope.workspaceId, userId, next);
  });
  const member = (await findMembers(deps.db, scope.workspaceId)).find((m) => m.userId === userId);
  if (!member) throw new NotFound("That person is not a member of this workspace.", "member_not_found");
  return member;
}

/**
 * Takes someone out of the workspace (or the caller leaves it). Their sessions in it move at once to
 * another workspace of theirs, or end when they have none, so nothing they had open keeps working here.
 */
export async function removeMember(deps: Deps, scope: Scope, userId: string): Promise<{ left: boolean }> {
  const self = userId === scope.userId;
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    await serialize(tx, ownersLock(scope.workspaceId));
    const actor = await actorRole(tx, scope);
    const target = await requireMember(tx, scope.workspaceId, userId);
    if (!self && !mayRemove(actor, target.role)) {
      throw new Forbidden(target.role === "owner" ? "Only an owner can remove an owner." : "Only a workspace admin or owner can remove members.");
    }
    if (target.role === "owner" && (await countOwners(tx, scope.workspaceId)) <= 1) {
      throw new Conflict(
        self ? "You are the workspace's last owner: make someone else an owner before you leave." : "This is the workspace's last owner and cannot be removed.",
        "last_owner",
      );
    }
    await deleteMembership(tx, scope.workspaceId, userId);
    const home = await findHomeMembership(tx, userId);
    if (home) await moveUserSessions(tx, userId, scope.workspaceId, home.workspaceId);
    else await revokeUserSessionsIn(tx, userId, scope.workspaceId, now);
  });
  return { left: self };
}
