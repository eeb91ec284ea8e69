import { sendEmail } from "../../aws/ses";
import type { Deps, Scope } from "../../deps";
import { isEmail, parseSender } from "../../lib/email";
import { Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Auth } from "../auth/model";
import { findContact } from "../contacts/queries";
import { activeKeys } from "../credentials/service";
import { findWorkspaceEvents } from "../credentials/queries";
import { listLists, listVariables } from "../lists/service";
import { testUnsubscribeUrl } from "../unsubscribe/service";
import { HTML_MAX_BYTES, SAMPLE_VALUES, SUBJECT_MAX, TEMPLATE_NAME_MAX, TEST_SUBJECT_PREFIX, type SavedTemplate, type TemplateInput, type TemplateView, type TemplateWarning } from "./model";
import { renderMessage, templateVariables, variablesWithoutFallback, type RenderedMessage } from "./render";
import { relativeLinks, sanitizeTemplateHtml } from "./sanitize";
import { clearTemplateSesLinks, deleteTemplateRow, findTemplate, insertTemplate, listTemplateRows, setTemplateSesLink, updateTemplateRow } from "./queries";

/** Cleans and checks what a user wrote; each problem names its field. */
function checkTemplate(input: TemplateInput): { name: string; subject: string; html: string; text: string | null; variables: string[] } {
  const name = input.name.trim();
  const subject = input.subject.replace(/[\r\n]+/g, " ").trim();
  if (!name) throw new Invalid("Give the template a name.", "invalid_name", "name");
  if (name.length > TEMPLATE_NAME_MAX) throw new Invalid(`A template name is at most ${TEMPLATE_NAME_MAX} characters.`, "invalid_name", "name");
  if (!subject) throw new Invalid("The subject is required.", "subject_required", "subject");
  if (subject.length > SUBJECT_MAX) throw new Invalid(`The subject is at most ${SUBJECT_MAX} characters.`, "subject_too_long", "subject");
  if (Buffer.byteLength(input.html) > HTML_MAX_BYTES) {
    throw new Invalid(`The HTML is larger than ${HTML_MAX_BYTES / 1024} KB; mail clients clip long messages (Gmail at about 102 KB). Shorten it.`, "html_too_large", "html");
  }
  const html = sanitizeTemplateHtml(input.html).trim();
  if (!html.replace(/<[^>]*>/g, "").trim() && !/<img\b/i.test(html)) throw new Invalid("The message body is empty.", "html_required", "html");
  const bad = relativeLinks(html);
  if (bad.length) {
    throw new Invalid(`Links and images need a full http(s) address; fix: ${bad.slice(0, 3).map((b) => `"${b.slice(0, 80)}"`).join(", ")}.`, "relative_link", "html");
  }
  const text = input.text?.trim() ? input.text.trim() : null;
  if (text && Buffer.byteLength(text) > HTML_MAX_BYTES) throw new Invalid("The plain-text part is too long.", "text_too_large", "text");
  return { name, subject, html, text, variables: templateVariables(subject, html, text) };
}

function view(row: Omit<NonNullable<Awaited<ReturnType<typeof findTemplate>>>, "sesTemplateName" | "sesPublishedAt">): TemplateView {
  return { id: row.id, name: row.name, subject: row.subject, html: row.html, text: row.text, variables: row.variables, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

async function insertNew(deps: Deps, scope: Scope, input: TemplateInput): Promise<TemplateView> {
  const clean = checkTemplate(input);
  const now = deps.clock.now();
  const row = { id: newId("tpl"), workspaceId: scope.workspaceId, ...clean, createdAt: now, updatedAt: now };
  await insertTemplate(deps.db, row);
  return view(row);
}

/** Variables a template can always fill, whatever list it is sent to. */
const ALWAYS_KNOWN = new Set(["email", "unsubscribe_url"]);

/**
 * What a save should warn about without refusing it: variables used without a fallback that no list
 * of the workspace has a column for, so any send of this template would refuse them. Lists are only
 * read when such a variable exists, and no further than needed to account for them all.
 */
async function templateWarnings(deps: Deps, scope: Scope, template: Pick<TemplateView, "subject" | "html" | "text">): Promise<TemplateWarning[]> {
  let unknown = variablesWithoutFallback(template.subject, template.html, template.text).filter((name) => !ALWAYS_KNOWN.has(name));
  if (unknown.length === 0) return [];
  for (const list of await listLists(deps, scope)) {
    const columns = new Set(await listVariables(deps, scope, list.id));
    unknown = unknown.filter((name) => !columns.has(name));
    if (unknown.length === 0) return [];
  }
  const named = unknown.map((v) => `{{${v}}}`).join(", ");
  return [
    {
      code: "variables_not_in_lists",
      variables: unknown,
      message: `No list has a column for ${named}, and ${unknown.length === 1 ? "it has" : "they have"} no fallback: a send would refuse ${unknown.length === 1 ? "it" : "them"}. Give a fallback like {{${unknown[0]}|there}}, or import a list with that column.`,
    },
  ];
}

export async function createTemplate(deps: Deps, scope: Scope, input: TemplateInput): Promise<SavedTemplate> {
  const template = await insertNew(deps, scope, input);
  return { ...template, warnings: await templateWarnings(deps, scope, template) };
}

export async function getTemplate(deps: Deps, scope: Scope, id: string): Promise<TemplateView> {
  const row = await findTemplate(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such template.");
  return view(row);
}

/** A template as the composer opens it: with what saving it warns about now (lists change after a save). */
export async function openTemplate(deps: Deps, scope: Scope, id: string): Promise<SavedTemplate> {
  const template = await getTemplate(deps, scope, id);
  return { ...template, warnings: await templateWarnings(deps, scope, template) };
}

export async function listTemplates(deps: Deps, scope: Scope): Promise<TemplateView[]> {
  return (await listTemplateRows(deps.db, scope.workspaceId)).map(view);
}

export async function updateTemplate(deps: Deps, scope: Scope, id: string, input: TemplateInput): Promise<SavedTemplate> {
  const clean = checkTemplate(input);
  if (!(await updateTemplateRow(deps.db, scope.workspaceId, id, { ...clean, updatedAt: deps.clock.now() }))) throw new NotFound("There is no such template.");
  return openTemplate(deps, scope, id);
}

export async function deleteTemplate(deps: Deps, scope: Scope, id: string): Promise<void> {
  if (!(await deleteTemplateRow(deps.db, scope.workspaceId, id))) throw new NotFound("There is no such template.");
}

export async function duplicateTemplate(deps: Deps, scope: Scope, id: string): Promise<TemplateView> {
  const source = await getTemplate(deps, scope, id);
  return insertNew(deps, scope, { name: `Copy of ${source.name}`.slice(0, TEMPLATE_NAME_MAX), subject: source.subject, html: source.html, text: source.text });
}

/** Where the template was last published to SES ("region/name", see ses-templates/model.ts) and when. */
export async function templateSesLink(deps: Deps, scope: Scope, id: string): Promise<{ link: string; publishedAt: Date } | null> {
  const row = await findTemplate(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such template.");
  return row.sesTemplateName && row.sesPublishedAt ? { link: row.sesTemplateName, publishedAt: row.sesPublishedAt } : null;
}

/** Marks the template as the one published to `link`; any other template linked there is unlinked. */
export async function recordSesPublication(deps: Deps, scope: Scope, id: string, link: string, at: Date): Promise<void> {
  await clearTemplateSesLinks(deps.db, scope.workspaceId, link);
  if (!(await setTemplateSesLink(deps.db, scope.workspaceId, id, link, at))) throw new NotFound("There is no such template.");
}

/** The SES template at `link` is gone: no template is published there any more. */
export async function forgetSesPublications(deps: Deps, scope: Scope, link: string): Promise<void> {
  await clearTemplateSesLinks(deps.db, scope.workspaceId, link);
}

/** A new template from one imported from SES, checked like any other and linked to where it came from. */
export async function importTemplate(deps: Deps, scope: Scope, input: TemplateInput, link: string): Promise<TemplateView> {
  const template = await insertNew(deps, scope, input);
  await recordSesPublication(deps, scope, template.id, link, deps.clock.now());
  return template;
}

export interface RenderChoice {
  /** Values given directly: alone, or as overrides of the contact's. */
  variables?: Record<string, string>;
  /** A contact of this workspace whose address and attributes fill the variables. */
  contactId?: number;
}

/**
 * Renders a saved template exactly as a send would (tracking aside), for a contact or for given
 * values. Sample values stand in only when neither is chosen: with given values, a variable they
 * lack falls back (or is missing) as it would for a real recipient. The unsubscribe link is the
 * harmless test link, since a preview or a test mail must never unsubscribe the contact it shows.
 */
export async function renderTemplate(deps: Deps, scope: Scope, id: string, choice: RenderChoice): Promise<RenderedMessage & { unsubscribeUrl: string }> {
  const template = await getTemplate(deps, scope, id);
  let values: Record<string, string> = {};
  if (choice.contactId !== undefined) {
    const contact = await findContact(deps.db, scope.workspaceId, choice.contactId);
    if (!contact) throw new NotFound("There is no such contact.", "contact_not_found");
    values = { ...contact.attributes, email: contact.email };
  } else if (choice.variables === undefined) {
    values = { ...SAMPLE_VALUES };
  }
  for (const [k, v] of Object.entries(choice.variables ?? {})) values[k.toLowerCase()] = String(v);
  const link = testUnsubscribeUrl(deps.config, scope.workspaceId);
  return { ...renderMessage({ subject: template.subject, html: template.html, text: template.text, values, unsubscribeUrl: link }), unsubscribeUrl: link };
}

/** "Name <address>" or an address; the address part must be one. */
function checkFrom(from: string): string {
  const sender = parseSender(from);
  if (!sender) throw new Invalid("Enter the sender as an address or as Name <address>.", "invalid_from", "from");
  return sender.value;
}

/**
 * One test mail through SES, rendered by the same renderer as the preview, its subject marked as a
 * test. It carries List-Unsubscribe headers like a real send, pointing at the test link.
 */
export async function sendTestTemplate(deps: Deps, auth: Auth, id: string, input: RenderChoice & { to: string; from: string }): Promise<{ messageId: string }> {
  const scope: Scope = { userId: auth.user.id, workspaceId: auth.workspace.id, role: auth.workspaceRole };
  const to = input.to.trim().toLowerCase();
  if (!isEmail(to)) throw new Invalid("Enter the address to send the test to.", "invalid_to", "to");
  const from = checkFrom(input.from);
  const message = await renderTemplate(deps, scope, id, input);
  if (message.missing.length) {
    throw new Invalid(`These variables have no value and no fallback: ${message.missing.map((m) => `{{${m}}}`).join(", ")}. Give them a value or a fallback like {{${message.missing[0]}|there}}.`, "missing_variables", "variables");
  }
  const active = await activeKeys(deps, auth);
  if (!active) throw new Invalid("Connect your AWS keys first (Settings → AWS).", "aws_not_connected");
  const events = await findWorkspaceEvents(deps.db, scope.workspaceId);
  const messageId = await sendEmail(deps.config, active.keys, {
    from,
    to,
    subject: `${TEST_SUBJECT_PREFIX}${message.subject}`,
    html: message.html,
    text: message.text,
    headers: [
      { name: "List-Unsubscribe", value: `<${message.unsubscribeUrl}>` },
      { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
    ],
    configurationSet: events?.configurationSet ?? null,
  });
  deps.log.info("test mail sent", { workspaceId: scope.workspaceId, templateId: id, messageId });
  return { messageId };
}
