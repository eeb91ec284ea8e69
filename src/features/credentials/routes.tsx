import { Elysia, t } from "elysia";
import { AccountPanel, AwsPage, EventsPanel, IdentitiesPanel } from "../../../views/credentials/AwsPage";
import { SettingsPage } from "../../../views/settings/SettingsPage";
import { AppError } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth } from "../../web/guard";
import { isHtmx } from "../../web/respond";
import { hasWorkspaceRole } from "../auth/model";
import { IAM_POLICY } from "./model";
import { addAwsIdentity, awsIdentities, awsStatus, connectAws, disconnectAws, eventsStatus, setupEvents } from "./service";

/** htmx forms send "true"/"on" for a ticked box and nothing for an unticked one; JSON sends a boolean. */
const checkbox = t.Optional(t.Union([t.Boolean(), t.String()]));
const ticked = (value: boolean | string | undefined) => value === true || value === "true" || value === "on";

/**
 * The AWS page's forms aim their swaps at an error slot, so a refusal (mapped to a flash in one
 * place) never replaces the panel it came from; a success swaps the whole panel instead.
 */
function swapPanel(set: { headers: Record<string, unknown> }, id: string) {
  set.headers["hx-retarget"] = `#${id}`;
  set.headers["hx-reswap"] = "outerHTML";
}

export function credentialsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings", ({ auth }) => <SettingsPage auth={requireAuth(auth)} />)
    .get("/settings/aws", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const canManage = hasWorkspaceRole(a.workspaceRole, "admin");
      // Saved keys that no longer open (a lost APP_SECRET) must not lock the user out of this page:
      // it says so and offers the form to connect them again.
      const status = await awsStatus(deps, a).catch((err) => {
        if (err instanceof AppError) return { connected: false as const, error: err.message };
        throw err;
      });
      const error = "error" in status && !status.connected ? status.error : undefined;
      return <AwsPage auth={a} status={status} events={await eventsStatus(deps, a)} policy={IAM_POLICY} canManage={canManage} error={error} />;
    })
    .post(
      "/aws/connect",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const status = await connectAws(deps, a, { ...body, save: ticked(body.save) });
        if (isHtmx(request)) set.headers["hx-redirect"] = "/settings/aws";
        return status;
      },
      { body: t.Object({ accessKeyId: t.String({ maxLength: 1000 }), secretAccessKey: t.String({ maxLength: 1000 }), region: t.String({ maxLength: 100 }), save: checkbox }) },
    )
    .get("/aws/status", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const canManage = hasWorkspaceRole(a.workspaceRole, "admin");
      if (!isHtmx(request)) return awsStatus(deps, a);
      try {
        return <AccountPanel status={await awsStatus(deps, a)} canManage={canManage} />;
      } catch (err) {
        // As on the page: keys that no longer open leave the connect form and the reason, not a bare flash.
        if (err instanceof AppError) return <AccountPanel status={{ connected: false }} canManage={canManage} error={err.message} />;
        throw err;
      }
    })
    .delete("/aws/connect", async ({ auth, deps, request, set }) => {
      await disconnectAws(deps, requireAuth(auth));
      if (isHtmx(request)) {
        set.headers["hx-redirect"] = "/settings/aws";
        return "";
      }
      set.status = 204;
      return "";
    })
    .get("/aws/identities", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const canManage = hasWorkspaceRole(a.workspaceRole, "admin");
      if (!isHtmx(request)) return { items: await awsIdentities(deps, a) };
      try {
        return <IdentitiesPanel identities={await awsIdentities(deps, a)} canManage={canManage} />;
      } catch (err) {
        if (err instanceof AppError) return <IdentitiesPanel identities={null} error={err.message} canManage={canManage} />;
        throw err;
      }
    })
    .post(
      "/aws/identities",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const identity = await addAwsIdentity(deps, a, body.identity);
        if (isHtmx(request)) {
          swapPanel(set, "aws-identities");
          try {
            return <IdentitiesPanel identities={await awsIdentities(deps, a)} canManage />;
          } catch (err) {
            if (err instanceof AppError) return <IdentitiesPanel identities={[identity]} error={err.message} canManage />;
            throw err;
          }
        }
        set.status = 201;
        return identity;
      },
      { body: t.Object({ identity: t.String({ maxLength: 320 }) }) },
    )
    .get("/aws/events", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const events = await eventsStatus(deps, a);
      return isHtmx(request) ? <EventsPanel events={events} canManage={hasWorkspaceRole(a.workspaceRole, "admin")} /> : events;
    })
    .post("/aws/events/setup", async ({ auth, deps, request, set }) => {
      const a = requireAuth(auth);
      const events = await setupEvents(deps, a);
      if (!isHtmx(request)) return events;
      swapPanel(set, "aws-events");
      return <EventsPanel events={events} canManage />;
    })
    .put(
      "/aws/events",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const events = await setupEvents(deps, a, { topicArn: body.topicArn.trim() });
        if (!isHtmx(request)) return events;
        swapPanel(set, "aws-events");
        return <EventsPanel events={events} canManage />;
      },
      { body: t.Object({ topicArn: t.String({ maxLength: 300 }) }) },
    );
}
