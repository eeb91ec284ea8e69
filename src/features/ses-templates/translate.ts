import { Invalid } from "../../lib/errors";

/**
 * Sesame's templates and SES's stored templates say the same things differently.
 *
 * Sesame: `{{name}}` and `{{name|fallback}}` (src/features/templates/render.ts), names looked up
 * case-insensitively, values HTML-escaped in the HTML part, a fallback used when the value is
 * missing or empty, any other braces left as they are.
 *
 * SES: Handlebars. `{{name}}` is the value; `{{#if name}}{{name}}{{else}}fallback{{/if}}` is the
 * fallback (Handlebars' #if is false for a missing or empty value, and SES's test render accepts a
 * missing value inside #if where it refuses a bare one); `\{{` is a literal "{{". SES does not
 * escape values in the HTML part: "SES doesn't escape HTML content when rendering the HTML template
 * for a message", so user input must be escaped by whoever sends (Amazon SES Developer Guide,
 * "Advanced email personalization",
 * https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-advanced.html). `{{name}}` and
 * `{{{name}}}` therefore render the same in SES, and an import reads both as Sesame's `{{name}}`.
 *
 * Publishing writes Handlebars that renders what Sesame renders, except that escaping: Sesame's
 * sends escape values in the HTML, and whoever sends with the SES template must escape those of
 * htmlVariables themselves (the publish says so). Importing reads back only what Sesame can
 * represent and refuses the rest by name, so an import never renders differently.
 */

export type Part = "subject" | "html" | "text";

/** The same grammar as render.ts's VARIABLE: a name, and an optional fallback without braces. */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}]*?))?\s*\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Names Handlebars never reads as a value: its literals and keywords, and its built-in helpers,
 * which `{{log}}` or `{{lookup}}` would call instead of inserting the value of that name. Compared
 * in lower case: publishing writes names so, and Sesame's {{Log}} would become SES's {{log}}.
 */
const HANDLEBARS_WORDS = new Set([
  "else",
  "this",
  "true",
  "false",
  "null",
  "undefined",
  "if",
  "unless",
  "each",
  "with",
  "lookup",
  "log",
  "helpermissing",
  "blockhelpermissing",
]);

/** Whether Handlebars would read `name` as something other than the value of that name. */
export function isHandlebarsWord(name: string): boolean {
  return HANDLEBARS_WORDS.has(name.toLowerCase());
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function unescapeHtml(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** Handlebars reads a "\" right before "{{" as an escape: a literal backslash there is written twice. */
function beforeMustache(literal: string): string {
  return literal.endsWith("\\") ? `${literal}\\` : literal;
}

function shorten(construct: string): string {
  const flat = construct.replace(/\s+/g, " ");
  return flat.length > 40 ? `${flat.slice(0, 37)}…` : flat;
}

function listed(items: string[]): string {
  const shown = items.slice(0, 5);
  const rest = items.length - shown.length;
  return shown.join(", ") + (rest > 0 ? ` and ${rest} more` : "");
}

/** One part of a Sesame template as SES's Handlebars, with what cannot be written that way. */
function partToSes(source: string, part: Part, problems: Set<string>): string {
  let out = "";
  let last = 0;
  let previousWasVariable = false;
  for (const match of source.matchAll(VARIABLE)) {
    const literal = source.slice(last, match.index);
    out += literalToSes(literal, previousWasVariable, true, problems);
    const name = match[1]!.toLowerCase();
    if (isHandlebarsWord(name)) problems.add(`{{${match[1]}}} (a word SES's templates reserve)`);
    const fallback = match[2];
    if (fallback === undefined) {
      out += `{{${name}}}`;
    } else {
      const text = part === "html" ? escapeHtml(fallback.trim()) : fallback.trim();
      out += text ? `{{#if ${name}}}{{${name}}}{{else}}${beforeMustache(text)}{{/if}}` : `{{#if ${name}}}{{${name}}}{{/if}}`;
    }
    last = match.index + match[0].length;
    previousWasVariable = true;
  }
  out += literalToSes(source.slice(last), previousWasVariable, false, problems);
  return out;
}

function literalToSes(literal: string, afterVariable: boolean, beforeVariable: boolean, problems: Set<string>): string {
  if (literal.includes("\\{{")) problems.add("a backslash right before {{");
  // A brace touching a variable would make SES read {{{name}}}, its unescaped form, or fail to parse.
  if ((afterVariable && literal.startsWith("}")) || (beforeVariable && literal.endsWith("{"))) problems.add("a { or } right next to a variable");
  const escaped = literal.replace(/\{\{/g, "\\{{");
  return beforeVariable ? beforeMustache(escaped) : escaped;
}

/** The variables of a Sesame template's HTML, as published (lower case): SES inserts their values there unescaped. */
export function htmlVariables(html: string): string[] {
  return [...new Set(Array.from(html.matchAll(VARIABLE), (match) => match[1]!.toLowerCase()))];
}

/** A Sesame template's parts as an SES stored template's. Refuses, naming them, what SES would read differently. */
export function toSes(template: { subject: string; html: string; text: string | null }): { subject: string; html: string; text: string } {
  const problems = new Set<string>();
  const out = {
    subject: partToSes(template.subject, "subject", problems),
    html: partToSes(template.html, "html", problems),
    text: template.text ? partToSes(template.text, "text", problems) : "",
  };
  if (problems.size) {
    throw new Invalid(`SES would read this template differently because of ${listed([...problems])}. Change that in the template, then publish it.`, "ses_translation", "templateId");
  }
  return out;
}

const IF_FALLBACK = /\{\{#if\s+([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}(?:\{\{\s*else\s*\}\}([^{}]*))?\{\{\/if\s*\}\}/y;
const SESAME_VARIABLE_AT = /^\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:\|[^{}]*?)?\s*\}\}/;

/** One part of an SES template in Sesame's syntax; constructs Sesame cannot represent go to `problems`. */
function partFromSes(source: string, part: Part, problems: Set<string>, names: Set<string>): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{{", i);
    if (open < 0) {
      out += source.slice(i);
      break;
    }
    let literal = source.slice(i, open);
    if (literal.endsWith("\\\\")) {
      literal = literal.slice(0, -1);
    } else if (literal.endsWith("\\")) {
      // "\{{" is a literal "{{": fine unless Sesame would read what follows as one of its variables.
      if (SESAME_VARIABLE_AT.test(source.slice(open))) problems.add(shorten(`\\${source.slice(open, source.indexOf("}}", open) + 2)}`));
      out += `${literal.slice(0, -1)}{{`;
      i = open + 2;
      continue;
    }
    out += literal;

    if (source.startsWith("{{!--", open)) {
      const end = source.indexOf("--}}", open + 5);
      if (end < 0) {
        problems.add("an unclosed {{!-- comment");
        break;
      }
      i = end + 4;
      continue;
    }
    if (source.startsWith("{{!", open)) {
      const end = source.indexOf("}}", open + 3);
      if (end < 0) {
        problems.add("an unclosed {{! comment");
        break;
      }
      i = end + 2;
      continue;
    }
    if (source.startsWith("{{{", open)) {
      const end = source.indexOf("}}}", open + 3);
      if (end < 0) {
        problems.add("an unclosed {{{");
        break;
      }
      const inner = source.slice(open + 3, end).trim();
      // SES inserts {{name}} unescaped too, so {{{name}}} renders the same in every part.
      if (NAME.test(inner) && !isHandlebarsWord(inner)) {
        out += `{{${inner}}}`;
        names.add(inner);
      } else {
        problems.add(shorten(`{{{${inner}}}}`));
      }
      i = end + 3;
      continue;
    }

    IF_FALLBACK.lastIndex = open;
    const fallback = IF_FALLBACK.exec(source);
    if (fallback && fallback[1] === fallback[2] && !isHandlebarsWord(fallback[1]!)) {
      let text = fallback[3] ?? "";
      if (text.endsWith("\\\\")) text = text.slice(0, -1);
      else if (text.endsWith("\\")) problems.add(shorten(fallback[0]));
      if (part === "html") {
        if (/[<>]/.test(text)) problems.add(`${shorten(fallback[0])} (markup in a fallback)`);
        text = unescapeHtml(text);
      }
      out += `{{${fallback[1]}|${text.trim()}}}`;
      names.add(fallback[1]!);
      i = open + fallback[0].length;
      continue;
    }

    const end = source.indexOf("}}", open + 2);
    if (end < 0) {
      problems.add("an unclosed {{");
      break;
    }
    const inner = source.slice(open + 2, end).trim();
    if (NAME.test(inner) && !isHandlebarsWord(inner)) {
      out += `{{${inner}}}`;
      names.add(inner);
    } else if (!/^(\/|else\b)/.test(inner)) {
      // Closing tags and {{else}} belong to a block already named.
      problems.add(shorten(`{{${inner}}}`));
    }
    i = end + 2;
  }
  return out;
}

/**
 * An SES stored template's parts in Sesame's syntax. Refuses, naming each one, the constructs
 * Sesame's renderer has no equivalent for ({{#each}}, partials, helpers, paths, …) rather than
 * importing a template that would render differently.
 */
export function fromSes(template: { subject: string; html: string; text: string }): { subject: string; html: string; text: string | null } {
  const problems = new Set<string>();
  const names = new Set<string>();
  const out = {
    subject: partFromSes(template.subject, "subject", problems, names),
    html: partFromSes(template.html, "html", problems, names),
    text: template.text ? partFromSes(template.text, "text", problems, names) : null,
  };
  const byLower = new Map<string, string>();
  for (const name of names) {
    const other = byLower.get(name.toLowerCase());
    if (other && other !== name) problems.add(`{{${other}}} and {{${name}}} (Sesame does not tell capitals apart in names)`);
    byLower.set(name.toLowerCase(), name);
  }
  if (problems.size) {
    throw new Invalid(
      `Sesame cannot import this template: it uses ${listed([...problems])}, which Sesame's templates cannot represent (they know {{name}} and {{name|fallback}}). Change it in SES, or copy what you need into a new Sesame template.`,
      "ses_template_unsupported",
    );
  }
  return out;
}
