import type { Deps, Scope } from "../../deps";
import { Forbidden, Invalid, NotFound } from "../../lib/errors";
import { newId, newToken, sha256 } from "../../lib/ids";
import { hasWorkspaceRole, type Auth } from "../auth/model";
import { KEY_NAME_MAX, KEY_PREFIX, KEY_SHOWN_CHARS, KEY_TOUCH_MS, actingRole, keyRoleFor, type KeyRole, type KeyScope, type KeyView } from "./model";
import { findKey, findLiveKey, insertKey, listKeys, revokeKeyRow, touchKey } from "./queries";

/** Workspace admins and owners see and revoke every key of the workspace; members their own. */
const seesAll = (scope: Scope) => hasWorkspaceRole(scope.role, "admin");

function toView(row: Awaited<ReturnType<typeof listKeys>>[number]): KeyView {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    role: row.role,
    shown: `${row.prefix}…`,
    createdBy: row.createdBy,
    createdByEmail: row.createdByEmail,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** The JSON shape of a key (never its secret). */
export function keyJson(key: KeyView) {
  return {
    id: key.id,
    name: key.name,
    scope: key.scope,
    role: key.role,
    prefix: key.shown,
    createdBy: key.createdByEmail,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

export async function listWorkspaceKeys(deps: Deps, scope: Scope): Promise<KeyView[]> {
  return (await listKeys(deps.db, scope.workspaceId, seesAll(scope) ? {} : { createdBy: scope.userId })).map(toView);
}

/** A new key: the secret is returned this once and only its SHA-256 is kept. */
export async function createKey(
  deps: Deps,
  scope: Scope,
  input: { name?: string; scope?: string; role?: string },
): Promise<{ key: KeyView; secret: string }> {
  const name = (input.name ?? "").replace(/\s+/g, " ").trim();
  if (!name) throw new Invalid("Give the key a name, such as the script or server that will use it.", "invalid_name", "name");
  if (name.length > KEY_NAME_MAX) throw new Invalid(`A key name is at most ${KEY_NAME_MAX} characters.`, "invalid_name", "name");
  if (input.scope !== "send" && input.scope !== "full") {
    throw new Invalid("Choose what the key may do: send (send mail and read its progress) or full (the whole API).", "invalid_scope", "scope");
  }
  if (input.role !== undefined && input.role !== "" && input.role !== "admin" && input.role !== "member") {
    throw new Invalid("A key acts as an admin or a member of the workspace.", "invalid_role", "role");
  }
  const role = keyRoleFor(scope.role, (input.role || undefined) as KeyRole | undefined);
  if (!role) throw new Forbidden("A key can act with your role at most: as a member makes keys that act as members.", "role_too_high");
  const secret = `${KEY_PREFIX}${newToken()}`;
  const now = deps.clock.now();
  const id = newId("key");
  await insertKey(deps.db, {
    id,
    workspaceId: scope.workspaceId,
    name,
    scope: input.scope as KeyScope,
    role,
    keyHash: sha256(secret),
    prefix: secret.slice(0, KEY_SHOWN_CHARS),
    createdBy: scope.userId,
    createdAt: now,
  });
  deps.log.info("api key created", { workspaceId: scope.workspaceId, keyId: id, scope: input.scope, role });
  const [key] = await listKeys(deps.db, scope.workspaceId, { id });
  return { key: toView(key!), secret };
}

/** Revoking is final: the key stops working on the next request, on every instance. */
export async function revokeKey(deps: Deps, scope: Scope, id: string): Promise<KeyView> {
  const row = await findKey(deps.db, scope.workspaceId, id);
  if (!row || (!seesAll(scope) && row.createdBy !== scope.userId)) throw new NotFound("There is no such API key in this workspace.");
  await revokeKeyRow(deps.db, scope.workspaceId, id, deps.clock.now());
  deps.log.info("api key revoked", { workspaceId: scope.workspaceId, keyId: id });
  const [key] = await listKeys(deps.db, scope.workspaceId, { id });
  return toView(key!);
}

/** What a live key may spend, alongside the Auth it resolves to. */
export interface KeyAuth {
  auth: Auth;
  limits: { requestsPerMinute: number | null; mailsPerDay: number | null };
}

/** The caller behind `Authorization: Bearer <key>`, or null for an unknown, revoked or orphaned key. */
export async function authenticateKey(deps: Deps, secret: string): Promise<KeyAuth | null> {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 200) return null;
  const row = await findLiveKey(deps.db, sha256(secret));
  if (!row) return null;
  const now = deps.clock.now();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > KEY_TOUCH_MS) await touchKey(deps.db, row.id, now);
  return {
    auth: {
      user: { id: row.userId, email: row.email, name: row.name_, role: row.userRole, timeZone: row.timeZone },
      workspace: { id: row.workspaceId, name: row.workspaceName },
      workspaceRole: actingRole(row.role, row.memberRole),
      session: { id: `apikey:${row.id}`, awsCredentials: null },
      apiKey: { id: row.id, name: row.name, scope: row.scope },
    },
    limits: { requestsPerMinute: row.requestsPerMinute, mailsPerDay: row.mailsPerDay },
  };
}
