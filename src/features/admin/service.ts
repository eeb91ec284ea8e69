import { serialize, transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { Conflict, Forbidden, NotFound } from "../../lib/errors";
import type { Auth, UserRole } from "../auth/model";
import { revokeUserSessions } from "../auth/queries";
import { countOtherActiveAdmins, findUser, listUsers, updateUser } from "./queries";

/** Instance administration is instance-wide by nature; the caller was checked to be an admin. */
export async function listInstanceUsers(deps: Deps) {
  return listUsers(deps.db);
}

export async function changeUser(deps: Deps, admin: Auth, id: string, patch: { role?: UserRole; disabled?: boolean }) {
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    // Changes to administrators run one at a time, so two admins demoting each other at once cannot
    // both pass the last-admin check; the caller must still be one when its turn comes.
    await serialize(tx, "instance-admins");
    const actor = await findUser(tx, admin.user.id);
    if (!actor || actor.role !== "admin" || actor.disabled) throw new Forbidden("Only an administrator can change accounts.");
    const user = await findUser(tx, id);
    if (!user) throw new NotFound("There is no such user.");
    const losesAdmin = (patch.role === "user" || patch.disabled === true) && user.role === "admin";
    if (losesAdmin && (await countOtherActiveAdmins(tx, id)) === 0) {
      throw new Conflict("This is the last active administrator; make someone else an administrator first.", "last_admin");
    }
    await updateUser(tx, id, { ...patch, updatedAt: now });
    // A disabled account is logged out everywhere at once.
    if (patch.disabled) await revokeUserSessions(tx, id, now);
    const updated = (await findUser(tx, id))!;
    return { id: updated.id, email: updated.email, role: updated.role, disabled: updated.disabled, createdAt: updated.createdAt, self: admin.user.id === id };
  });
}
