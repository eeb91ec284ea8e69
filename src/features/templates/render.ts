import { htmlToText } from "html-to-text";

/**
 * The one renderer: preview, test send and real sends all call `renderMessage`, so what a user
 * previews is what recipients get. Variables are {{name}} or {{name|fallback}}; names are looked up
 * case-insensitively among the contact's attributes plus `email` and `unsubscribe_url`. Values are
 * HTML-escaped in the HTML part and left as they are in the subject and text parts. A variable with
 * neither a value nor a fallback renders empty and is reported in `missing`, so a send can refuse it.
 */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}]*?))?\s*\}\}/g;

export interface RenderInput {
  subject: string;
  html: string;
  text: string | null;
  /** Variable values by (lower-case) name. */
  values: Record<string, string>;
  unsubscribeUrl: string;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
  missing: string[];
}

/** Every variable a template uses, in order of first appearance. */
export function templateVariables(...parts: (string | null | undefined)[]): string[] {
  const names = new Set<string>();
  for (const part of parts) for (const m of (part ?? "").matchAll(VARIABLE)) names.add(m[1]!.toLowerCase());
  return [...names];
}

/** Variables used at least once without a fallback: those a recipient lacking them cannot be sent. */
export function variablesWithoutFallback(...parts: (string | null | undefined)[]): string[] {
  const names = new Set<string>();
  for (const part of parts) for (const m of (part ?? "").matchAll(VARIABLE)) if (m[2] === undefined) names.add(m[1]!.toLowerCase());
  return [...names];
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A template cut at its variables: the text between them, and each one's (lower-case) name and fallback. */
interface Compiled {
  between: string[];
  names: string[];
  fallbacks: (string | undefined)[];
}

function compile(template: string): Compiled {
  const compiled: Compiled = { between: [], names: [], fallbacks: [] };
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    compiled.between.push(template.slice(last, m.index));
    compiled.names.push(m[1]!.toLowerCase());
    compiled.fallbacks.push(m[2]);
    last = m.index + m[0].length;
  }
  compiled.between.push(template.slice(last));
  return compiled;
}

/** Fills every {{variable}} of a compiled template with what `substitute` gives for its name and fallback. */
function fill(template: Compiled, substitute: (name: string, fallback: string | undefined) => string): string {
  let out = template.between[0]!;
  for (let i = 0; i < template.names.length; i++) out += substitute(template.names[i]!, template.fallbacks[i]) + template.between[i + 1]!;
  return out;
}

/** A variable's value for one recipient (unescaped): its own, else the fallback, else empty and noted in `missing`. */
function valueOf(values: Record<string, string>, name: string, fallback: string | undefined, missing: Set<string>): string {
  // Own string values only: {{constructor}} must not find Object.prototype's.
  const value = Object.hasOwn(values, name) && typeof values[name] === "string" ? values[name] : undefined;
  if (value !== undefined && value !== "") return value;
  if (fallback !== undefined) return fallback.trim();
  missing.add(name);
  return "";
}

/** Plain text from HTML, with links as "text [url]", for templates whose text part is left empty (about a millisecond: `prepare` keeps it per template). */
export function textFromHtml(html: string): string {
  return htmlToText(html, {
    wordwrap: 78,
    selectors: [
      { selector: "a", options: { hideLinkHrefIfSameAsText: true, linkBrackets: ["[", "]"] } },
      { selector: "img", format: "skip" },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
    ],
  }).trim();
}

const FOOTER_STYLE = "margin:32px 0 0;padding-top:16px;border-top:1px solid #e2e8f0;font-size:12px;line-height:18px;color:#64748b;";
const LAYOUT_STYLE = "margin:0 auto;max-width:600px;padding:24px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#0f172a;";

/** Wraps content in the simple, table-free layout every message is sent in. */
function layout(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="margin:0;padding:0;background:#ffffff;"><div style="${LAYOUT_STYLE}">${body}</div></body></html>`;
}

/**
 * A variable can fill a link or an image address ({{website}}): whatever a contact's value is, an
 * address that is not http(s), mailto or tel becomes "#", so a CSV cell cannot plant javascript:.
 */
function safeUrls(html: string, keep: (url: string) => boolean = () => false): string {
  return html.replace(/(\s(?:href|src)=")([^"]*)"/gi, (whole, start: string, url: string) =>
    keep(url) || /^(https?:\/\/|mailto:|tel:|#)/i.test(url.replace(/&amp;/g, "&").trim()) ? whole : `${start}#"`,
  );
}

type Part = "html" | "text" | "subject";

/**
 * Builds a message from its parts the one way every path shares: the unsubscribe footer when the
 * template has no {{unsubscribe_url}}, the layout, safe link addresses, a text part, a one-line subject.
 */
function assemble(input: Pick<RenderInput, "subject" | "html" | "text">, substitute: (part: Part) => (name: string, fallback: string | undefined) => string, keepUrl?: (url: string) => boolean) {
  const sources = prepare(input);
  const html = layout(safeUrls(fill(sources.html, substitute("html")), keepUrl));
  const text = fill(sources.text, substitute("text"));
  const subject = fill(sources.subject, substitute("subject")).replace(/[\r\n]+/g, " ").trim();
  return { subject, html, text };
}

interface Prepared {
  input: Pick<RenderInput, "subject" | "html" | "text">;
  subject: Compiled;
  html: Compiled;
  text: Compiled;
}

/** The last few templates, prepared: a campaign renders the same one for every recipient. */
const prepared = new Map<string, Prepared>();
const PREPARED_KEPT = 16;

/** A template's three parts with the unsubscribe footer added where it lacks {{unsubscribe_url}}, cut at their variables. */
function prepare(input: Pick<RenderInput, "subject" | "html" | "text">): Prepared {
  const found = prepared.get(input.html);
  if (found && found.input.subject === input.subject && found.input.text === input.text) return found;
  // Every mail carries a way out: a template without {{unsubscribe_url}} gets a footer with it.
  const htmlSource = templateVariables(input.html).includes("unsubscribe_url")
    ? input.html
    : `${input.html}<p style="${FOOTER_STYLE}">Don't want these emails? <a href="{{unsubscribe_url}}" style="color:#64748b;">Unsubscribe</a>.</p>`;
  const textSource = input.text?.trim() ? input.text : textFromHtml(input.html);
  const textWithFooter = templateVariables(textSource).includes("unsubscribe_url") ? textSource : `${textSource}\n\n--\nUnsubscribe: {{unsubscribe_url}}`;
  const made: Prepared = { input: { subject: input.subject, html: input.html, text: input.text }, subject: compile(input.subject), html: compile(htmlSource), text: compile(textWithFooter) };
  if (prepared.size >= PREPARED_KEPT) prepared.delete(prepared.keys().next().value!);
  prepared.set(input.html, made);
  return made;
}

export function renderMessage(input: RenderInput): RenderedMessage {
  const missing = new Set<string>();
  const values = { ...input.values, unsubscribe_url: input.unsubscribeUrl };
  const message = assemble(input, (part) => (name, fallback) => {
    const value = valueOf(values, name, fallback, missing);
    return part === "html" ? escapeHtml(value) : value;
  });
  return { ...message, missing: [...missing] };
}

/**
 * The same message as `renderMessage` gives, as one template for SES's SendBulkEmail: each variable
 * becomes a raw {{{slot}}} that `bulkValues` fills per recipient, escaped the way `renderMessage`
 * escapes it. Null when SES could not produce the very same mail: a link whose whole address is a
 * variable (checked per recipient in the one-by-one path), or braces SES would read as its own.
 */
export interface BulkMessage {
  subject: string;
  html: string;
  text: string;
  slots: { key: string; part: Part; name: string; fallback: string | undefined }[];
  /** The slot of the unsubscribe link in the HTML part. */
  unsubscribeSlot: string | null;
}

export function renderBulkTemplate(input: Pick<RenderInput, "subject" | "html" | "text">): BulkMessage | null {
  const slots: BulkMessage["slots"] = [];
  const byUse = new Map<string, string>();
  let variableAddress = false;
  const message = assemble(
    input,
    (part) => (name, fallback) => {
      const use = `${part}\u0000${name}\u0000${fallback ?? "\u0001"}`;
      let key = byUse.get(use);
      if (!key) {
        key = `v${slots.length}`;
        byUse.set(use, key);
        slots.push({ key, part, name, fallback });
      }
      return `{{{${key}}}}`;
    },
    (url) => {
      if (!url.startsWith("{{{")) return false;
      if (/^\{\{\{v\d+\}\}\}$/.test(url) && slots.find((s) => `{{{${s.key}}}}` === url)?.name === "unsubscribe_url") return true;
      // An address that starts with a variable is checked against each recipient's value; SES cannot.
      variableAddress = true;
      return false;
    },
  );
  if (variableAddress) return null;
  const unsubscribeSlot = slots.find((s) => s.part === "html" && s.name === "unsubscribe_url")?.key ?? null;
  for (const part of [message.subject, message.html, message.text]) {
    const rest = part.replace(/\{\{\{v\d+\}\}\}/g, "");
    if (rest.includes("{{") || rest.includes("}}") || /\\\{\{\{v\d+/.test(part)) return null;
  }
  return { ...message, slots, unsubscribeSlot };
}

/** One recipient's values for a bulk template's slots, and the variables it has no value for. */
export function bulkValues(template: BulkMessage, values: Record<string, string>, unsubscribeUrl: string): { data: Record<string, string>; missing: string[] } {
  const missing = new Set<string>();
  const all = { ...values, unsubscribe_url: unsubscribeUrl };
  const data: Record<string, string> = {};
  for (const slot of template.slots) {
    const value = valueOf(all, slot.name, slot.fallback, missing);
    data[slot.key] = slot.part === "html" ? escapeHtml(value) : slot.part === "subject" ? value.replace(/[\r\n]+/g, " ") : value;
  }
  return { data, missing: [...missing] };
}
