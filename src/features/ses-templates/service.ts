import {
  createStoredTemplate,
  deleteStoredTemplate,
  getStoredTemplate,
  listStoredTemplates,
  testRenderStoredTemplate,
  updateStoredTemplate,
} from "../../aws/templates";
import type { Deps, Scope } from "../../deps";
import { Conflict, Invalid } from "../../lib/errors";
import type { Auth } from "../auth/model";
import { requireKeys, requireWorkspaceAdmin, withAws } from "../credentials/service";
import { forgetSesPublications, getTemplate, importTemplate, listTemplates, recordSesPublication, templateSesLink } from "../templates/service";
import type { TemplateView } from "../templates/model";
import {
  checkSesName,
  checkSesSize,
  checkTemplateData,
  parseSesLink,
  sesLink,
  sesNameFor,
  type PublishInput,
  type PublishResult,
  type RenderResult,
  type SesPublication,
  type SesTemplateInput,
  type SesTemplateSummary,
  type SesTemplateView,
} from "./model";
import { fromSes, htmlVariables, toSes } from "./translate";

const scopeOf = (auth: Auth): Scope => ({ userId: auth.user.id, workspaceId: auth.workspace.id, role: auth.workspaceRole });

/** The templates stored in SES for the keys' account and region, newest first. */
export async function listSesTemplates(deps: Deps, auth: Auth): Promise<SesTemplateSummary[]> {
  const { keys } = await requireKeys(deps, auth);
  const items = await withAws(deps, auth, () => listStoredTemplates(deps.config, keys));
  return items.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0) || a.name.localeCompare(b.name));
}

/** The region the caller's keys work in, for pages that say where SES keeps what they show. */
export async function sesRegion(deps: Deps, auth: Auth): Promise<string> {
  return (await requireKeys(deps, auth)).keys.region;
}

export async function getSesTemplate(deps: Deps, auth: Auth, rawName: string): Promise<SesTemplateView> {
  const name = checkSesName(rawName);
  const { keys } = await requireKeys(deps, auth);
  return withAws(deps, auth, () => getStoredTemplate(deps.config, keys, name));
}

/** What an SES template is made of when written directly (Handlebars, as SES reads it). */
function checkSesContent(input: Omit<SesTemplateInput, "name">): Omit<SesTemplateView, "name"> {
  const subject = input.subject.replace(/[\r\n]+/g, " ").trim();
  const html = input.html?.trim() ?? "";
  const text = input.text?.trim() ?? "";
  if (!subject) throw new Invalid("The subject is required.", "subject_required", "subject");
  if (!html && !text) throw new Invalid("Write the HTML or the text of the message (or both).", "ses_template_empty", "html");
  checkSesSize({ subject, html, text });
  return { subject, html, text };
}

/** A new SES template written directly; 409 when SES already has one of that name. */
export async function createSesTemplate(deps: Deps, auth: Auth, input: SesTemplateInput): Promise<{ name: string }> {
  requireWorkspaceAdmin(auth, "create templates in SES");
  const name = checkSesName(input.name);
  const content = checkSesContent(input);
  const { keys } = await requireKeys(deps, auth);
  const outcome = await withAws(deps, auth, () => createStoredTemplate(deps.config, keys, { name, ...content }));
  if (outcome === "exists") throw new Conflict(`SES already has a template named "${name}" in ${keys.region}. Choose another name, or open that one to edit it.`, "ses_template_exists");
  return { name };
}

export async function updateSesTemplate(deps: Deps, auth: Auth, rawName: string, input: Omit<SesTemplateInput, "name">): Promise<{ name: string }> {
  requireWorkspaceAdmin(auth, "edit templates in SES");
  const name = checkSesName(rawName);
  const content = checkSesContent(input);
  const { keys } = await requireKeys(deps, auth);
  await withAws(deps, auth, () => updateStoredTemplate(deps.config, keys, { name, ...content }));
  return { name };
}

/** Deletes the SES template; a Sesame template published there is no longer marked as published. */
export async function deleteSesTemplate(deps: Deps, auth: Auth, rawName: string): Promise<void> {
  requireWorkspaceAdmin(auth, "delete templates in SES");
  const name = checkSesName(rawName);
  const { keys } = await requireKeys(deps, auth);
  await withAws(deps, auth, () => deleteStoredTemplate(deps.config, keys, name));
  await forgetSesPublications(deps, scopeOf(auth), sesLink(keys.region, name));
}

/** SES's own rendering of the stored template with `data`, a JSON object of values. Reading only: any member. */
export async function renderSesTemplate(deps: Deps, auth: Auth, rawName: string, data: string): Promise<RenderResult> {
  const name = checkSesName(rawName);
  const json = checkTemplateData(data);
  const { keys } = await requireKeys(deps, auth);
  return withAws(deps, auth, () => testRenderStoredTemplate(deps.config, keys, name, json));
}

/**
 * What the person publishing must know about sending with the SES template: SES inserts values into
 * the HTML unescaped (see translate.ts), where Sesame's own sends escape them.
 */
function publishWarnings(name: string, html: string): string[] {
  const variables = htmlVariables(html);
  if (variables.length === 0) return [];
  const shown = variables.slice(0, 5).map((variable) => `{{${variable}}}`);
  const named = shown.join(", ") + (variables.length > shown.length ? ` and ${variables.length - shown.length} more` : "");
  return [
    `SES inserts values into the HTML as they are, without escaping them (Sesame escapes them in its own sends). Whoever sends with the SES template "${name}" must escape the values of ${named} in the TemplateData (& as &amp;, < as &lt;, > as &gt;, " as &quot;), or a value holding markup changes the message.`,
  ];
}

/**
 * Publishes a Sesame template to SES, its {{name|fallback}} written as Handlebars. An SES template of
 * the same name is updated only when it is this template's own earlier publication (same region and
 * name) or the caller says to overwrite it: a different template is never replaced silently.
 */
export async function publishTemplate(deps: Deps, auth: Auth, input: PublishInput): Promise<PublishResult> {
  requireWorkspaceAdmin(auth, "publish templates to SES");
  const scope = scopeOf(auth);
  const template = await getTemplate(deps, scope, input.templateId);
  const { keys } = await requireKeys(deps, auth);
  const earlier = parseSesLink((await templateSesLink(deps, scope, template.id))?.link ?? null);
  const chosen = input.name?.trim() ? input.name : earlier?.region === keys.region ? earlier.name : sesNameFor(template.name);
  const name = checkSesName(chosen);
  const content = toSes(template);
  checkSesSize(content);
  const link = sesLink(keys.region, name);
  const stored = { name, ...content };
  const outcome = await withAws(deps, auth, () => createStoredTemplate(deps.config, keys, stored));
  if (outcome === "exists") {
    const ours = earlier !== null && sesLink(earlier.region, earlier.name) === link;
    if (!ours && !input.overwrite) {
      throw new Conflict(
        `SES already has a template named "${name}" in ${keys.region} that was not published from this template. Publishing would replace it: choose another name, or confirm that it may be replaced (overwrite).`,
        "ses_template_exists",
      );
    }
    await withAws(deps, auth, () => updateStoredTemplate(deps.config, keys, stored));
  }
  await recordSesPublication(deps, scope, template.id, link, deps.clock.now());
  return { name, region: keys.region, warnings: publishWarnings(name, template.html) };
}

/** A new Sesame template from an SES one, refused (with what stands in the way) when Sesame could not render it the same. */
export async function importSesTemplate(deps: Deps, auth: Auth, rawName: string): Promise<{ templateId: string }> {
  const name = checkSesName(rawName);
  const { keys } = await requireKeys(deps, auth);
  const stored = await withAws(deps, auth, () => getStoredTemplate(deps.config, keys, name));
  const parts = fromSes(stored);
  if (!parts.subject.trim()) throw new Invalid("This SES template has no subject, and a Sesame template needs one.", "ses_template_no_subject");
  if (!parts.html.trim()) {
    throw new Invalid("This SES template has no HTML part, and a Sesame template needs one (Sesame makes the text from the HTML).", "ses_template_no_html");
  }
  const created = await importTemplate(deps, scopeOf(auth), { name, subject: parts.subject, html: parts.html, text: parts.text }, sesLink(keys.region, name));
  return { templateId: created.id };
}

/** Where a Sesame template is published in SES, for its own page. Null when it never was (or its SES template was deleted here). */
export async function sesPublication(deps: Deps, auth: Auth, templateId: string): Promise<SesPublication | null> {
  const linked = await templateSesLink(deps, scopeOf(auth), templateId);
  const where = parseSesLink(linked?.link ?? null);
  return linked && where ? { ...where, publishedAt: linked.publishedAt } : null;
}

/** Sesame's own templates, for the publish picker. */
export async function publishableTemplates(deps: Deps, auth: Auth): Promise<TemplateView[]> {
  return listTemplates(deps, scopeOf(auth));
}
