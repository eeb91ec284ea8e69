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

function fill(template: string, values: Record<string, string>, missing: Set<string>, escape: (v: string) => string): string {
  return template.replace(VARIABLE, (_, rawName: string, fallback: string | undefined) => {
    const name = rawName.toLowerCase();
    // Own string values only: {{constructor}} must not find Object.prototype's.
    const value = Object.hasOwn(values, name) && typeof values[name] === "string" ? values[name] : undefined;
    if (value !== undefined && value !== "") return escape(value);
    if (fallback !== undefined) return escape(fallback.trim());
    missing.add(name);
    return "";
  });
}

/** Plain text from HTML, with links as "text [url]", for templates whose text part is left empty. */
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
function safeUrls(html: string): string {
  return html.replace(/(\s(?:href|src)=")([^"]*)"/gi, (whole, start: string, url: string) =>
    /^(https?:\/\/|mailto:|tel:|#)/i.test(url.replace(/&amp;/g, "&").trim()) ? whole : `${start}#"`,
  );
}

export function renderMessage(input: RenderInput): RenderedMessage {
  const missing = new Set<string>();
  const values = { ...input.values, unsubscribe_url: input.unsubscribeUrl };
  const usesUnsubscribe = templateVariables(input.html).includes("unsubscribe_url");
  // Every mail carries a way out: a template without {{unsubscribe_url}} gets a footer with it.
  const htmlSource = usesUnsubscribe
    ? input.html
    : `${input.html}<p style="${FOOTER_STYLE}">Don't want these emails? <a href="{{unsubscribe_url}}" style="color:#64748b;">Unsubscribe</a>.</p>`;
  const html = layout(safeUrls(fill(htmlSource, values, missing, escapeHtml)));
  const textSource = input.text?.trim() ? input.text : textFromHtml(input.html);
  const textWithFooter = templateVariables(textSource).includes("unsubscribe_url") ? textSource : `${textSource}\n\n--\nUnsubscribe: {{unsubscribe_url}}`;
  const text = fill(textWithFooter, values, missing, (v) => v);
  const subject = fill(input.subject, values, missing, (v) => v).replace(/[\r\n]+/g, " ").trim();
  return { subject, html, text, missing: [...missing] };
}
