import { Elysia, t } from "elysia";
import { IdentitiesPanel, type IdentitiesView } from "../../../views/identities/IdentitiesPanel";
import { IdentitiesPage, IdentityPage } from "../../../views/identities/IdentitiesPage";
import { IdentityCard, IdentityStatus } from "../../../views/identities/IdentityCard";
import { identityDomId } from "../../../views/identities/labels";
import { AppError } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth } from "../../web/guard";
import { isHtmx, swapPanel } from "../../web/respond";
import { hasWorkspaceRole } from "../auth/model";
import { userTimeZone } from "../auth/service";
import { addAwsIdentity, checkAwsIdentity, deleteAwsIdentity, listAwsIdentities, setMailFromDomain } from "./service";
import { identitiesDocs } from "../../web/api-reference";

const viewOf = (value: string | undefined): IdentitiesView => (value === "full" ? "full" : "summary");

/** SES sending identities: the Identities page, the list and each identity (JSON or htmx partials), adding, checking, MAIL FROM, deleting. */
export function identitiesRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings/aws/identities", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const canManage = hasWorkspaceRole(a.workspaceRole, "admin");
      const zone = userTimeZone(a);
      try {
        return <IdentitiesPage auth={a} identities={await listAwsIdentities(deps, a)} canManage={canManage} zone={zone} />;
      } catch (err) {
        if (err instanceof AppError) return <IdentitiesPage auth={a} identities={null} error={err.message} canManage={canManage} zone={zone} />;
        throw err;
      }
    })
    .get("/settings/aws/identities/:identity", async ({ auth, deps, params }) => {
      const a = requireAuth(auth);
      const identity = await checkAwsIdentity(deps, a, params.identity);
      return <IdentityPage auth={a} identity={identity} canManage={hasWorkspaceRole(a.workspaceRole, "admin")} zone={userTimeZone(a)} />;
    })
    .get(
      "/aws/identities",
      async ({ auth, deps, request, query }) => {
        const a = requireAuth(auth);
        if (!isHtmx(request)) return { items: await listAwsIdentities(deps, a) };
        const props = { canManage: hasWorkspaceRole(a.workspaceRole, "admin"), view: viewOf(query.view), zone: userTimeZone(a) };
        try {
          return <IdentitiesPanel identities={await listAwsIdentities(deps, a)} {...props} />;
        } catch (err) {
          if (err instanceof AppError) return <IdentitiesPanel identities={null} error={err.message} {...props} />;
          throw err;
        }
      },
      { query: t.Object({ view: t.Optional(t.String({ maxLength: 10 })) }), detail: identitiesDocs.list },
    )
    .post(
      "/aws/identities",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const identity = await addAwsIdentity(deps, a, body.identity);
        if (isHtmx(request)) {
          swapPanel(set, "aws-identities");
          const props = { canManage: true, view: viewOf(body.view), zone: userTimeZone(a) };
          try {
            return <IdentitiesPanel identities={await listAwsIdentities(deps, a)} {...props} />;
          } catch (err) {
            if (err instanceof AppError) return <IdentitiesPanel identities={[identity]} error={err.message} {...props} />;
            throw err;
          }
        }
        set.status = 201;
        return identity;
      },
      { body: t.Object({ identity: t.String({ maxLength: 320 }), view: t.Optional(t.String({ maxLength: 10 })) }), detail: identitiesDocs.add },
    )
    .get(
      "/aws/identities/:identity",
      async ({ auth, deps, params, query, request, set }) => {
        const a = requireAuth(auth);
        const name = params.identity;
        if (!isHtmx(request)) return checkAwsIdentity(deps, a, name);
        const zone = userTimeZone(a);
        if (query.part === "status") {
          // The status polls itself: a failed read keeps the last state on the page, says why, and goes on polling.
          try {
            return <IdentityStatus identity={await checkAwsIdentity(deps, a, name)} zone={zone} />;
          } catch (err) {
            if (!(err instanceof AppError) || err.status === 404) throw err;
            set.headers["hx-reswap"] = "none";
            return "";
          }
        }
        // The card's Check now: a person asked, so the background checks start again at a minute.
        const identity = await checkAwsIdentity(deps, a, name, { restart: true });
        swapPanel(set, identityDomId(identity.identity));
        return <IdentityCard identity={identity} canManage={hasWorkspaceRole(a.workspaceRole, "admin")} zone={zone} standalone={query.standalone === "1"} />;
      },
      { query: t.Object({ part: t.Optional(t.String({ maxLength: 10 })), standalone: t.Optional(t.String({ maxLength: 1 })) }), detail: identitiesDocs.check },
    )
    .put(
      "/aws/identities/:identity/mail-from",
      async ({ auth, deps, params, body, request, set }) => {
        const a = requireAuth(auth);
        const identity = await setMailFromDomain(deps, a, params.identity, body.domain ?? "");
        if (!isHtmx(request)) return identity;
        swapPanel(set, identityDomId(identity.identity));
        return <IdentityCard identity={identity} canManage zone={userTimeZone(a)} standalone={body.standalone === "1"} />;
      },
      { body: t.Object({ domain: t.Optional(t.Union([t.String({ maxLength: 253 }), t.Null()])), standalone: t.Optional(t.String({ maxLength: 1 })) }), detail: identitiesDocs.mailFrom },
    )
    .delete(
      "/aws/identities/:identity",
      async ({ auth, deps, params, query, request, set }) => {
        const a = requireAuth(auth);
        const name = params.identity;
        await deleteAwsIdentity(deps, a, name);
        if (!isHtmx(request)) {
          set.status = 204;
          return "";
        }
        if (query.then === "list") {
          set.headers["hx-redirect"] = "/settings/aws/identities";
          return "";
        }
        // The card goes: an empty answer swapped over it.
        swapPanel(set, identityDomId(name.trim().toLowerCase()));
        return "";
      },
      { query: t.Object({ then: t.Optional(t.String({ maxLength: 10 })) }), detail: identitiesDocs.remove },
    );
}
