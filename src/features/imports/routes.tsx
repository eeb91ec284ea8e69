import { Elysia, t } from "elysia";
import { ImportPage, ImportProgress, MappingForm } from "../../../views/imports/ImportPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx } from "../../web/respond";
import { getList } from "../lists/service";
import type { ImportMapping } from "./model";
import { importErrorsCsv, importReport, receiveImport, startImportWith } from "./service";

export function importsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/lists/:id/import", async ({ auth, deps, params }) => {
      const list = await getList(deps, requireScope(auth), params.id);
      return <ImportPage auth={requireAuth(auth)} list={list} />;
    })
    .post("/lists/:id/import", async ({ auth, deps, params, request, set }) => {
      const result = await receiveImport(deps, requireScope(auth), params.id, request);
      set.status = 202;
      if (isHtmx(request) && result.preview) return <MappingForm importId={result.importId} preview={result.preview} fileName={result.fileName} />;
      return { importId: result.importId, status: result.status, ...(result.preview ? { preview: result.preview } : {}) };
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
        return isHtmx(request) ? <ImportProgress report={report} /> : { importId: params.id, status: report.status };
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
      },
    )
    .get("/imports/:id", async ({ auth, deps, params, request }) => {
      const report = await importReport(deps, requireScope(auth), params.id);
      return isHtmx(request) ? <ImportProgress report={report} /> : report;
    })
    .get("/imports/:id/errors.csv", async ({ auth, deps, params }) => {
      const { fileName, body } = await importErrorsCsv(deps, requireScope(auth), params.id);
      return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${fileName}"` } });
    });
}
