import { Elysia, t } from "elysia";
import { AuditLog, AuditPage, auditFilterValues, auditUrl, type AuditBase } from "../../../views/audit/AuditPage";
import type { Deps } from "../../deps";
import { Invalid } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAdmin, requireAuth, requireScope } from "../../web/guard";
import { csvDownload, isHtmx, wantsPage } from "../../web/respond";
import type { Auth } from "../auth/model";
import { userTimeZone } from "../auth/service";
import type { AuditPage as AuditPageData } from "./model";
import { auditDocs } from "../../web/api-reference";
import { auditCsvStream, auditHasEntries, listAudit, readAuditFilter, type AuditFilter, type AuditFilterInput, type AuditScope } from "./service";

/** Everything arrives as text and is checked by readAuditFilter, so a bad value is a 422 naming its field rather than a schema's 400. */
const auditQuery = t.Object({
  action: t.Optional(t.Array(t.String())),
  actor: t.Optional(t.String()),
  from: t.Optional(t.String()),
  to: t.Optional(t.String()),
  page: t.Optional(t.String()),
  pageSize: t.Optional(t.String()),
  format: t.Optional(t.Union([t.Literal("json"), t.Literal("csv")])),
});

type Query = AuditFilterInput & { format?: "json" | "csv" };

/** One answer for both logs: JSON, CSV, the htmx partial or the whole page. */
async function answer(deps: Deps, a: Auth, scope: AuditScope, base: AuditBase, query: Query, request: Request, set: { status?: unknown; headers: Record<string, unknown> }) {
  const zone = userTimeZone(a);
  if (query.format === "csv") {
    const filter = readAuditFilter(query, zone);
    const day = deps.clock.now().toISOString().slice(0, 10);
    return csvDownload(`${base === "/audit" ? "audit-log" : "instance-audit-log"}-${day}.csv`, auditCsvStream(deps, scope, filter));
  }
  if (!wantsPage(request) && !isHtmx(request)) {
    const { items, total, page, pageSize } = await listAudit(deps, scope, readAuditFilter(query, zone));
    return { items, total, page, pageSize };
  }
  let filter: AuditFilter | null = null;
  let page: AuditPageData | null = null;
  let errors: { field: string; message: string }[] = [];
  try {
    filter = readAuditFilter(query, zone);
    page = await listAudit(deps, scope, filter);
  } catch (err) {
    if (!(err instanceof Invalid) || !err.field) throw err;
    // The page keeps the filter as typed, with the problem under its field.
    errors = [{ field: err.field, message: err.message }];
    filter = null;
    set.status = 422;
  }
  const props = { base, values: auditFilterValues(query), filter, page, errors, anyEntries: await auditHasEntries(deps, scope), zone, now: deps.clock.now() };
  if (isHtmx(request)) {
    // The form sends every field, empty or not: the address bar gets the filter's own short URL.
    if (filter && page) set.headers["hx-push-url"] = auditUrl(base, filter, page.page);
    return <AuditLog {...props} />;
  }
  return <AuditPage auth={a} {...props} />;
}

/**
 * The audit log: a workspace's for its owners and admins (`/audit`, members get 403), and the
 * instance's own entries (workspace_id null: failed sign-ins for unknown addresses, instance
 * administration) for instance administrators (`/admin/audit`). Both are read-only.
 */
export function auditRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get(
      "/audit",
      async ({ auth, deps, query, request, set }) => {
        const scope = requireScope(auth, "admin");
        return answer(deps, requireAuth(auth), { workspaceId: scope.workspaceId }, "/audit", query, request, set);
      },
      { query: auditQuery, detail: auditDocs.workspace },
    )
    .get(
      "/admin/audit",
      async ({ auth, deps, query, request, set }) => answer(deps, requireAdmin(auth), { instance: true }, "/admin/audit", query, request, set),
      { query: auditQuery, detail: auditDocs.instance },
    );
}
