import type { Identity } from "../../aws/identities";
import { isEmail, normalizeEmail, parseSender } from "../../lib/email";
import { AppError, Invalid } from "../../lib/errors";
import { formatInZone, utcToZonedInput, zonedToUtc, zoneOffsetLabel } from "../../lib/zones";
import { chosenFiles, type ChosenFile } from "../attachments/model";
import type { CampaignCounts, CampaignStatus, CampaignView, RecipientStatus } from "./model";
import type { CampaignInput, Review, SendInput } from "./service";

/**
 * What the pages of campaigns need beyond the service: reading their forms (a browser's form posts
 * strings, and an unticked box posts nothing), turning the wall-clock time a person typed in their
 * own zone into an instant, and putting statuses and times into words.
 */

export type FormBody = Record<string, string | undefined>;

/** A refused field, shown next to it; `field` null is a problem with the whole form. */
export interface FieldError {
  field: string | null;
  message: string;
}

/** The campaign form as typed, so a refused save shows exactly what was sent with its error. */
export interface CampaignFormValues {
  name: string;
  templateId: string;
  listIds: string[];
  fromName: string;
  /** An address, or "@domain" when a verified domain was picked and `fromLocal` holds the part before the @. */
  fromAddress: string;
  fromLocal: string;
  replyTo: string;
  tracking: boolean;
  when: "now" | "later";
  /** What a datetime-local input holds: "2026-12-02T09:30", read in the person's zone. */
  sendAt: string;
  /** Files from the workspace's bucket, by key: the ticked ones go with the campaign. */
  attachments: ChosenFile[];
}

/** The send-one-email form as typed. */
export interface SendFormValues {
  fromName: string;
  fromAddress: string;
  fromLocal: string;
  to: string;
  templateId: string;
  subject: string;
  body: string;
  format: "text" | "html";
  when: "now" | "later";
  sendAt: string;
  attachments: ChosenFile[];
}

const LIST_FIELD = "list_";

function text(body: FormBody, name: string): string {
  const value = body[name];
  return typeof value === "string" ? value : "";
}

/** The name of the checkbox for one list; a form post keeps only one value per name, so each list has its own. */
export function listField(listId: string): string {
  return `${LIST_FIELD}${listId}`;
}

export function readCampaignForm(body: FormBody): CampaignFormValues {
  return {
    name: text(body, "name"),
    templateId: text(body, "templateId"),
    listIds: Object.keys(body)
      .filter((k) => k.startsWith(LIST_FIELD) && body[k])
      .map((k) => k.slice(LIST_FIELD.length)),
    fromName: text(body, "fromName"),
    fromAddress: text(body, "fromAddress"),
    fromLocal: text(body, "fromLocal"),
    replyTo: text(body, "replyTo"),
    tracking: Boolean(body.tracking),
    when: body.when === "later" ? "later" : "now",
    sendAt: text(body, "sendAt"),
    attachments: chosenFiles(body),
  };
}

export function readSendForm(body: FormBody): SendFormValues {
  return {
    fromName: text(body, "fromName"),
    fromAddress: text(body, "fromAddress"),
    fromLocal: text(body, "fromLocal"),
    to: text(body, "to"),
    templateId: text(body, "templateId"),
    subject: text(body, "subject"),
    body: text(body, "body"),
    format: body.format === "html" ? "html" : "text",
    when: body.when === "later" ? "later" : "now",
    sendAt: text(body, "sendAt"),
    attachments: chosenFiles(body),
  };
}

/** A new campaign's form: tracking on, sent when launched, the time field offering the next full hour. */
export function blankCampaignForm(zone: string, now: Date): CampaignFormValues {
  return { name: "", templateId: "", listIds: [], fromName: "", fromAddress: "", fromLocal: "", replyTo: "", tracking: true, when: "now", sendAt: nextHourInput(zone, now), attachments: [] };
}

export function blankSendForm(zone: string, now: Date): SendFormValues {
  return { fromName: "", fromAddress: "", fromLocal: "", to: "", templateId: "", subject: "", body: "", format: "text", when: "now", sendAt: nextHourInput(zone, now), attachments: [] };
}

function nextHourInput(zone: string, now: Date): string {
  const hour = 3600_000;
  return utcToZonedInput(new Date(Math.ceil((now.getTime() + 60_000) / hour) * hour), zone);
}

/** A saved campaign as its edit form shows it; the sender is split back into name and address. */
export function campaignForm(c: CampaignView, zone: string, now: Date, identities: Identity[] | null): CampaignFormValues {
  const sender = splitSender(c.from, identities);
  return {
    name: c.name,
    templateId: c.templateId ?? "",
    listIds: c.listIds,
    ...sender,
    replyTo: c.replyTo ?? "",
    tracking: c.tracking,
    when: c.scheduledAt ? "later" : "now",
    sendAt: c.scheduledAt ? utcToZonedInput(c.scheduledAt, zone) : nextHourInput(zone, now),
    attachments: c.attachments.map((a) => ({ key: a.key, filename: a.filename, size: a.size })),
  };
}

/** "Ana from Acme <ana@acme.com>" → name and address; an address under a verified domain is offered as that domain's choice. */
function splitSender(from: string, identities: Identity[] | null): Pick<CampaignFormValues, "fromName" | "fromAddress" | "fromLocal"> {
  const parsed = parseSender(from);
  if (!parsed) return { fromName: "", fromAddress: from, fromLocal: "" };
  const bracket = from.lastIndexOf("<");
  const fromName = bracket > 0 ? from.slice(0, bracket).trim().replace(/^"(.*)"$/, "$1").replace(/\\(["\\])/g, "$1") : "";
  const address = parsed.address;
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1);
  const ownIdentity = identities?.some((i) => i.name.toLowerCase() === address);
  if (identities && !ownIdentity && verifiedSenders(identities).domains.includes(domain)) {
    return { fromName, fromAddress: `@${domain}`, fromLocal: address.slice(0, at) };
  }
  return { fromName, fromAddress: address, fromLocal: "" };
}

/** The identities a campaign may send from: addresses as they are, domains as "any address at". */
export function verifiedSenders(identities: Identity[]): { addresses: string[]; domains: string[] } {
  const verified = identities.filter((i) => i.verificationStatus === "SUCCESS");
  return {
    addresses: verified.filter((i) => i.type === "EMAIL_ADDRESS").map((i) => i.name.toLowerCase()).sort(),
    domains: verified.filter((i) => i.type !== "EMAIL_ADDRESS").map((i) => i.name.toLowerCase()).sort(),
  };
}

/** The sender the service is given: "address" or "Name <address>", the name quoted when it holds what would break the header. */
export function senderOf(values: Pick<CampaignFormValues, "fromName" | "fromAddress" | "fromLocal">): string {
  const picked = values.fromAddress.trim();
  if (picked.startsWith("@")) {
    const local = values.fromLocal.trim();
    if (!local) throw new Invalid(`Enter the part of the address before ${picked}.`, "invalid_from", "fromLocal");
    if (local.includes("@")) throw new Invalid(`Enter only the part before the @ (the domain ${picked.slice(1)} is already chosen).`, "invalid_from", "fromLocal");
  }
  const address = picked.startsWith("@") ? `${values.fromLocal.trim()}${picked}` : picked;
  if (!address) throw new Invalid("Choose who the email is from.", "invalid_from", "fromAddress");
  if (!parseSender(address) || address.includes("<")) throw new Invalid(`"${address}" is not an email address. Enter it as name@example.com.`, "invalid_from", "fromAddress");
  const name = values.fromName.replace(/[\r\n]+/g, " ").trim();
  if (!name) return address;
  const quoted = /[^\w\s.'-]/.test(name) ? `"${name.replace(/["\\]/g, "\\$&")}"` : name;
  return `${quoted} <${address}>`;
}

/**
 * When to send: null for "when launched", or the instant the person's wall-clock time names in
 * their zone. A time that is not one, or one already past, is refused with a sentence.
 */
export function scheduleOf(values: { when: "now" | "later"; sendAt: string }, zone: string, now: Date): Date | null {
  if (values.when !== "later") return null;
  if (!values.sendAt.trim()) throw new Invalid("Enter the date and time to send it, or choose to send it now.", "invalid_scheduled_at", "sendAt");
  const at = zonedToUtc(values.sendAt, zone);
  if (!at) throw new Invalid("Enter the date and time as a day and a time, such as 2 December 2026, 09:30.", "invalid_scheduled_at", "sendAt");
  if (at.getTime() <= now.getTime()) {
    throw new Invalid(`${formatInZone(at, zone)} has already passed. Choose a later time, or send it now.`, "scheduled_in_past", "sendAt");
  }
  return at;
}

/** Every problem a form has at once, each for its field: a person fixes them in one go, not one per try. */
export class FormInvalid extends Invalid {
  constructor(readonly errors: FieldError[]) {
    super(errors[0]!.message, "invalid_form", errors[0]!.field ?? undefined);
  }
}

/** Runs one check, keeping its refusal among `errors` instead of stopping at it. */
function check<T>(errors: FieldError[], run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    const found = fieldErrorsOf(err);
    if (!found) throw err;
    errors.push(...found);
    return undefined;
  }
}

/** The campaign form as the service's input; what only the page can check is checked here, all of it at once. */
export function campaignInput(values: CampaignFormValues, zone: string, now: Date): CampaignInput {
  const errors: FieldError[] = [];
  if (!values.name.trim()) errors.push({ field: "name", message: "Give the campaign a name." });
  if (!values.templateId) errors.push({ field: "templateId", message: "Choose the template to send." });
  if (values.listIds.length === 0) errors.push({ field: "listIds", message: "Choose at least one list to send to." });
  const from = check(errors, () => senderOf(values));
  if (values.replyTo.trim() && !isEmail(normalizeEmail(values.replyTo))) errors.push({ field: "replyTo", message: "Enter the reply-to as one email address, or leave it empty." });
  const scheduledAt = check(errors, () => scheduleOf(values, zone, now));
  if (errors.length) throw new FormInvalid(errors);
  return {
    name: values.name,
    templateId: values.templateId,
    listIds: values.listIds,
    from,
    replyTo: values.replyTo.trim() || null,
    tracking: values.tracking,
    scheduledAt: scheduledAt ? scheduledAt.toISOString() : null,
  };
}

export function sendInput(values: SendFormValues, zone: string, now: Date): SendInput {
  const errors: FieldError[] = [];
  const from = check(errors, () => senderOf(values));
  const to = normalizeEmail(values.to);
  if (!to) errors.push({ field: "to", message: "Enter the address to send it to." });
  else if (!isEmail(to)) errors.push({ field: "to", message: `"${values.to.trim()}" is not an email address. Enter one address, such as name@example.com.` });
  if (!values.templateId) {
    if (!values.subject.trim()) errors.push({ field: "subject", message: "Give the email a subject, or choose a template." });
    if (!values.body.trim()) errors.push({ field: "body", message: "Write the message, or choose a template." });
  }
  const scheduledAt = check(errors, () => scheduleOf(values, zone, now));
  if (errors.length || !from) throw new FormInvalid(errors);
  const when = scheduledAt?.toISOString() ?? null;
  const attachments = values.attachments.length ? { attachments: values.attachments.map((a) => ({ key: a.key })) } : {};
  if (values.templateId) return { from, to, templateId: values.templateId, scheduledAt: when, ...attachments };
  return { from, to, subject: values.subject, ...(values.format === "html" ? { html: values.body } : { text: values.body }), scheduledAt: when, ...attachments };
}

/** The service names its fields by the API's words; the forms split some of them. */
const FORM_FIELDS: Record<string, string> = { from: "fromAddress", scheduledAt: "sendAt", html: "body", text: "body", variables: "templateId", key: "attachments", file: "attachments" };

/** A refusal as a form shows it (each problem next to its field), or null when it is not a refusal the form can show. */
export function fieldErrorsOf(error: unknown): FieldError[] | null {
  if (error instanceof FormInvalid) return error.errors;
  if (!(error instanceof AppError) || error.status !== 422) return null;
  return [{ field: error.field ? (FORM_FIELDS[error.field] ?? error.field) : null, message: error.message }];
}

/** "Wed 2 Dec, 09:30" (the year only when it is not this one), in `zone`. */
export function shortTime(at: Date, zone: string, now: Date): string {
  const full = formatInZone(at, zone, { withZone: false });
  const year = formatInZone(now, zone, { withZone: false }).match(/ (\d{4}),/)?.[1];
  return year ? full.replace(` ${year},`, ",") : full;
}

/** "Europe/Paris (UTC+01:00)": the zone a time is typed in, named beside it. */
export function zoneLabel(zone: string, at: Date): string {
  return `${zone} (${zoneOffsetLabel(zone, at)})`;
}

/** A campaign's status as people say it. */
export function statusInWords(c: Pick<CampaignView, "status" | "scheduledAt" | "holdUntil">, zone: string, now: Date): string {
  switch (c.status) {
    case "draft":
      return "Draft";
    case "scheduled":
      return c.scheduledAt ? `Scheduled for ${shortTime(c.scheduledAt, zone, now)}` : "Scheduled";
    case "running":
      return c.holdUntil && c.holdUntil.getTime() > now.getTime() ? "Waiting for the sending quota" : "Sending";
    case "paused":
      return "Paused";
    case "sent":
      return "Sent";
    case "cancelled":
      return "Cancelled";
  }
}

export const RECIPIENT_WORDS: Record<RecipientStatus, string> = {
  queued: "Waiting",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  opened: "Opened",
  clicked: "Clicked",
  bounced: "Bounced",
  complained: "Complained",
  failed: "Failed",
  unknown: "Unknown",
  suppressed: "Suppressed",
  cancelled: "Cancelled",
};

/** Where a campaign's sending stands: settled recipients against all of them. */
export function progressOf(counts: CampaignCounts): { settled: number; total: number; percent: number } {
  const settled = Math.max(0, counts.total - counts.queued - counts.sending);
  return { settled, total: counts.total, percent: counts.total ? Math.floor((settled * 100) / counts.total) : 0 };
}

/** Campaigns whose numbers still move by themselves: the page keeps asking while they are in one of these. */
export const LIVE: CampaignStatus[] = ["scheduled", "running", "paused"];

/** Whether the review found the 24-hour quota too small: launching then needs an explicit yes. */
export function quotaShort(review: Pick<Review, "quotaLeft" | "toSend">): boolean {
  return review.quotaLeft !== null && review.toSend > review.quotaLeft;
}

/** Notices a page shows once after a redirect, by code: the sentence is the page's, never the URL's. */
export const NOTICES = {
  launched: "Launched: Sesame is sending it now.",
  scheduled: "Scheduled: it starts by itself at the time shown.",
  saved: "Saved.",
  paused: "Paused. Nothing more is sent until you resume it.",
  resumed: "Resumed: sending again.",
  cancelled: "Cancelled. No one else will be mailed.",
  resent: "The recipients whose outcome was unknown are queued again.",
  sent: "Your email is on its way.",
  deleted: "Deleted.",
} as const;

export type NoticeCode = keyof typeof NOTICES;

export function noticeOf(code: unknown): string | null {
  return typeof code === "string" && code in NOTICES ? NOTICES[code as NoticeCode] : null;
}
