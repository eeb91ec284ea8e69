import type { Auth, WorkspaceRole } from "../../src/features/auth/model";
import { mayChangeRole, mayRemove, ROLE_LABEL, WORKSPACE_ROLES, type CreatedInvite, type Member, type PendingInvite } from "../../src/features/workspaces/model";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";
import { LocalTime } from "../lists/parts";

const SELECT = "block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500";
const LABEL = "mb-1 block text-sm font-medium text-slate-700";
const HINT = "mt-1 text-xs text-slate-500";

export interface MembersPageProps {
  auth: Auth;
  members: Member[];
  /** Pending invites, for those who may invite (admins and owners); null for members. */
  invites: PendingInvite[] | null;
  /** Verified senders the link can be mailed from; null when the workspace cannot mail (no keys, SES unreachable). */
  senders: string[] | null;
}

/** Settings → Members: who belongs to the workspace, their roles, inviting people and the links still open. */
export function MembersPage({ auth, members, invites, senders }: MembersPageProps) {
  return (
    <AppShell auth={auth} active="members" title="Members" crumbs={[{ href: "/settings", label: "Settings" }]}>
      <MembersPanel members={members} viewer={{ id: auth.user.id, role: auth.workspaceRole }} workspaceName={auth.workspace.name} />
      {invites ? (
        <>
          <InviteForm senders={senders} />
          <PendingInvites invites={invites} />
        </>
      ) : (
        <p class="mt-6 text-sm text-slate-600">Only the workspace's admins and owners can invite people.</p>
      )}
    </AppShell>
  );
}

/** The members table; role picks and remove buttons only where the viewer's role allows them. */
export function MembersPanel({ members, viewer, workspaceName, notice }: { members: Member[]; viewer: { id: string; role: WorkspaceRole }; workspaceName: string; notice?: string }) {
  return (
    <section id="members-panel" aria-labelledby="members-heading">
      <h2 id="members-heading" class="mb-2 font-medium">
        People in this workspace
      </h2>
      <p class="mb-3 text-sm text-slate-600">
        Owners and admins manage AWS keys, members and settings; members work with lists, templates and campaigns. Only owners can make owners, and a workspace always keeps one.
      </p>
      <div id="members-error" class="mb-3" aria-live="polite">
        {notice ? <Flash kind="success" message={notice} /> : ""}
      </div>
      <Table headers={["Name", "Email", "Role", "Joined", ""]} testid="members-table">
        {members.map((member) => {
          const self = member.userId === viewer.id;
          // The last owner keeps the role: nothing on the page offers to demote or remove them.
          const lastOwner = member.role === "owner" && members.filter((m) => m.role === "owner").length === 1;
          const choices = lastOwner ? [] : WORKSPACE_ROLES.filter((role) => role === member.role || mayChangeRole(viewer.role, member.role, role));
          const who = member.name || member.email;
          return (
            <tr class="border-t border-slate-200" data-testid="member-row">
              <td class="px-4 py-2" safe>
                {`${member.name || "—"}${self ? " (you)" : ""}`}
              </td>
              <td class="px-4 py-2 break-all" safe>
                {member.email}
              </td>
              <td class="px-4 py-2">
                {choices.length > 1 ? (
                  <select
                    name="role"
                    aria-label={`Role of ${who}`}
                    class={SELECT}
                    hx-patch={`/workspace/members/${encodeURIComponent(member.userId)}`}
                    hx-trigger="change"
                    hx-target="#members-error"
                    hx-swap="innerHTML"
                    data-testid="member-role"
                  >
                    {choices.map((role) => (
                      <option value={role} selected={role === member.role} safe>
                        {ROLE_LABEL[role]}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span safe>{ROLE_LABEL[member.role]}</span>
                )}
              </td>
              <td class="px-4 py-2 whitespace-nowrap">
                <LocalTime at={member.joinedAt} />
              </td>
              <td class="px-4 py-2 text-right">
                {lastOwner ? (
                  <span class="text-xs text-slate-500">Last owner</span>
                ) : self ? (
                  <Button
                    type="button"
                    kind="secondary"
                    hx-delete={`/workspace/members/${encodeURIComponent(member.userId)}`}
                    hx-target="#members-error"
                    hx-swap="innerHTML"
                    hx-confirm={`Leave ${workspaceName}? You lose access to its lists, templates and campaigns until someone invites you again.`}
                  >
                    Leave
                  </Button>
                ) : mayRemove(viewer.role, member.role) ? (
                  <Button
                    type="button"
                    kind="danger"
                    aria-label={`Remove ${who}`}
                    hx-delete={`/workspace/members/${encodeURIComponent(member.userId)}`}
                    hx-target="#members-error"
                    hx-swap="innerHTML"
                    hx-confirm={`Remove ${who} from ${workspaceName}? They lose access at once; what they made stays.`}
                  >
                    Remove
                  </Button>
                ) : (
                  ""
                )}
              </td>
            </tr>
          );
        })}
      </Table>
    </section>
  );
}

function InviteForm({ senders }: { senders: string[] | null }) {
  return (
    <section class="mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="invite-heading">
      <h2 id="invite-heading" class="mb-2 font-medium">
        Invite someone
      </h2>
      <p class="mb-4 text-sm text-slate-600">You get a link that works once, for 7 days. Send it yourself, or give an address and Sesame mails it through SES.</p>
      <form hx-post="/workspace/invites" hx-target="#invite-result" hx-swap="innerHTML" hx-disabled-elt="find button[type=submit]" data-testid="invite-form">
        <div class="mb-4">
          <label for="field-role" class={LABEL}>
            Role
          </label>
          <select id="field-role" name="role" class={SELECT} aria-describedby="field-role-hint field-role-error">
            <option value="member" selected>
              Member: lists, templates and campaigns
            </option>
            <option value="admin">Admin: also AWS keys, members and settings</option>
          </select>
          <p id="field-role-hint" class={HINT}>
            Owners are made from the table above, by an owner.
          </p>
          <p id="field-role-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
        </div>
        <div class="mb-4">
          <label for="field-email" class={LABEL}>
            Email (optional)
          </label>
          <input id="field-email" name="email" type="email" maxlength="254" autocomplete="off" class={SELECT} aria-describedby="field-email-hint field-email-error" />
          <p id="field-email-hint" class={HINT}>
            {senders ? "Leave empty to only copy the link." : "This workspace cannot mail the link (no AWS keys or no verified sender); copy it instead."}
          </p>
          <p id="field-email-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
        </div>
        {senders && senders.length ? (
          <div class="mb-4">
            <label for="field-from" class={LABEL}>
              Send from
            </label>
            <select id="field-from" name="from" class={SELECT} aria-describedby="field-from-hint">
              {senders.map((sender, i) => (
                <option value={sender} selected={i === 0} safe>
                  {sender}
                </option>
              ))}
            </select>
            <p id="field-from-hint" class={HINT}>
              A sender SES has verified for this workspace's AWS account.
            </p>
          </div>
        ) : (
          ""
        )}
        <Button>Create invite link</Button>
      </form>
      <div id="invite-result" class="mt-4" aria-live="polite"></div>
    </section>
  );
}

/** The link just made, shown this once with a copy button, and whether it went out by mail. */
export function InviteCreatedNotice({ invite, email }: { invite: CreatedInvite; email: string | null }) {
  return (
    <div class="rounded border border-emerald-300 bg-emerald-50 p-4 text-sm" data-testid="invite-created">
      <p class="mb-2 font-medium text-emerald-900" safe>
        {`Invite link for a new ${invite.role} — shown only now, so copy it:`}
      </p>
      <div x-data="copyable" class="flex flex-wrap items-center gap-2">
        <input x-ref="source" readonly value={invite.url} aria-label="Invite link" class="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs" data-testid="invite-url" />
        <button
          type="button"
          x-on:click="copy"
          class="shrink-0 rounded border border-slate-300 bg-white px-3 py-1 text-xs text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        >
          <span x-show="!copied">Copy link</span>
          <span x-show="copied" x-cloak>
            Copied
          </span>
        </button>
      </div>
      <p class="mt-2 text-slate-700">
        Works once, until <LocalTime at={invite.expiresAt} withTime />.
      </p>
      {invite.emailed ? (
        <p class="mt-2 text-emerald-900" safe>{`Also emailed to ${email}.`}</p>
      ) : invite.emailError ? (
        <div class="mt-2">
          <Flash kind="error" message={invite.emailError} />
        </div>
      ) : (
        ""
      )}
    </div>
  );
}

export function PendingInvites({ invites, oob }: { invites: PendingInvite[]; oob?: boolean }) {
  return (
    <section id="pending-invites" class="mt-8" aria-labelledby="pending-heading" hx-swap-oob={oob ? "true" : undefined}>
      <h2 id="pending-heading" class="mb-2 font-medium">
        Open invites
      </h2>
      <div id="invites-error" class="mb-3" aria-live="polite"></div>
      {invites.length === 0 ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-6 text-center text-sm text-slate-600" data-testid="no-invites">
          No invite links are open. Links that were used, withdrawn or have expired are not listed.
        </p>
      ) : (
        <Table headers={["Role", "Sent to", "Created", "Expires", "By", ""]} testid="invites-table">
          {invites.map((invite) => {
            const by: string = invite.createdBy ? invite.createdBy.name || invite.createdBy.email : "—";
            return (
              <tr class="border-t border-slate-200">
                <td class="px-4 py-2" safe>
                  {ROLE_LABEL[invite.role]}
                </td>
                <td class="px-4 py-2 break-all" safe>
                  {invite.email ?? "Link only"}
                </td>
                <td class="px-4 py-2 whitespace-nowrap">
                  <LocalTime at={invite.createdAt} withTime />
                </td>
                <td class="px-4 py-2 whitespace-nowrap">
                  <LocalTime at={invite.expiresAt} withTime />
                </td>
                <td class="px-4 py-2 break-all" safe>
                  {by}
                </td>
                <td class="px-4 py-2 text-right">
                  <Button
                    type="button"
                    kind="danger"
                    hx-delete={`/workspace/invites/${encodeURIComponent(invite.id)}`}
                    hx-target="#invites-error"
                    hx-swap="innerHTML"
                    hx-confirm={`Withdraw this ${invite.role} invite${invite.email ? ` for ${invite.email}` : ""}? Its link stops working at once.`}
                  >
                    Revoke
                  </Button>
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}
