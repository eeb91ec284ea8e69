import {
  CreateEmailTemplateCommand,
  DeleteEmailTemplateCommand,
  GetEmailTemplateCommand,
  ListEmailTemplatesCommand,
  TestRenderEmailTemplateCommand,
  UpdateEmailTemplateCommand,
} from "@aws-sdk/client-sesv2";
import type { Config } from "../config";
import { callAws as call, type AwsKeys } from "./client";
import { awsFailure, unreadableAnswer } from "./errors";
import { sesClient } from "./ses";

/** A template stored in SES, as SES keeps it: Handlebars in every part. */
export interface StoredTemplate {
  name: string;
  subject: string;
  html: string;
  text: string;
}

export interface StoredTemplateSummary {
  name: string;
  createdAt: Date | null;
}

/** What SES's test render gave: the parts of the message it built, already decoded. */
export interface RenderedTemplate {
  subject: string;
  html: string;
  text: string;
}

/** More than any account keeps (SES's default quota is 10,000 templates a region): a bound on the paging loop. */
const MAX_PAGES = 200;

/**
 * Every template of the account and region, each once. Paging stops at MAX_PAGES, and at a NextToken
 * already followed: asking again would only bring the same pages back (an answer replayed by a cache
 * or proxy in between, or a fault on AWS's side), so what came so far is the list.
 */
export async function listStoredTemplates(config: Config, keys: AwsKeys): Promise<StoredTemplateSummary[]> {
  const client = sesClient(config, keys);
  const items = new Map<string, StoredTemplateSummary>();
  const followed = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    if (token) followed.add(token);
    const page = await call(keys, "ses:ListEmailTemplates", () => client.send(new ListEmailTemplatesCommand({ NextToken: token, PageSize: 100 })));
    if (!page.TemplatesMetadata) throw unreadableAnswer(keys, "ses:ListEmailTemplates", "TemplatesMetadata", page);
    for (const item of page.TemplatesMetadata) {
      if (item.TemplateName && !items.has(item.TemplateName)) items.set(item.TemplateName, { name: item.TemplateName, createdAt: item.CreatedTimestamp ?? null });
    }
    token = page.NextToken || undefined;
  } while (token && !followed.has(token) && ++pages < MAX_PAGES);
  return [...items.values()];
}

export async function getStoredTemplate(config: Config, keys: AwsKeys, name: string): Promise<StoredTemplate> {
  const out = await call(keys, "ses:GetEmailTemplate", () => sesClient(config, keys).send(new GetEmailTemplateCommand({ TemplateName: name })));
  if (!out.TemplateContent) throw unreadableAnswer(keys, "ses:GetEmailTemplate", "TemplateContent", out);
  return { name: out.TemplateName ?? name, subject: out.TemplateContent.Subject ?? "", html: out.TemplateContent.Html ?? "", text: out.TemplateContent.Text ?? "" };
}

function content(template: StoredTemplate) {
  // An empty part is left out rather than stored empty: SES then sends the message without it.
  return { Subject: template.subject, ...(template.html ? { Html: template.html } : {}), ...(template.text ? { Text: template.text } : {}) };
}

/** Stores a new template; "exists" when SES already has one of that name (nothing is changed then). */
export async function createStoredTemplate(config: Config, keys: AwsKeys, template: StoredTemplate): Promise<"created" | "exists"> {
  try {
    await sesClient(config, keys).send(new CreateEmailTemplateCommand({ TemplateName: template.name, TemplateContent: content(template) }));
    return "created";
  } catch (err) {
    if ((err as Error).name === "AlreadyExistsException") return "exists";
    throw awsFailure(err, { keys, action: "ses:CreateEmailTemplate" });
  }
}

export async function updateStoredTemplate(config: Config, keys: AwsKeys, template: StoredTemplate): Promise<void> {
  await call(keys, "ses:UpdateEmailTemplate", () =>
    sesClient(config, keys).send(new UpdateEmailTemplateCommand({ TemplateName: template.name, TemplateContent: content(template) })),
  );
}

export async function deleteStoredTemplate(config: Config, keys: AwsKeys, name: string): Promise<void> {
  await call(keys, "ses:DeleteEmailTemplate", () => sesClient(config, keys).send(new DeleteEmailTemplateCommand({ TemplateName: name })));
}

/** SES renders the stored template with `data` (a JSON object) and answers with the whole MIME message. */
export async function testRenderStoredTemplate(config: Config, keys: AwsKeys, name: string, data: string): Promise<RenderedTemplate> {
  const out = await call(keys, "ses:TestRenderEmailTemplate", () =>
    sesClient(config, keys).send(new TestRenderEmailTemplateCommand({ TemplateName: name, TemplateData: data })),
  );
  if (typeof out.RenderedTemplate !== "string") throw unreadableAnswer(keys, "ses:TestRenderEmailTemplate", "RenderedTemplate", out);
  return readRenderedMessage(out.RenderedTemplate);
}

// ---------------------------------------------------------------------------------------------
// The MIME message TestRenderEmailTemplate answers with. Only what SES builds is read: headers with
// RFC 2047 encoded words, a single text part or multipart/* (nested), and 7bit, 8bit,
// quoted-printable or base64 bodies in any charset TextDecoder knows.

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

function splitPart(raw: string): MimePart {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : "";
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function headerParam(value: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(value);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function decoder(charset: string | null): TextDecoder {
  try {
    return new TextDecoder(charset ?? "utf-8");
  } catch {
    return new TextDecoder("utf-8");
  }
}

/** Bytes of a quoted-printable text: soft line breaks dropped, =XX decoded, everything else as it is. */
function quotedPrintable(text: string): Uint8Array {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === "=" ? joined.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...utf8.encode(joined[i]!));
    }
  }
  return new Uint8Array(bytes);
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const charset = headerParam(part.headers.get("content-type") ?? "", "charset");
  const body = part.body.replace(/\r?\n$/, "");
  if (encoding === "base64") return decoder(charset).decode(Buffer.from(body.replace(/\s+/g, ""), "base64"));
  if (encoding === "quoted-printable") return decoder(charset).decode(quotedPrintable(body));
  return body;
}

/** A header value with its =?charset?B|Q?…?= words decoded; blanks between two encoded words go. */
export function decodeHeader(value: string): string {
  return value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1").replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, kind: string, text: string) => {
    const bytes = kind.toUpperCase() === "B" ? Buffer.from(text, "base64") : quotedPrintable(text.replace(/_/g, " "));
    return decoder(charset).decode(bytes);
  });
}

function collect(part: MimePart, into: { html: string | null; text: string | null }): void {
  const type = part.headers.get("content-type") ?? "text/plain";
  const mediaType = type.split(";")[0]!.trim().toLowerCase();
  if (mediaType.startsWith("multipart/")) {
    const boundary = headerParam(type, "boundary");
    if (!boundary) return;
    const delimiter = `--${boundary}`;
    let current: string[] | null = null;
    for (const line of part.body.split(/\r?\n/)) {
      const bare = line.trimEnd();
      if (bare === delimiter || bare === `${delimiter}--`) {
        if (current) collect(splitPart(current.join("\r\n")), into);
        if (bare !== delimiter) return;
        current = [];
        continue;
      }
      current?.push(line);
    }
    if (current) collect(splitPart(current.join("\r\n")), into);
    return;
  }
  if (/attachment/i.test(part.headers.get("content-disposition") ?? "")) return;
  if (mediaType === "text/html" && into.html === null) into.html = decodeBody(part);
  else if (mediaType === "text/plain" && into.text === null) into.text = decodeBody(part);
}

/** The subject, HTML and text of a MIME message as SES's test render builds it. */
export function readRenderedMessage(mime: string): RenderedTemplate {
  const message = splitPart(mime);
  const parts = { html: null as string | null, text: null as string | null };
  collect(message, parts);
  return { subject: decodeHeader(message.headers.get("subject") ?? ""), html: parts.html ?? "", text: parts.text ?? "" };
}
