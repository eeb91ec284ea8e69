import { Elysia, t } from "elysia";
import { csvLine } from "../../lib/csv";
import { Invalid } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { wantsPage } from "../../web/respond";
import { userTimeZone } from "../auth/service";
import { analyticsWorkbook, recipientsExport, type Download } from "./export";
import { SERIES_COUNTERS, type Analytics } from "./model";
import { readFilter, workspaceAnalytics } from "./service";
import { analyticsDocs } from "../../web/api-reference";

/** Everything arrives as text and is checked by readFilter, so a bad value is a 422 naming its field. */
const analyticsQuery = t.Object({
  from: t.Optional(t.String()),
  to: t.Optional(t.String()),
  campaignId: t.Optional(t.String()),
  listId: t.Optional(t.String()),
  interval: t.Optional(t.String()),
  format: t.Optional(t.String()),
});

/** What GET /analytics/recipients is asked, on top of the view's filter; readFilter and recipientsExport check it all. */
const recipientsQuery = t.Object({
  from: t.Optional(t.String()),
  to: t.Optional(t.String()),
  campaignId: t.Optional(t.String()),
  listId: t.Optional(t.String()),
  activity: t.Optional(t.String()),
  class: t.Optional(t.String()),
  format: t.Optional(t.String()),
});

/** A streamed file download: the body is written as the client takes it. */
function download(file: Download): Response {
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.fileName.replace(/[^\w.-]+/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}

/** The series as CSV: one row per bucket, then the totals. */
function analyticsCsv(data: Analytics): string {
  const header = ["period", ...SERIES_COUNTERS];
  const rows = data.series.map((bucket) => csvLine([bucket.t, ...SERIES_COUNTERS.map((c) => bucket[c])]));
  return [csvLine(header), ...rows, csvLine(["total", ...SERIES_COUNTERS.map((c) => data.totals[c])])].join("");
}

/**
 * GET /analytics (CONTRACT.md, "Analytics"): the workspace's figures for a period, as JSON, CSV or a
 * workbook; GET /analytics/recipients: the view's recipients (everyone, who opened, who clicked).
 */
export function analyticsRoutes(ctx: Context) {
  return (
    new Elysia()
      .use(ctx)
      .get(
        "/analytics",
        async ({ auth, deps, query, request, set }) => {
          const scope = requireScope(auth);
          const zone = userTimeZone(requireAuth(auth));
          // The dashboard is where a person reads these figures: a browser is sent there with its filter.
          if (wantsPage(request) && !query.format) {
            const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]);
            set.status = 303;
            set.headers.location = `/dashboard${params.size ? `?${params}` : ""}`;
            return "";
          }
          const format = query.format ?? "json";
          if (format !== "json" && format !== "csv" && format !== "xlsx") throw new Invalid('The "format" must be "json", "csv" or "xlsx".', "invalid_format", "format");
          const filter = readFilter(query, zone, deps.clock.now());
          if (format === "xlsx") return download(await analyticsWorkbook(deps, scope, filter));
          const data = await workspaceAnalytics(deps, scope, filter);
          if (format === "json") return data;
          return new Response(analyticsCsv(data), {
            headers: {
              "content-type": "text/csv; charset=utf-8",
              "content-disposition": `attachment; filename="sesame-analytics-${data.filter.from}-to-${data.filter.to}.csv"`,
              "cache-control": "no-store",
            },
          });
        },
        { query: analyticsQuery, detail: analyticsDocs.get },
      )
      // A browser opening it (the campaign page's "who opened" links) simply downloads the file.
      .get(
        "/analytics/recipients",
        async ({ auth, deps, query }) => {
          const scope = requireScope(auth);
          const filter = readFilter(query, userTimeZone(requireAuth(auth)), deps.clock.now());
          return download(await recipientsExport(deps, scope, filter, query));
        },
        { query: recipientsQuery, detail: analyticsDocs.recipients },
      )
  );
}
