import { Elysia } from "elysia";
import { DashboardPage } from "../../../views/dashboard/DashboardPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { workspaceReputation } from "../campaigns/service";

export function dashboardRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/", ({ auth, redirect }) => redirect(auth ? "/dashboard" : "/login"))
    .get("/dashboard", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const { rates, campaigns } = await workspaceReputation(deps, requireScope(auth));
      return <DashboardPage auth={a} rates={rates} campaigns={campaigns} />;
    });
}
