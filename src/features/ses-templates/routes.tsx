import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { PublicationPanel, RenderedPanel, SesTemplatesPanel } from "../../../views/ses-templates/parts";
import { SesTemplatePage } from "../../../views/ses-templates/SesTemplatePage";
import { SesTemplatesPage } from "../../../views/ses-templates/SesTemplatesPage";
import { AppError } from "../../lib/errors";
import type { Context } from "../../web/context";
import { checkbox, ticked } from "../../web/forms";
import { requireAuth } from "../../web/guard";
import { isHtmx, swapPanel } from "../../web/respond";
import { COMPOSER_CSP } from "../../web/security";
import { hasWorkspaceRole, type Auth } from "../auth/model";
import { userTimeZone } from "../auth/service";
import { requireWorkspaceAdmin } from "../credentials/service";
import {
  createSesTemplate,
  deleteSesTemplate,
  getSesTemplate,
  importSesTemplate,
  listSesTemplates,
  publishableTemplates,
  publishTemplate,
  renderSesTemplate,
  sesPublication,
  sesRegion,
  updateSesTemplate,
} from "./service";
import { sesTemplatesDocs } from "../../web/api-reference";

const PART_MAX = 1024 * 1024;
const content = {
  subject: t.String({ maxLength: 10_000 }),
  html: t.Optional(t.Nullable(t.String({ maxLength: PART_MAX }))),
  text: t.Optional(t.Nullable(t.String({ maxLength: PART_MAX }))),
};

/**
 * One POST creates in SES: with `templateId` it publishes that Sesame template (optionally under
 * `name`, replacing a foreign one only with `overwrite`); without, it stores `name`, `subject`,
 * `html` and `text` as written.
 */
const createBody = t.Object({
  templateId: t.Optional(t.String({ maxLength: 100 })),
  name: t.Optional(t.Nullable(t.String({ maxLength: 200 }))),
  overwrite: checkbox,
  subject: t.Optional(t.String({ maxLength: 10_000 })),
  html: content.html,
  text: content.text,
});

const canManage = (auth: Auth) => hasWorkspaceRole(auth.workspaceRole, "admin");

/** The list, or the reason it could not be read, for the page and the panel alike. */
async function listing(deps: Parameters<typeof listSesTemplates>[0], auth: Auth) {
  try {
    return { items: await listSesTemplates(deps, auth) };
  } catch (err) {
    if (err instanceof AppError) return { items: null, error: err.message, code: err.code };
    throw err;
  }
}

/** SES stored templates (Settings › AWS › SES templates) and publishing Sesame's templates to SES. */
export function sesTemplatesRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings/aws/templates", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const list = await listing(deps, a);
      const region = list.code === "aws_not_connected" || list.code === "aws_keys_undecryptable" ? null : await sesRegion(deps, a);
      return (
        <SesTemplatesPage
          auth={a}
          canManage={canManage(a)}
          region={region}
          items={list.items}
          error={list.error}
          templates={canManage(a) ? await publishableTemplates(deps, a) : []}
          zone={userTimeZone(a)}
          now={deps.clock.now()}
        />
      );
    })
    .get("/settings/aws/templates/new", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      requireWorkspaceAdmin(a, "create templates in SES");
      return <SesTemplatePage auth={a} template={null} canManage region={await sesRegion(deps, a)} />;
    })
    .get("/settings/aws/templates/:name", async ({ auth, deps, params, set }) => {
      const a = requireAuth(auth);
      const template = await getSesTemplate(deps, a, params.name);
      // The rendered HTML's inline styles are shown in a sandboxed srcdoc frame, which inherits this page's policy.
      set.headers["content-security-policy"] = COMPOSER_CSP;
      return <SesTemplatePage auth={a} template={template} canManage={canManage(a)} region={await sesRegion(deps, a)} />;
    })
    .get("/aws/templates", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      if (!isHtmx(request)) return { items: await listSesTemplates(deps, a) };
      const list = await listing(deps, a);
      return <SesTemplatesPanel items={list.items} error={list.error} canManage={canManage(a)} zone={userTimeZone(a)} now={deps.clock.now()} />;
    }, { detail: sesTemplatesDocs.list })
    .post(
      "/aws/templates",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        if (body.templateId) {
          const published = await publishTemplate(deps, a, { templateId: body.templateId, name: body.name, overwrite: ticked(body.overwrite) });
          set.status = 201;
          if (!isHtmx(request)) return { name: published.name, warnings: published.warnings };
          const notice = `Published to SES as ${published.name} (${published.region}).`;
          const shown = { notice, warnings: published.warnings, zone: userTimeZone(a), now: deps.clock.now() };
          // The same form sits on the Sesame template's own page, whose panel is redrawn instead of the list.
          if (request.headers.get("hx-target") === "ses-publication-errors") {
            swapPanel(set, "ses-publication");
            return <PublicationPanel templateId={body.templateId} publication={await sesPublication(deps, a, body.templateId)} canManage {...shown} />;
          }
          swapPanel(set, "ses-templates");
          const list = await listing(deps, a);
          return <SesTemplatesPanel items={list.items} error={list.error} canManage {...shown} />;
        }
        const created = await createSesTemplate(deps, a, { name: body.name ?? "", subject: body.subject ?? "", html: body.html, text: body.text });
        set.status = 201;
        if (isHtmx(request)) set.headers["hx-redirect"] = `/settings/aws/templates/${encodeURIComponent(created.name)}`;
        return created;
      },
      { body: createBody, detail: sesTemplatesDocs.create },
    )
    .get("/aws/templates/:name", async ({ auth, deps, params }) => getSesTemplate(deps, requireAuth(auth), params.name), { detail: sesTemplatesDocs.get })
    .put(
      "/aws/templates/:name",
      async ({ auth, deps, params, body, request }) => {
        const updated = await updateSesTemplate(deps, requireAuth(auth), params.name, body);
        return isHtmx(request) ? <Flash kind="success" message="Saved in SES." /> : updated;
      },
      { body: t.Object(content), detail: sesTemplatesDocs.update },
    )
    .delete("/aws/templates/:name", async ({ auth, deps, params, request, set }) => {
      await deleteSesTemplate(deps, requireAuth(auth), params.name);
      if (isHtmx(request)) {
        set.headers["hx-redirect"] = "/settings/aws/templates";
        return "";
      }
      set.status = 204;
      return "";
    }, { detail: sesTemplatesDocs.remove })
    .post("/aws/templates/:name/import", async ({ auth, deps, params, request, set }) => {
      const imported = await importSesTemplate(deps, requireAuth(auth), params.name);
      set.status = 201;
      if (isHtmx(request)) set.headers["hx-redirect"] = `/templates/${imported.templateId}`;
      return imported;
    }, { detail: sesTemplatesDocs.import })
    .post(
      "/aws/templates/:name/render",
      async ({ auth, deps, params, body, request }) => {
        const data = body.data === undefined ? "{}" : typeof body.data === "string" ? body.data : JSON.stringify(body.data);
        const result = await renderSesTemplate(deps, requireAuth(auth), params.name, data);
        return isHtmx(request) ? <RenderedPanel result={result} /> : result;
      },
      // The values as JSON text (the page's form) or as an object (a JSON client).
      { body: t.Object({ data: t.Optional(t.Union([t.String({ maxLength: PART_MAX }), t.Record(t.String({ maxLength: 200 }), t.Unknown())])) }), detail: sesTemplatesDocs.render },
    )
    .get("/templates/:id/ses", async ({ auth, deps, params, request }) => {
      const a = requireAuth(auth);
      const publication = await sesPublication(deps, a, params.id);
      if (!isHtmx(request)) return { publication };
      return <PublicationPanel templateId={params.id} publication={publication} canManage={canManage(a)} zone={userTimeZone(a)} now={deps.clock.now()} />;
    }, { detail: sesTemplatesDocs.publication });
}
