import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { InvitePage } from "../../../views/workspaces/InvitePage";
import { InviteCreatedNotice, MembersPage, MembersPanel, PendingInvites } from "../../../views/workspaces/MembersPage";
import { WorkspaceMenu, WorkspacesPage } from "../../../views/workspaces/WorkspacesPage";
import { WorkspacePage } from "../../../views/workspaces/WorkspacePage";
import type { Deps } from "../../deps";
import { AppError } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx, swapPanel, wantsPage } from "../../web/respond";
import type { Auth } from "../auth/model";
import { verifiedSenders } from "../campaigns/forms";
import { awsIdentities } from "../identities/service";
import { acceptInvite, createInvite, invitePage, listInvites, revokeInvite } from "./invites";
import { changeMemberRole, listMembers, removeMember } from "./members";
import { ROLE_LABEL } from "./model";
import { createWorkspace, getWorkspace, listMyWorkspaces, renameWorkspace, switchWorkspace } from "./service";
import { teamDocs, workspaceDocs } from "../../web/api-reference";

const memberParams = t.Object({ userId: t.String({ maxLength: 100 }) });
const tokenParams = t.Object({ token: t.String({ maxLength: 200 }) });

/** After an action: htmx follows a redirect header, a plain form post a 303; JSON clients get `json`. */
function answer(request: Request, set: { headers: Record<string, unknown>; status?: unknown }, to: string, json: unknown) {
  if (isHtmx(request)) {
    set.headers["hx-redirect"] = to;
    return "";
  }
  if (wantsPage(request)) {
    set.status = 303;
    set.headers.location = to;
    return "";
  }
  return json;
}

/** The senders an invite can be mailed from: verified addresses, and a no-reply address at each verified domain; null when none can be listed. */
async function inviteSenders(deps: Deps, auth: Auth): Promise<string[] | null> {
  try {
    const { addresses, domains } = verifiedSenders(await awsIdentities(deps, auth));
    const senders = [...addresses, ...domains.map((d) => `no-reply@${d}`)];
    return senders.length ? senders : null;
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

/** Workspaces as teams: the workspace's name, its members and invites, invite links, and switching between one's workspaces. */
export function workspacesRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings/workspace", async ({ auth, deps }) => {
      const scope = requireScope(auth);
      return <WorkspacePage auth={requireAuth(auth)} workspace={await getWorkspace(deps, scope)} canRename={scope.role !== "member"} />;
    })
    .get("/workspace", async ({ auth, deps }) => getWorkspace(deps, requireScope(auth)), { detail: workspaceDocs.get })
    .patch(
      "/workspace",
      async ({ auth, deps, body, request }) => {
        const workspace = await renameWorkspace(deps, requireScope(auth), body.name);
        return isHtmx(request) ? <Flash kind="success" message={`Saved. Recipients now see "${workspace.name}".`} /> : workspace;
      },
      { body: t.Object({ name: t.String({ maxLength: 1000 }) }), detail: workspaceDocs.rename },
    )

    .get("/settings/members", async ({ auth, deps }) => {
      const scope = requireScope(auth);
      const a = requireAuth(auth);
      const admin = scope.role !== "member";
      const [members, invites, senders] = await Promise.all([
        listMembers(deps, scope),
        admin ? listInvites(deps, scope) : null,
        admin ? inviteSenders(deps, a) : null,
      ]);
      return <MembersPage auth={a} members={members} invites={invites} senders={senders} />;
    })
    .get("/workspace/members", async ({ auth, deps, request, redirect }) => {
      if (wantsPage(request)) return redirect("/settings/members", 303);
      const members = await listMembers(deps, requireScope(auth));
      return { items: members };
    }, { detail: teamDocs.members })
    .patch(
      "/workspace/members/:userId",
      async ({ auth, deps, params, body, request, set }) => {
        const scope = requireScope(auth);
        const member = await changeMemberRole(deps, scope, params.userId, body.role);
        if (!isHtmx(request)) return member;
        const self = member.userId === scope.userId;
        swapPanel(set, "members-panel");
        return (
          <MembersPanel
            members={await listMembers(deps, scope)}
            viewer={{ id: scope.userId, role: self ? member.role : scope.role }}
            workspaceName={requireAuth(auth).workspace.name}
            notice={`${member.name || member.email} is now ${member.role === "admin" ? "an" : "a"} ${ROLE_LABEL[member.role].toLowerCase()}.`}
          />
        );
      },
      { params: memberParams, body: t.Object({ role: t.String({ maxLength: 20 }) }), detail: teamDocs.changeMember },
    )
    .delete(
      "/workspace/members/:userId",
      async ({ auth, deps, params, request, set }) => {
        const scope = requireScope(auth);
        const { left } = await removeMember(deps, scope, params.userId);
        if (!isHtmx(request)) {
          set.status = 204;
          return "";
        }
        // Whoever leaves is in another workspace now (or logged out): the page they were on is gone.
        if (left) {
          set.headers["hx-redirect"] = "/dashboard";
          return "";
        }
        swapPanel(set, "members-panel");
        return <MembersPanel members={await listMembers(deps, scope)} viewer={{ id: scope.userId, role: scope.role }} workspaceName={requireAuth(auth).workspace.name} notice="Removed. They lost access at once." />;
      },
      { params: memberParams, detail: teamDocs.removeMember },
    )

    .post(
      "/workspace/invites",
      async ({ auth, deps, body, request, set }) => {
        const scope = requireScope(auth, "admin");
        const invite = await createInvite(deps, requireAuth(auth), scope, body);
        set.status = 201;
        if (!isHtmx(request)) return invite;
        return (
          <>
            <InviteCreatedNotice invite={invite} email={body.email?.trim() || null} />
            <PendingInvites invites={await listInvites(deps, scope)} oob />
          </>
        );
      },
      {
        body: t.Object({
          role: t.String({ maxLength: 20 }),
          email: t.Optional(t.String({ maxLength: 1000 })),
          from: t.Optional(t.String({ maxLength: 1000 })),
        }),
        detail: teamDocs.invite,
      },
    )
    .get("/workspace/invites", async ({ auth, deps, request, redirect }) => {
      if (wantsPage(request)) return redirect("/settings/members", 303);
      return { items: await listInvites(deps, requireScope(auth, "admin")) };
    }, { detail: teamDocs.invites })
    .delete(
      "/workspace/invites/:id",
      async ({ auth, deps, params, request, set }) => {
        const scope = requireScope(auth, "admin");
        await revokeInvite(deps, scope, params.id);
        if (!isHtmx(request)) {
          set.status = 204;
          return "";
        }
        swapPanel(set, "pending-invites");
        return <PendingInvites invites={await listInvites(deps, scope)} />;
      },
      { params: t.Object({ id: t.String({ maxLength: 100 }) }), detail: teamDocs.revokeInvite },
    )

    .get(
      "/invite/:token",
      async ({ auth, deps, params, set }) => {
        const { invite, member, refusal } = await invitePage(deps, auth, params.token);
        if (refusal) set.status = refusal.status;
        // The token is in the address: keep the page out of shared caches.
        set.headers["cache-control"] = "no-store";
        return <InvitePage token={params.token} invite={invite} refusal={refusal?.message ?? null} viewer={auth ? { email: auth.user.email, member } : null} />;
      },
      { params: tokenParams },
    )
    .post(
      "/invite/:token/accept",
      async ({ auth, deps, params, request, set }) => {
        const a = requireAuth(auth);
        // A link that no longer works gets its page in a browser, as GET /invite/:token shows it.
        if (wantsPage(request)) {
          const { invite, refusal } = await invitePage(deps, a, params.token);
          if (refusal) {
            set.status = refusal.status;
            return <InvitePage token={params.token} invite={invite} refusal={refusal.message} viewer={{ email: a.user.email, member: false }} />;
          }
        }
        const joined = await acceptInvite(deps, a, params.token);
        return answer(request, set, "/dashboard", joined);
      },
      { params: tokenParams, detail: teamDocs.accept },
    )

    .get("/workspaces", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const workspaces = await listMyWorkspaces(deps, a);
      if (isHtmx(request)) return <WorkspaceMenu workspaces={workspaces} />;
      return wantsPage(request) ? <WorkspacesPage auth={a} workspaces={workspaces} /> : { items: workspaces };
    }, { detail: workspaceDocs.mine })
    .post(
      "/workspaces",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const workspace = await createWorkspace(deps, a, body.name);
        // From the page, the person goes straight into the workspace they made.
        if (isHtmx(request) || wantsPage(request)) {
          await switchWorkspace(deps, a, workspace.id);
          return answer(request, set, "/dashboard", workspace);
        }
        set.status = 201;
        return workspace;
      },
      { body: t.Object({ name: t.String({ maxLength: 1000 }) }), detail: workspaceDocs.create },
    )
    .post(
      "/workspace/switch",
      async ({ auth, deps, body, request, set }) => {
        const workspace = await switchWorkspace(deps, requireAuth(auth), body.workspaceId);
        return answer(request, set, "/dashboard", { workspace });
      },
      { body: t.Object({ workspaceId: t.String({ maxLength: 100 }) }), detail: workspaceDocs.switch },
    );
}
