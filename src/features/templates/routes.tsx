import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { ComposerPage } from "../../../views/templates/ComposerPage";
import { ConnectAwsNotice, TemplateWarnings } from "../../../views/templates/TemplateNotices";
import { TemplatesPage } from "../../../views/templates/TemplatesPage";
import { AppError } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx } from "../../web/respond";
import { COMPOSER_CSP } from "../../web/security";
import { listLists } from "../lists/service";
import { createTemplate, deleteTemplate, duplicateTemplate, getTemplate, listTemplates, openTemplate, renderTemplate, sendTestTemplate, updateTemplate } from "./service";
import { templatesDocs } from "../../web/api-reference";

const templateBody = t.Object({
  name: t.String({ maxLength: 1000 }),
  subject: t.String({ maxLength: 10_000 }),
  html: t.String({ maxLength: 1024 * 1024 }),
  text: t.Optional(t.Nullable(t.String({ maxLength: 1024 * 1024 }))),
});

/** Variables arrive as a JSON object, or as `var_<name>` form fields from a page. */
const renderBody = t.Object({
  variables: t.Optional(t.Record(t.String({ maxLength: 64 }), t.String({ maxLength: 10_000 }))),
  contactId: t.Optional(t.Union([t.Numeric(), t.Literal("")])),
});

const contactOf = (value: number | "" | undefined) => (value === "" || value === undefined ? undefined : Number(value));

/** The rendered HTML shown inside the preview frame: no scripts at all, and only this app may frame it. */
const PREVIEW_CSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; font-src https: data:; frame-ancestors 'self'; sandbox";

export function templatesRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/templates", async ({ auth, deps }) => <TemplatesPage auth={requireAuth(auth)} templates={await listTemplates(deps, requireScope(auth))} />)
    .get("/templates/new", async ({ auth, deps, set }) => {
      set.headers["content-security-policy"] = COMPOSER_CSP;
      return <ComposerPage auth={requireAuth(auth)} template={null} lists={await listLists(deps, requireScope(auth))} html="<p>Hello {{name|there}},</p><p></p>" />;
    })
    .get("/templates/:id", async ({ auth, deps, params, set }) => {
      const scope = requireScope(auth);
      set.headers["content-security-policy"] = COMPOSER_CSP;
      const template = await openTemplate(deps, scope, params.id);
      return <ComposerPage auth={requireAuth(auth)} template={template} lists={await listLists(deps, scope)} html={template.html} />;
    })
    .get("/email/template", async ({ auth, deps }) => ({ items: await listTemplates(deps, requireScope(auth)) }), { detail: templatesDocs.list })
    .post(
      "/email/template",
      async ({ auth, deps, body, request, set }) => {
        const template = await createTemplate(deps, requireScope(auth), body);
        set.status = 201;
        if (isHtmx(request)) set.headers["hx-redirect"] = `/templates/${template.id}`;
        return template;
      },
      { body: templateBody, detail: templatesDocs.create },
    )
    .get("/email/template/:id", async ({ auth, deps, params }) => getTemplate(deps, requireScope(auth), params.id), { detail: templatesDocs.get })
    .put(
      "/email/template/:id",
      async ({ auth, deps, params, body, request, set }) => {
        const template = await updateTemplate(deps, requireScope(auth), params.id, body);
        if (!isHtmx(request)) return template;
        set.headers["hx-trigger"] = "template-saved";
        return (
          <>
            <Flash kind="success" message={`Saved. Variables: ${template.variables.map((v) => `{{${v}}}`).join(" ") || "none"}.`} />
            <TemplateWarnings warnings={template.warnings} />
          </>
        );
      },
      { body: templateBody, detail: templatesDocs.update },
    )
    .delete("/email/template/:id", async ({ auth, deps, params, request, set }) => {
      await deleteTemplate(deps, requireScope(auth), params.id);
      if (!isHtmx(request)) set.status = 204;
      return "";
    }, { detail: templatesDocs.remove })
    .post("/email/template/:id/duplicate", async ({ auth, deps, params, request, set }) => {
      const copy = await duplicateTemplate(deps, requireScope(auth), params.id);
      set.status = 201;
      if (isHtmx(request)) set.headers["hx-redirect"] = `/templates/${copy.id}`;
      return copy;
    }, { detail: templatesDocs.duplicate })
    .post(
      "/email/template/:id/preview",
      async ({ auth, deps, params, body }) => {
        const { subject, html, text, missing } = await renderTemplate(deps, requireScope(auth), params.id, { variables: body.variables, contactId: contactOf(body.contactId) });
        return { subject, html, text, missing };
      },
      { body: renderBody, detail: templatesDocs.preview },
    )
    .get(
      "/email/template/:id/preview.html",
      async ({ auth, deps, params, query, set }) => {
        const rendered = await renderTemplate(deps, requireScope(auth), params.id, { contactId: contactOf(query.contactId) });
        set.headers["content-security-policy"] = PREVIEW_CSP;
        set.headers["x-frame-options"] = "SAMEORIGIN";
        set.headers["content-type"] = "text/html; charset=utf-8";
        return rendered.html;
      },
      { query: t.Object({ contactId: t.Optional(t.Union([t.Numeric(), t.Literal("")])) }) },
    )
    .post(
      "/email/template/:id/test",
      async ({ auth, deps, params, body, request, set }) => {
        const send = () => sendTestTemplate(deps, requireAuth(auth), params.id, { to: body.to, from: body.from, variables: body.variables, contactId: contactOf(body.contactId) });
        if (!isHtmx(request)) return send();
        try {
          const result = await send();
          return <Flash kind="success" message={`Test sent to ${body.to.trim()} (SES message id ${result.messageId}).`} />;
        } catch (error) {
          // On the page, the way out of this one is a link; the JSON error stays a sentence.
          if (!(error instanceof AppError && error.code === "aws_not_connected")) throw error;
          set.status = error.status;
          return <ConnectAwsNotice />;
        }
      },
      { body: t.Object({ to: t.String({ maxLength: 320 }), from: t.String({ maxLength: 400 }), ...renderBody.properties }), detail: templatesDocs.test },
    );
}
