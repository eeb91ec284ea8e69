import { escapeHtml } from "@kitajs/html";
import { sendEmail } from "../../aws/ses";
import { transaction, type Database } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { AppError, Conflict, Forbidden, Invalid, NotFound } from "../../lib/errors";
import { newId, newToken, sha256 } from "../../lib/ids";
import type { Auth, WorkspaceRole } from "../auth/model";
import { verifiedSenders } from "../campaigns/forms";
import { activeKeys, withAws } from "../credentials/service";
import { sendsAs } from "../identities/model";
import { awsIdentities } from "../identities/service";
import { INVITE_ROLES, INVITE_TTL_MS, looksLikeToken, ROLE_LABEL, type CreatedInvite, type InviteRole, type InviteState, type PendingInvite } from "./model";
import {
  claimInvite,
  findInviteByTokenHash,
  findMembership,
  findPendingInvites,
  findWorkspace,
  insertInvite,
  insertMembership,
  pointSessionAt,
  revokeInviteRow,
} from "./queries";

export interface InviteInput {
  role: string;
  email?: string;
  /** The verified sender the link is mailed from; the workspace's first verified one when left out. */
  from?: string;
}

/** What an invite page says about a link that no longer works, and the status it answers with. */
export const INVITE_REFUSAL: Record<Exclude<InviteState, "valid">, { status: number; message: string }> = {
  unknown: { status: 404, message: "This invite link is not valid. Check that you copied all of it, or ask the person who invited you for a new one." },
  used: { status: 410, message: "This invite link has already been used. Each link works once: ask the person who invited you for a new one." },
  revoked: { status: 410, message: "This invite link was withdrawn by the workspace. Ask the person who invited you for a new one." },
  expired: { status: 410, message: "This invite link has expired (links work for 7 days). Ask the person who invited you for a new one." },
};

export const inviteUrl = (deps: Deps, token: string) => new URL(`/invite/${token}`, deps.config.publicUrl).toString();

function requireInviter(scope: Scope) {
  if (scope.role === "member") throw new Forbidden("Only a workspace admin or owner can invite people.");
}

/**
 * A single-use link that adds whoever opens it to the workspace with `role`. Only the token's
 * SHA-256 is kept; the link itself is in the answer alone. When an address is given, the link is
 * also mailed through SES with the workspace's keys; a link that cannot be mailed is still made,
 * and the answer says why it was not sent.
 */
export async function createInvite(deps: Deps, auth: Auth, scope: Scope, input: InviteInput): Promise<CreatedInvite> {
  requireInviter(scope);
  if (!INVITE_ROLES.includes(input.role as InviteRole)) throw new Invalid("Invite people as an admin or a member.", "invalid_role", "role");
  const role = input.role as InviteRole;
  const email = input.email?.trim() ? normalizeEmail(input.email) : null;
  if (email && !isEmail(email)) throw new Invalid("Enter a valid email address, or leave it empty to copy the link yourself.", "invalid_email", "email");

  const token = newToken();
  const now = deps.clock.now();
  const invite = { id: newId("inv"), role, expiresAt: new Date(now.getTime() + INVITE_TTL_MS) };
  await insertInvite(deps.db, { ...invite, workspaceId: scope.workspaceId, tokenHash: sha256(token), email, createdBy: scope.userId, createdAt: now });
  const url = inviteUrl(deps, token);
  if (!email) return { ...invite, url, emailed: false };
  const problem = await mailInvite(deps, auth, { to: email, from: input.from, url, role, expiresAt: invite.expiresAt });
  return problem ? { ...invite, url, emailed: false, emailError: problem } : { ...invite, url, emailed: true };
}

/** Sends the link; returns why it could not, as a sentence, or null once SES has taken it. */
async function mailInvite(deps: Deps, auth: Auth, mail: { to: string; from?: string; url: string; role: InviteRole; expiresAt: Date }): Promise<string | null> {
  const notSent = "The link was not emailed: copy it and send it yourself.";
  try {
    const active = await activeKeys(deps, auth);
    if (!active) return `This workspace has no AWS keys connected (Settings → AWS). ${notSent}`;
    const senders = verifiedSenders(await awsIdentities(deps, auth));
    const chosen = mail.from?.trim().toLowerCase();
    let from: string | undefined;
    if (chosen) {
      if (!senders.addresses.some((a) => sendsAs(chosen, a)) && !senders.domains.some((d) => sendsAs(chosen, d))) {
        return `${chosen} is not a verified sender of this workspace's AWS account. ${notSent}`;
      }
      from = chosen;
    } else {
      from = senders.addresses[0] ?? (senders.domains[0] ? `no-reply@${senders.domains[0]}` : undefined);
    }
    if (!from) return `The workspace's AWS account has no verified sender yet (Settings → AWS → Identities). ${notSent}`;
    const workspace = (await findWorkspace(deps.db, auth.workspace.id))?.name ?? auth.workspace.name;
    const inviter = auth.user.name ? `${auth.user.name} (${auth.user.email})` : auth.user.email;
    const subject = `${inviter} invited you to ${workspace} on Sesame`;
    const expires = mail.expiresAt.toUTCString();
    const text = [
      `${inviter} invited you to join the workspace "${workspace}" on Sesame as ${ROLE_LABEL[mail.role].toLowerCase()}.`,
      "",
      `Open this link to join: ${mail.url}`,
      "",
      `The link works once and until ${expires}. If you did not expect it, ignore this mail.`,
    ].join("\n");
    const html = `<p>${escapeHtml(inviter)} invited you to join the workspace <strong>${escapeHtml(workspace)}</strong> on Sesame as ${escapeHtml(ROLE_LABEL[mail.role].toLowerCase())}.</p><p><a href="${escapeHtml(mail.url)}">Join ${escapeHtml(workspace)}</a></p><p>The link works once and until ${escapeHtml(expires)}. If you did not expect it, ignore this mail.</p>`;
    await withAws(deps, auth, () => sendEmail(deps.config, active.keys, { from: from!, to: mail.to, subject, html, text, headers: [], configurationSet: null }));
    return null;
  } catch (err) {
    if (err instanceof AppError) return `${err.message.replace(/\s*$/, "")} ${notSent}`;
    throw err;
  }
}

export async function listInvites(deps: Deps, scope: Scope): Promise<PendingInvite[]> {
  requireInviter(scope);
  const rows = await findPendingInvites(deps.db, scope.workspaceId, deps.clock.now());
  return rows.map((row) => ({
    id: row.id,
    role: row.role,
    email: row.email,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    createdBy: row.creatorId ? { id: row.creatorId, email: row.creatorEmail!, name: row.creatorName ?? "" } : null,
  }));
}

export async function revokeInvite(deps: Deps, scope: Scope, id: string): Promise<void> {
  requireInviter(scope);
  if (!(await revokeInviteRow(deps.db, scope.workspaceId, id, deps.clock.now()))) {
    throw new NotFound("There is no pending invite with that id in this workspace (it may have been used, revoked or expired).", "invite_not_found");
  }
}

async function findInvite(db: Database, token: string) {
  return looksLikeToken(token) ? findInviteByTokenHash(db, sha256(token)) : null;
}

function stateOf(row: Awaited<ReturnType<typeof findInvite>>, now: Date): InviteState {
  if (!row) return "unknown";
  if (row.usedAt) return "used";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "valid";
}

/** What an invite link is for and whether it still works: what its page shows. */
export async function inviteStatus(db: Database, token: string, now: Date) {
  const row = await findInvite(db, token);
  const state = stateOf(row, now);
  return { state, invite: row && { workspaceId: row.workspaceId, workspaceName: row.workspaceName, role: row.role, email: row.email } };
}

/** The invite behind a token, or null when it is unknown, used, revoked or expired. */
export async function peekInvite(
  db: Database,
  token: string,
  now: Date,
): Promise<{ workspaceId: string; workspaceName: string; role: InviteRole; email: string | null } | null> {
  const { state, invite } = await inviteStatus(db, token, now);
  return state === "valid" ? invite : null;
}

/**
 * Uses an invite for `userId` inside the caller's transaction: marks it used and adds the
 * membership. Throws Invalid, with the sentence its page would show, when the link does not work.
 */
export async function redeemInvite(tx: Database, token: string, userId: string, now: Date): Promise<{ workspaceId: string; role: InviteRole }> {
  const row = await findInvite(tx, token);
  const state = stateOf(row, now);
  if (state !== "valid" || !row) throw new Invalid(INVITE_REFUSAL[state === "valid" ? "unknown" : state].message, `invite_${state}`);
  if (await findMembership(tx, row.workspaceId, userId)) throw new Conflict(`You already belong to ${row.workspaceName}.`, "already_member");
  // Two accepts of one link at once: only the one whose update finds it unused goes on.
  if (!(await claimInvite(tx, row.id, userId, now))) throw new Invalid(INVITE_REFUSAL.used.message, "invite_used");
  await insertMembership(tx, { workspaceId: row.workspaceId, userId, role: row.role, createdAt: now });
  return { workspaceId: row.workspaceId, role: row.role };
}

/**
 * A signed-in person accepts a link: they join the workspace and their session moves into it. One
 * who already belongs there is just moved there, and the link stays unused for whoever it was meant for.
 */
export async function acceptInvite(deps: Deps, auth: Auth, token: string): Promise<{ workspace: { id: string; name: string }; role: WorkspaceRole; joined: boolean }> {
  if (auth.session.id.startsWith("apikey:")) throw new Forbidden("Invites are accepted by a person signed in, not with an API key.", "api_key_cannot_join");
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    const row = await findInvite(tx, token);
    const existing = row ? await findMembership(tx, row.workspaceId, auth.user.id) : null;
    if (row && existing) {
      if (row.workspaceId !== auth.workspace.id) await pointSessionAt(tx, auth.session.id, row.workspaceId);
      return { workspace: { id: row.workspaceId, name: row.workspaceName }, role: existing.role, joined: false };
    }
    const { workspaceId, role } = await redeemInvite(tx, token, auth.user.id, now);
    await pointSessionAt(tx, auth.session.id, workspaceId);
    return { workspace: { id: workspaceId, name: row!.workspaceName }, role, joined: true };
  });
}

/**
 * What the page behind a link shows: the invite, whether the viewer already belongs to its workspace
 * (then the link's state does not matter to them), and otherwise why the link does not work.
 */
export async function invitePage(deps: Deps, auth: Auth | null, token: string) {
  const { state, invite } = await inviteStatus(deps.db, token, deps.clock.now());
  const member = Boolean(auth && invite && (await findMembership(deps.db, invite.workspaceId, auth.user.id)));
  const refusal = state === "valid" || member ? null : INVITE_REFUSAL[state];
  return { invite, member, refusal };
}
