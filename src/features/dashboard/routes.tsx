import { Elysia, t } from "elysia";
import { DashboardPage, viewUrl } from "../../../views/dashboard/DashboardPage";
import { Invalid } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { userTimeZone } from "../auth/service";
import { dashboard } from "./service";

const dashboardQuery = t.Object({
  range: t.Optional(t.String()),
  from: t.Optional(t.String()),
  to: t.Optional(t.String()),
  campaignId: t.Optional(t.String()),
  listId: t.Optional(t.String()),
  interval: t.Optional(t.String()),
});

export function dashboardRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/", ({ auth, redirect }) => redirect(auth ? "/dashboard" : "/login"))
    .get(
      "/dashboard",
      async ({ auth, deps, query, set }) => {
        const a = requireAuth(auth);
        const scope = requireScope(auth);
        const zone = userTimeZone(a);
        try {
          const d = await dashboard(deps, scope, query, zone);
          // htmx puts this in the address bar: the view's own address, not every field the form sent.
          set.headers["hx-push-url"] = viewUrl(d);
          return <DashboardPage auth={a} d={d} zone={zone} error={null} />;
        } catch (err) {
          // A filter that cannot be read shows the default view with the sentence, not an error page.
          if (!(err instanceof Invalid)) throw err;
          set.status = 422;
          const d = await dashboard(deps, scope, { campaignId: query.campaignId, listId: query.listId }, zone);
          return <DashboardPage auth={a} d={d} zone={zone} error={err.message} />;
        }
      },
      { query: dashboardQuery },
    );
}
