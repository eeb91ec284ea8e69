import { Invalid } from "../../lib/errors";

/** SES template names: letters, digits, hyphens and underscores, at most 64 characters. */
export const SES_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const SES_NAME_MAX = 64;
/** SES refuses a template larger than 500 KB, its subject, HTML and text parts together. */
export const SES_TEMPLATE_MAX_BYTES = 500 * 1024;
/** SES's own limit on TemplateData is larger; a test render needs far less. */
export const TEMPLATE_DATA_MAX_BYTES = 256 * 1024;

export interface SesTemplateSummary {
  name: string;
  createdAt: Date | null;
}

/** A template stored in SES: Handlebars in each part. `text` is empty when SES holds no text part. */
export interface SesTemplateView {
  name: string;
  subject: string;
  html: string;
  text: string;
}

export interface SesTemplateInput {
  name: string;
  subject: string;
  html?: string | null;
  text?: string | null;
}

/** Where a Sesame template was published: the SES template's region and name, and when. */
export interface SesPublication {
  region: string;
  name: string;
  publishedAt: Date;
}

export interface PublishInput {
  templateId: string;
  /** The SES template's name; by default the one it was published as before, else one made from the Sesame template's name. */
  name?: string | null;
  /** Replace an SES template of that name that was not published from this Sesame template. */
  overwrite?: boolean;
}

export interface PublishResult {
  name: string;
  region: string;
  /** Sentences the person must read before sending with the SES template (e.g. that SES does not escape values in the HTML). */
  warnings: string[];
}

export interface RenderResult {
  subject: string;
  html: string;
  text: string;
}

export function checkSesName(raw: string, field = "name"): string {
  const name = raw.trim();
  if (!name) throw new Invalid("Give the SES template a name.", "invalid_ses_template_name", field);
  if (!SES_NAME.test(name)) {
    throw new Invalid(
      `An SES template name is at most ${SES_NAME_MAX} characters of letters, digits, hyphens (-) and underscores (_).`,
      "invalid_ses_template_name",
      field,
    );
  }
  return name;
}

/** An SES name made from a Sesame template's name: "Spring news!" → "spring-news". */
export function sesNameFor(sesameName: string): string {
  const slug = sesameName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SES_NAME_MAX)
    .replace(/-+$/, "");
  return slug || "sesame-template";
}

/** Refuses a template SES would refuse for its size, before asking SES. */
export function checkSesSize(parts: { subject: string; html: string; text: string }): void {
  const bytes = Buffer.byteLength(parts.subject) + Buffer.byteLength(parts.html) + Buffer.byteLength(parts.text);
  if (bytes > SES_TEMPLATE_MAX_BYTES) {
    throw new Invalid(
      `SES stores templates of up to 500 KB (subject, HTML and text together); this one is ${Math.ceil(bytes / 1024).toLocaleString("en")} KB. Shorten it.`,
      "ses_template_too_large",
      "html",
    );
  }
}

/**
 * The templates table keeps one text column for the link: "region/name". SES keeps templates per
 * region, so a name alone would make a same-named template in another region look like this
 * template's own publication, and publishing there would overwrite it silently.
 */
export function sesLink(region: string, name: string): string {
  return `${region}/${name}`;
}

export function parseSesLink(value: string | null): { region: string; name: string } | null {
  if (!value) return null;
  const slash = value.indexOf("/");
  if (slash <= 0) return null;
  return { region: value.slice(0, slash), name: value.slice(slash + 1) };
}

/** The JSON object a test render fills the template with, checked before SES sees it. */
export function checkTemplateData(raw: string): string {
  const text = raw.trim() || "{}";
  if (Buffer.byteLength(text) > TEMPLATE_DATA_MAX_BYTES) throw new Invalid("The test data is larger than 256 KB.", "template_data_too_large", "data");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Invalid('The test data is not valid JSON. Write it as an object, e.g. {"name": "Alex"}.', "invalid_template_data", "data");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Invalid('The test data must be a JSON object, e.g. {"name": "Alex"}.', "invalid_template_data", "data");
  }
  return text;
}
