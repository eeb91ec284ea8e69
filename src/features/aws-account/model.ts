import type { ProductionAccessRequest } from "../../aws/account";
import type { AccountStatus } from "../../aws/ses";
import { Invalid } from "../../lib/errors";

/** What the production-access form sends; additional addresses come as a list or as one text of several. */
export interface ProductionAccessInput {
  mailType: string;
  websiteUrl: string;
  useCaseDescription: string;
  contactLanguage: string;
  additionalContactEmails?: string | string[];
}

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/** SES's own limits on the request (PutAccountDetails): a use case of at most 5,000 characters, up to 4 more addresses. */
export const USE_CASE_MAX = 5000;
export const EXTRA_CONTACTS_MAX = 4;
/** Sesame's own floor, not SES's (its model sets no minimum): a use case AWS can review takes a few sentences. */
export const USE_CASE_MIN = 50;

/** Checks the form before anything reaches AWS: every refusal names its field. */
export function checkProductionAccess(input: ProductionAccessInput): ProductionAccessRequest {
  if (input.mailType !== "MARKETING" && input.mailType !== "TRANSACTIONAL") {
    throw new Invalid("Choose the kind of mail you send: marketing or transactional.", "invalid_mail_type", "mailType");
  }
  const websiteUrl = input.websiteUrl.trim();
  let url: URL | null = null;
  try {
    url = new URL(websiteUrl);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || !url.hostname.includes(".") || websiteUrl.length > 1000) {
    throw new Invalid("Enter your website's address, starting with https://, so AWS can see who sends the mail.", "invalid_website_url", "websiteUrl");
  }
  // The SDK model marks UseCaseDescription optional and deprecated, but the contract's POST /aws/production-access takes it and AWS's reviewers still ask what you send.
  const useCaseDescription = input.useCaseDescription.trim();
  if (useCaseDescription.length < USE_CASE_MIN) {
    throw new Invalid(
      `Describe your use case in a few sentences: who your recipients are, how they signed up, how often you send, and how you handle bounces, complaints and unsubscribes. Sesame asks for at least ${USE_CASE_MIN} characters so AWS has enough to review.`,
      "use_case_too_short",
      "useCaseDescription",
    );
  }
  if (useCaseDescription.length > USE_CASE_MAX) {
    throw new Invalid(`SES accepts a use case of at most ${USE_CASE_MAX.toLocaleString("en")} characters; shorten it.`, "use_case_too_long", "useCaseDescription");
  }
  if (input.contactLanguage !== "EN" && input.contactLanguage !== "JA") {
    throw new Invalid("Choose English or Japanese: the languages AWS answers production-access requests in.", "invalid_contact_language", "contactLanguage");
  }
  const raw = Array.isArray(input.additionalContactEmails) ? input.additionalContactEmails.join(",") : (input.additionalContactEmails ?? "");
  const additionalContactEmails = [...new Set(raw.split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const wrong = additionalContactEmails.find((e) => !EMAIL.test(e) || e.length > 320);
  if (wrong) throw new Invalid(`"${wrong.slice(0, 80)}" is not an email address.`, "invalid_contact_email", "additionalContactEmails");
  if (additionalContactEmails.length > EXTRA_CONTACTS_MAX) {
    throw new Invalid(`SES takes at most ${EXTRA_CONTACTS_MAX} additional contact addresses.`, "too_many_contact_emails", "additionalContactEmails");
  }
  return { mailType: input.mailType, websiteUrl, useCaseDescription, contactLanguage: input.contactLanguage, additionalContactEmails };
}

/** One GetAccount read as Sesame keeps it (aws_account_samples). */
export interface AccountSample {
  at: Date;
  region: string;
  sendingEnabled: boolean;
  productionAccess: boolean;
  enforcementStatus: string;
  reviewStatus: string | null;
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
  vdmEnabled: boolean | null;
}

export function sampleOf(account: AccountStatus, region: string, at: Date): AccountSample {
  return {
    at,
    region,
    sendingEnabled: account.sendingEnabled,
    productionAccess: account.productionAccess,
    enforcementStatus: account.enforcementStatus,
    reviewStatus: account.details?.reviewStatus ?? null,
    maxSendRate: account.maxSendRate,
    max24HourSend: account.max24HourSend,
    sentLast24Hours: account.sentLast24Hours,
    vdmEnabled: account.vdmEnabled,
  };
}

/**
 * How often the background job reads each workspace's account, how often an unchanged reading is kept
 * anyway (the quota-over-time points), and how long readings are kept. A reading that differs from
 * the last one kept in standing or limits is always kept, so the history misses no change it saw.
 */
export const SAMPLING = {
  readEveryMs: 5 * 60_000,
  keepUnchangedEveryMs: 60 * 60_000,
  keepForMs: 90 * 86_400_000,
};

/** The parts of a reading whose change is an event in the account's history. */
export type ChangeField = "enforcementStatus" | "sendingEnabled" | "productionAccess" | "reviewStatus" | "vdmEnabled" | "maxSendRate" | "max24HourSend";

const CHANGE_FIELDS: ChangeField[] = ["enforcementStatus", "sendingEnabled", "productionAccess", "reviewStatus", "vdmEnabled", "maxSendRate", "max24HourSend"];

function differences(before: AccountSample, after: AccountSample): ChangeField[] {
  return CHANGE_FIELDS.filter((field) => before[field] !== after[field]);
}

/** Whether a new reading is kept: the first, any change, or the hourly point. */
export function worthKeeping(last: AccountSample | null, reading: AccountSample): boolean {
  if (!last) return true;
  if (differences(last, reading).length) return true;
  return reading.at.getTime() - last.at.getTime() >= SAMPLING.keepUnchangedEveryMs;
}

export interface AccountChange {
  at: Date;
  /** The first reading Sesame has: what the account was when Sesame started watching. */
  first: boolean;
  changes: { field: ChangeField; from: string | number | boolean | null; to: string | number | boolean | null }[];
  /** The whole reading, for the view to show the standing at that moment. */
  sample: AccountSample;
}

/** The changes observed between consecutive readings (oldest first in), newest first out. */
export function accountChanges(samples: AccountSample[]): AccountChange[] {
  const out: AccountChange[] = [];
  samples.forEach((sample, i) => {
    const before = samples[i - 1];
    if (!before) {
      out.push({ at: sample.at, first: true, changes: [], sample });
      return;
    }
    const fields = differences(before, sample);
    if (fields.length) out.push({ at: sample.at, first: false, changes: fields.map((field) => ({ field, from: before[field], to: sample[field] })), sample });
  });
  return out.reverse();
}

/** A configuration set as the Account and Reputation pages see it. */
export type ConfigurationSetState =
  | { status: "not_set_up" }
  | { status: "missing"; name: string }
  | { status: "error"; name: string; error: string }
  | { status: "ready"; name: string; sendingEnabled: boolean; reputationMetricsEnabled: boolean; lastFreshStart: Date | null };

/** How many days of Virtual Deliverability Manager metrics the Reputation page shows. */
export const VDM_DAYS = [7, 14] as const;
export type VdmDays = (typeof VDM_DAYS)[number];
export const vdmDays = (raw: unknown): VdmDays => (Number(raw) === 14 ? 14 : 7);
