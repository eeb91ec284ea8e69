import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { SuppressionsPage, SuppressionsTable } from "../../../views/suppressions/SuppressionsPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { exportStream } from "../../web/exports";
import { csvDownload, isHtmx, wantsPage } from "../../web/respond";
import { importSuppressions, removeSuppression, suppressionsPage, suppressManually } from "./service";
import { suppressionsDocs } from "../../web/api-reference";

const pageQuery = t.Object({ q: t.Optional(t.String({ maxLength: 500 })), reason: t.Optional(t.String({ maxLength: 40 })), page: t.Optional(t.Numeric({ minimum: 1, maximum: 1_000_000 })) });

export function suppressionsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get(
      "/suppressions",
      async ({ auth, deps, query, request }) => {
        const scope = requireScope(auth);
        const page = await suppressionsPage(deps, scope, query);
        const table = { ...page, q: query.q ?? "", reason: query.reason ?? "", canRemove: scope.role !== "member" };
        if (isHtmx(request)) return <SuppressionsTable {...table} />;
        if (wantsPage(request)) return <SuppressionsPage auth={requireAuth(auth)} table={table} />;
        return { items: page.items, total: page.total };
      },
      { query: pageQuery, detail: suppressionsDocs.list },
    )
    .post(
      "/suppressions",
      async ({ auth, deps, body, request, set }) => {
        const result = await suppressManually(deps, requireScope(auth), body.emails ?? (body.email ? [body.email] : []));
        if (isHtmx(request)) {
          set.headers["hx-trigger"] = "suppressions-changed";
          return <Flash kind="success" message={result.added ? `Suppressed ${result.added} address${result.added === 1 ? "" : "es"}.` : "That address was already suppressed."} />;
        }
        set.status = 201;
        return result;
      },
      { body: t.Object({ email: t.Optional(t.String({ maxLength: 320 })), emails: t.Optional(t.Array(t.String({ maxLength: 320 }), { maxItems: 10_000 })) }), detail: suppressionsDocs.add },
    )
    .post("/suppressions/import", async ({ auth, deps, request, set }) => {
      const result = await importSuppressions(deps, requireScope(auth), request);
      if (isHtmx(request)) {
        set.headers["hx-trigger"] = "suppressions-changed";
        return <Flash kind="success" message={`Suppressed ${result.added} new addresses; ${result.already} were already suppressed; ${result.invalid} rows had no valid address.`} />;
      }
      return result;
    }, { detail: suppressionsDocs.import })
    .delete(
      "/suppressions/:id",
      async ({ auth, deps, params, request, set }) => {
        await removeSuppression(deps, requireScope(auth), params.id);
        if (!isHtmx(request)) set.status = 204;
        return "";
      },
      { params: t.Object({ id: t.Numeric() }), detail: suppressionsDocs.remove },
    )
    .get("/suppressions/export.csv", ({ auth, deps }) =>
      csvDownload("suppressions.csv", exportStream(deps, { name: "suppressions", workspaceId: requireScope(auth).workspaceId })),
      { detail: suppressionsDocs.export },
    );
}
