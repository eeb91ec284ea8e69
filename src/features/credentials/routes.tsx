import { Elysia, t } from "elysia";
import { AccountPanel, AwsPage, EventsPanel } from "../../../views/credentials/AwsPage";
import { SettingsPage } from "../../../views/settings/SettingsPage";
import { AppError } from "../../lib/errors";
import { commonTimeZones } from "../../lib/zones";
import type { Context } from "../../web/context";
import { requireAuth } from "../../web/guard";
import { checkbox, ticked } from "../../web/forms";
import { isHtmx, swapPanel } from "../../web/respond";
import { hasWorkspaceRole } from "../auth/model";
import { IAM_POLICY } from "./model";
import { awsStatus, connectAws, disconnectAws, eventsStatus, setupEvents } from "./service";
import { credentialsDocs } from "../../web/api-reference";


export function credentialsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings", ({ auth, deps }) => <SettingsPage auth={requireAuth(auth)} zones={commonTimeZones()} now={deps.clock.now()} />)
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
      { body: t.Object({ accessKeyId: t.String({ maxLength: 1000 }), secretAccessKey: t.String({ maxLength: 1000 }), region: t.String({ maxLength: 100 }), save: checkbox }), detail: credentialsDocs.connect },
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
    }, { detail: credentialsDocs.status })
    .delete("/aws/connect", async ({ auth, deps, request, set }) => {
      await disconnectAws(deps, requireAuth(auth));
      if (isHtmx(request)) {
        set.headers["hx-redirect"] = "/settings/aws";
        return "";
      }
      set.status = 204;
      return "";
    }, { detail: credentialsDocs.disconnect })
    .get("/aws/events", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const events = await eventsStatus(deps, a);
      return isHtmx(request) ? <EventsPanel events={events} canManage={hasWorkspaceRole(a.workspaceRole, "admin")} /> : events;
    }, { detail: credentialsDocs.events })
    .post("/aws/events/setup", async ({ auth, deps, request, set }) => {
      const a = requireAuth(auth);
      const events = await setupEvents(deps, a);
      if (!isHtmx(request)) return events;
      swapPanel(set, "aws-events");
      return <EventsPanel events={events} canManage />;
    }, { detail: credentialsDocs.setupEvents })
    .put(
      "/aws/events",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const events = await setupEvents(deps, a, { topicArn: body.topicArn.trim() });
        if (!isHtmx(request)) return events;
        swapPanel(set, "aws-events");
        return <EventsPanel events={events} canManage />;
      },
      { body: t.Object({ topicArn: t.String({ maxLength: 300 }) }), detail: credentialsDocs.registerTopic },
    );
}
