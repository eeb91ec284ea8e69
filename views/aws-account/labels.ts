import type { AccountChange, ChangeField } from "../../src/features/aws-account/model";
import { accountStatusWord, type StatusWord } from "../credentials/labels";

/** ReviewDetails.Status of a production-access request. */
const REVIEW: Record<string, StatusWord> = {
  PENDING: { label: "Being reviewed by AWS", tone: "amber" },
  GRANTED: { label: "Granted", tone: "green" },
  DENIED: { label: "Denied", tone: "red" },
  FAILED: { label: "Could not be processed", tone: "red" },
};

export const reviewWord = (status: string): StatusWord => REVIEW[status] ?? { label: "Unknown", tone: "amber" };

/** What each review status means for the person who asked. */
export function reviewAdvice(status: string): string {
  if (status === "PENDING") return "AWS usually answers within a day, by email to the account's contacts; this page shows the answer once SES reports it.";
  if (status === "DENIED") return "AWS turned the request down. Its email explains why; answer it through the support case, or send a new request with more detail.";
  if (status === "FAILED") return "AWS could not process the request. Send it again; if it fails again, open the support case in the AWS console.";
  return "";
}

const FIELD_LABEL: Record<ChangeField, string> = {
  enforcementStatus: "Account status",
  sendingEnabled: "Sending",
  productionAccess: "Access",
  reviewStatus: "Production access request",
  vdmEnabled: "Virtual Deliverability Manager",
  maxSendRate: "Sending limit",
  max24HourSend: "24-hour quota",
};

/** A status word inside a sentence: "Being reviewed by AWS" → "being reviewed by AWS". */
export const inSentence = (label: string) => label.charAt(0).toLowerCase() + label.slice(1);

function valueWord(field: ChangeField, value: string | number | boolean | null): string {
  if (value === null) return field === "reviewStatus" ? "not sent" : "unknown";
  switch (field) {
    case "enforcementStatus":
      return accountStatusWord(String(value)).label;
    case "sendingEnabled":
      return value ? "on" : "paused";
    case "productionAccess":
      return value ? "production" : "sandbox";
    case "reviewStatus":
      return inSentence(reviewWord(String(value)).label);
    case "vdmEnabled":
      return value ? "on" : "off";
    case "maxSendRate":
      return `${Number(value).toLocaleString("en", { maximumFractionDigits: 2 })} per second`;
    case "max24HourSend":
      return Number(value).toLocaleString("en");
  }
}

/** "Account status: Healthy → Under review" for each change of one reading. */
export function changeLines(change: AccountChange): string[] {
  return change.changes.map((c) => `${FIELD_LABEL[c.field]}: ${valueWord(c.field, c.from)} → ${valueWord(c.field, c.to)}`);
}

/** Virtual Deliverability Manager's metrics in words. */
export const METRIC_LABEL: Record<string, string> = {
  SEND: "Sent",
  DELIVERY: "Delivered",
  PERMANENT_BOUNCE: "Permanent bounces",
  TRANSIENT_BOUNCE: "Transient bounces",
  COMPLAINT: "Complaints",
  OPEN: "Opens",
  CLICK: "Clicks",
};

/** Recommendation types (RecommendationType) in words. */
const RECOMMENDATION_TYPE: Record<string, string> = {
  DKIM: "DKIM signing",
  SPF: "SPF record",
  DMARC: "DMARC policy",
  BIMI: "BIMI logo",
  COMPLAINT: "Complaints",
  BOUNCE: "Bounces",
  FEEDBACK_3P: "Mailbox provider feedback",
  IP_LISTING: "IP address on a block list",
};

export const recommendationTypeWord = (type: string) => RECOMMENDATION_TYPE[type] ?? type;

export const impactWord = (impact: string): StatusWord =>
  impact === "HIGH" ? { label: "High impact", tone: "red" } : impact === "LOW" ? { label: "Low impact", tone: "amber" } : { label: "Impact unknown", tone: "gray" };

export const recommendationStatusWord = (status: string): StatusWord =>
  status === "FIXED" ? { label: "Fixed", tone: "green" } : status === "OPEN" ? { label: "Open", tone: "amber" } : { label: "Unknown", tone: "gray" };

/** A configuration set the workspace names but this region lacks (sets are per region). */
export function configurationSetMissing(name: string): string {
  return `The configuration set ${name} does not exist in this region (configuration sets are per region). Run the set-up on the Connection page again.`;
}
