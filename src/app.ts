import { html } from "@elysiajs/html";
import { Elysia } from "elysia";
import { ErrorPage } from "../views/errors/ErrorPage";
import { Flash } from "../views/components/Flash";
import type { Deps } from "./deps";
import { adminRoutes } from "./features/admin/routes";
import { apiKeysRoutes } from "./features/api-keys/routes";
import { attachmentsRoutes } from "./features/attachments/routes";
import { auditRoutes } from "./features/audit/routes";
import { auditTrail } from "./features/audit/trail";
import { authRoutes } from "./features/auth/routes";
import { campaignsRoutes } from "./features/campaigns/routes";
import { analyticsRoutes } from "./features/analytics/routes";
import { awsAccountRoutes } from "./features/aws-account/routes";
import { credentialsRoutes } from "./features/credentials/routes";
import { dashboardRoutes } from "./features/dashboard/routes";
import { eventsExplorerRoutes } from "./features/events/explorer.routes";
import { eventsRoutes } from "./features/events/routes";
import { identitiesRoutes } from "./features/identities/routes";
import { importsRoutes } from "./features/imports/routes";
import { listsRoutes } from "./features/lists/routes";
import { sesSuppressionsRoutes } from "./features/ses-suppressions/routes";
import { sesTemplatesRoutes } from "./features/ses-templates/routes";
import { suppressionsRoutes } from "./features/suppressions/routes";
import { templatesRoutes } from "./features/templates/routes";
import { trackingRoutes } from "./features/tracking/routes";
import { unsubscribeRoutes } from "./features/unsubscribe/routes";
import { workspacesRoutes } from "./features/workspaces/routes";
import { assetRoutes } from "./web/assets";
import { context } from "./web/context";
import { describeError } from "./web/errors";
import { describeForLog, stackFrames } from "./lib/log";
import { createHealth } from "./web/health";
import { headerJson, isHtmx, wantsPage } from "./web/respond";
import { security } from "./web/security";
import { docsRoutes } from "./web/openapi";

/** Builds the whole HTTP app without listening: main.ts listens, tests call `app.handle()`. */
export function createApp(deps: Deps) {
  const started = new WeakMap<Request, number>();
  const ctx = context(deps);
  const health = createHealth(deps);

  return new Elysia()
    .use(html({ contentType: "text/html; charset=utf-8" }))
    .onRequest(({ request, set }) => {
      started.set(request, performance.now());
      // One address answers a page, an htmx fragment or JSON: caches must keep them apart.
      set.headers.vary = "Accept, HX-Request, HX-History-Restore-Request";
    })
    .use(security(deps.config))
    .onError(({ code, error, request, set, path }) => {
      const { status, body, headers } = describeError(code, error);
      if (status >= 500) {
        deps.log.error("request failed", { method: request.method, path, error: describeForLog(error), stack: stackFrames(error) });
      }
      set.status = status;
      Object.assign(set.headers, headers);
      if (isHtmx(request)) {
        // A session that ended mid-page: send the browser to log in. (A failed login is a 401 too, with its own code.)
        if (body.code === "unauthorized") set.headers["hx-redirect"] = "/login";
        // A problem with one field is also shown next to that field, in its #field-<name>-error slot (public/islands/app.js).
        if (body.field) set.headers["hx-trigger"] = headerJson({ "field-error": { field: body.field, message: body.error } });
        return Flash({ kind: "error", message: body.error });
      }
      if (wantsPage(request)) {
        if (status === 401 && request.method === "GET") {
          const url = new URL(request.url);
          set.status = 303;
          set.headers.location = `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
          return "";
        }
        return ErrorPage({ status, message: body.error });
      }
      // An explicit Response: a plain object returned from onError is lost by the html plugin on 404s.
      return Response.json(body, { status });
    })
    .onAfterResponse(({ request, set, route }) => {
      const start = started.get(request);
      // The route pattern, not the path: paths can carry tokens (unsubscribe, tracking links).
      deps.log.info("request", {
        method: request.method,
        route: route || "(unmatched)",
        status: typeof set.status === "number" ? set.status : Number(set.status) || 200,
        ms: start === undefined ? undefined : Math.round((performance.now() - start) * 10) / 10,
      });
    })
    .use(assetRoutes())
    .get("/healthz", async ({ set }) => {
      const report = await health.check();
      if (report.status !== "ok") set.status = 503;
      return report;
    })
    // Before every route it watches: the audit log is written from this one hook once each answer is known.
    .use(auditTrail(deps))
    .use(ctx)
    .use(authRoutes(ctx))
    .use(dashboardRoutes(ctx))
    .use(analyticsRoutes(ctx))
    .use(credentialsRoutes(ctx))
    .use(identitiesRoutes(ctx))
    .use(sesSuppressionsRoutes(ctx))
    .use(sesTemplatesRoutes(ctx))
    .use(awsAccountRoutes(ctx))
    .use(eventsRoutes(ctx))
    .use(eventsExplorerRoutes(ctx))
    .use(listsRoutes(ctx))
    .use(importsRoutes(ctx))
    .use(suppressionsRoutes(ctx))
    .use(unsubscribeRoutes(ctx))
    .use(trackingRoutes(deps))
    .use(templatesRoutes(ctx))
    .use(campaignsRoutes(ctx))
    .use(attachmentsRoutes(ctx))
    .use(workspacesRoutes(ctx))
    .use(auditRoutes(ctx))
    .use(adminRoutes(ctx))
    .use(apiKeysRoutes(ctx))
    .use(docsRoutes(ctx, deps.config));
}

export type App = ReturnType<typeof createApp>;
