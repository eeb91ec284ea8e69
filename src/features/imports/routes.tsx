import { Elysia, t } from "elysia";
import { ImportBanner, ImportPage, ImportProgress, MappingForm } from "../../../views/imports/ImportPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx, wantsPage } from "../../web/respond";
import { getList } from "../lists/service";
import type { ImportMapping } from "./model";
import { cancelImport, importErrorsCsv, importReport, receiveImport, runningImportReport, startImportWith } from "./service";
import { importsDocs } from "../../web/api-reference";

export function importsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/lists/:id/import", async ({ auth, deps, params }) => {
      const scope = requireScope(auth);
      const list = await getList(deps, scope, params.id);
      // An import already running into the list is shown, not a second upload form.
      return <ImportPage auth={requireAuth(auth)} list={list} report={await runningImportReport(deps, scope, list.id)} />;
    })
    .post("/lists/:id/import", async ({ auth, deps, params, request, set }) => {
      const result = await receiveImport(deps, requireScope(auth), params.id, request);
      set.status = 202;
      if (isHtmx(request) && result.preview) return <MappingForm importId={result.importId} preview={result.preview} fileName={result.fileName} />;
      return { importId: result.importId, status: result.status, ...(result.preview ? { preview: result.preview } : {}) };
    }, {
      // What the upload says beside its file (also accepted as multipart fields); receiveImport reads and checks them.
      query: t.Object({
        preview: t.Optional(t.String({ maxLength: 5, description: "1: stop after the upload and answer a preview to map." })),
        email: t.Optional(t.String({ maxLength: 200, description: "The header of the address column, when it is not `email`." })),
        skip: t.Optional(t.String({ maxLength: 10_000, description: "Headers of columns to leave out, comma-separated." })),
        onConflict: t.Optional(t.String({ maxLength: 20, description: "update (default): contacts already known get the new attributes; keep: they stay as they are." })),
        fileName: t.Optional(t.String({ maxLength: 500 })),
      }),
      detail: importsDocs.upload,
    })
    .post(
      "/imports/:id/start",
      async ({ auth, deps, params, body, request, set }) => {
        const scope = requireScope(auth);
        const { mapping, email, skip, onConflict } = body as typeof body & Record<string, unknown>;
        await startImportWith(deps, scope, params.id, {
          mapping: mapping as ImportMapping | undefined,
          form: body,
          email: typeof email === "string" ? email : undefined,
          skip: Array.isArray(skip) ? skip.map(String) : typeof skip === "string" ? skip.split(",") : undefined,
          onConflict: typeof onConflict === "string" ? onConflict : undefined,
        });
        set.status = 202;
        const report = await importReport(deps, scope, params.id);
        if (isHtmx(request)) {
          // The import's own page from now on: a reload or a second tab shows its progress.
          set.headers["hx-push-url"] = `/imports/${params.id}`;
          return <ImportProgress report={report} />;
        }
        return { importId: params.id, status: report.status };
      },
      {
        // A JSON mapping is checked here; the mapping form's use_<i>/key_<i> fields pass through.
        body: t.Object(
          {
            mapping: t.Optional(
              t.Object({ email: t.Integer({ minimum: 0 }), attributes: t.Array(t.Object({ index: t.Integer({ minimum: 0 }), key: t.String({ maxLength: 200 }) }), { maxItems: 500 }) }),
            ),
          },
          { additionalProperties: true },
        ),
        detail: importsDocs.start,
      },
    )
    .get("/imports/:id", async ({ auth, deps, params, request }) => {
      const scope = requireScope(auth);
      const report = await importReport(deps, scope, params.id);
      if (isHtmx(request)) return <ImportProgress report={report} />;
      if (wantsPage(request)) return <ImportPage auth={requireAuth(auth)} list={await getList(deps, scope, report.listId)} report={report} />;
      return report;
    }, { detail: importsDocs.get })
    .get("/imports/:id/banner", async ({ auth, deps, params, request, redirect }) => {
      const report = await importReport(deps, requireScope(auth), params.id);
      return isHtmx(request) ? <ImportBanner report={report} /> : redirect(`/imports/${encodeURIComponent(report.id)}`, 303);
    })
    .post("/imports/:id/cancel", async ({ auth, deps, params, request, redirect }) => {
      const report = await cancelImport(deps, requireScope(auth), params.id);
      if (isHtmx(request)) return <ImportProgress report={report} />;
      if (wantsPage(request)) return redirect(`/imports/${encodeURIComponent(params.id)}`, 303);
      return report;
    }, { detail: importsDocs.cancel })
    .get("/imports/:id/errors.csv", async ({ auth, deps, params }) => {
      const { fileName, body } = await importErrorsCsv(deps, requireScope(auth), params.id);
      return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${fileName}"`, "cache-control": "no-store" } });
    }, { detail: importsDocs.errors });
}
