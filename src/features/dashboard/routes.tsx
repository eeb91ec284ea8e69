import { Elysia } from "elysia";
import { DashboardPage } from "../../../views/dashboard/DashboardPage";
import { SectionEmptyPage } from "../../../views/dashboard/SectionEmptyPage";
import type { Context } from "../../web/context";
import { requireAuth } from "../../web/guard";

export function dashboardRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/", ({ auth, redirect }) => redirect(auth ? "/dashboard" : "/login"))
    .get("/dashboard", ({ auth }) => <DashboardPage auth={requireAuth(auth)} />)
    .get("/campaigns", ({ auth }) => (
      <SectionEmptyPage auth={requireAuth(auth)} active="campaigns" title="Campaigns" heading="No campaigns yet" text="Campaigns you create, schedule and send will be listed here with their delivery figures." />
    ))
    .get("/events", ({ auth }) => (
      <SectionEmptyPage auth={requireAuth(auth)} active="events" title="Events" heading="No events yet" text="Every send, delivery, bounce, complaint, open, click and unsubscribe will be listed here, filterable and exportable." />
    ));
}
