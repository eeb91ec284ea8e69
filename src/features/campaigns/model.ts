import { AppError } from "../../lib/errors";
import type { Attachment } from "../attachments/model";

/**
 * A campaign: draft → scheduled → running ⇄ paused → sent, or cancelled from any state before sent.
 * A running campaign whose recipients are all settled is "sent"; resending its unknown recipients
 * takes it back to running.
 */
export type CampaignStatus = "draft" | "scheduled" | "running" | "paused" | "sent" | "cancelled";
export const CAMPAIGN_STATUSES: CampaignStatus[] = ["draft", "scheduled", "running", "paused", "sent", "cancelled"];

const CAMPAIGN_MOVES: Record<CampaignStatus, CampaignStatus[]> = {
  draft: ["scheduled", "running", "cancelled"],
  scheduled: ["draft", "running", "cancelled"],
  running: ["paused", "sent", "cancelled"],
  paused: ["running", "cancelled"],
  sent: ["running"],
  cancelled: [],
};

export function canMove(from: CampaignStatus, to: CampaignStatus): boolean {
  return CAMPAIGN_MOVES[from].includes(to);
}

/** Campaigns whose content and audience may still change. */
export const EDITABLE: CampaignStatus[] = ["draft", "scheduled"];

/**
 * A recipient: queued → sending (claimed, its SES call under way) → sent with a message id, or
 * failed, suppressed, cancelled; "unknown" when its call may have reached SES but no answer was
 * recorded (a crash, a timeout). After the send, SES events and tracking hits move a row forward only:
 * sent → delivered → opened → clicked, with bounced and complained winning over those (and failed
 * when SES rejects a mail it had accepted). An SES event for an unknown row shows it was sent.
 */
export type RecipientStatus =
  | "queued"
  | "sending"
  | "sent"
  | "failed"
  | "unknown"
  | "suppressed"
  | "cancelled"
  | "delivered"
  | "opened"
  | "clicked"
  | "bounced"
  | "complained";
export const RECIPIENT_STATUSES: RecipientStatus[] = ["queued", "sending", "sent", "delivered", "opened", "clicked", "bounced", "complained", "failed", "unknown", "suppressed", "cancelled"];

/** Statuses of a mail SES accepted, whatever happened to it after. */
export const ACCEPTED: RecipientStatus[] = ["sent", "delivered", "opened", "clicked", "bounced", "complained"];

export const NAME_MAX = 200;

/** Destinations per SendBulkEmail call: SES's own limit. */
export const BULK_MAX = 50;

/** The counts GET /campaigns/:id reports. */
export interface CampaignCounts {
  total: number;
  queued: number;
  sending: number;
  sent: number;
  failed: number;
  unknown: number;
  suppressed: number;
  cancelled: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  humanOpened: number;
  humanClicked: number;
  /** Recipients whose only opens (clicks) were machines': privacy proxies, scanners, instant fetches. */
  machineOpened: number;
  machineClicked: number;
  unsubscribed: number;
  /** Mails SES rejected after accepting them, and delivery delays SES reported. */
  rejected: number;
  delayed: number;
  /** Unknown outcomes an SES event showed to have been sent. */
  settled: number;
}

export interface CampaignView {
  id: string;
  name: string;
  kind: "campaign" | "send";
  status: CampaignStatus;
  from: string;
  replyTo: string | null;
  subject: string;
  templateId: string | null;
  listIds: string[];
  tracking: boolean;
  scheduledAt: Date | null;
  launchedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  /** Why it is paused or waiting, as a sentence. */
  pauseReason: string | null;
  /** While waiting for the 24-hour quota: when it tries again. */
  holdUntil: Date | null;
  duplicates: number;
  /** True once every recipient row exists. */
  expanded: boolean;
  /** The reputation guard watches it (until a person resumes it past the guard). */
  guarded: boolean;
  /** Files from the workspace's S3 bucket that go out with every mail. */
  attachments: Attachment[];
}

/**
 * What one failed SES call means for the mails it carried, from the SDK's error name and AWS's message
 * (SES v2 reports the sending-rate and daily limits under the same names as other limits, and tells
 * them apart only in words).
 */
export type SendVerdict =
  /** Too fast: the mail was not accepted; slow down and try it again. */
  | { kind: "throttled" }
  /** The 24-hour quota is used up: wait for the window. */
  | { kind: "quota" }
  /** Nothing of this workspace can be sent (account paused or suspended, keys refused). */
  | { kind: "workspace"; reason: string }
  /** Nothing of this campaign can be sent as it is (configuration set, MAIL FROM domain, sender). */
  | { kind: "campaign"; reason: string }
  /** This recipient cannot be mailed; the others can. */
  | { kind: "rejected"; reason: string }
  /** SES or the network failed before accepting the mail: try again later. */
  | { kind: "transient"; reason: string }
  /** The request may have reached SES: its outcome is unknown and it is not sent again by itself. */
  | { kind: "unknown"; reason: string };

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

const QUOTA = /daily message quota|24.?hour|max(imum)? ?24/i;
const RATE = /maximum sending rate|rate exceeded|throttl|too many requests|slow down/i;

export function sendVerdict(err: unknown): SendVerdict {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? "";
  const message = (e.message ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
  const status = e.$metadata?.httpStatusCode;
  if (QUOTA.test(message)) return { kind: "quota" };
  switch (name) {
    case "TooManyRequestsException":
    case "ThrottlingException":
    case "Throttling":
    case "LimitExceededException":
      return { kind: "throttled" };
    case "SendingPausedException":
      return { kind: "workspace", reason: "Sending is paused for this AWS account or its configuration set. Check the account under Settings → AWS → Account (a workspace admin can resume sending there), then resume the campaign." };
    case "AccountSuspendedException":
      return { kind: "workspace", reason: "AWS has suspended sending for this account. Check its status under Settings → AWS → Account and in the SES console, then resume the campaign." };
    case "AccessDeniedException":
      return { kind: "workspace", reason: "AWS refused the workspace's keys permission to send (ses:SendEmail / ses:SendBulkEmail). Add it to the IAM policy, then resume the campaign." };
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "ExpiredTokenException":
      return { kind: "workspace", reason: "AWS no longer accepts the workspace's keys. Connect working keys in Settings → AWS, then resume the campaign." };
    case "MailFromDomainNotVerifiedException":
      return { kind: "campaign", reason: "The sender's custom MAIL FROM domain is not verified in SES. Publish its DNS records or send from another identity, then resume." };
    case "NotFoundException":
      return { kind: "campaign", reason: "SES could not find the workspace's configuration set. Set up events again in Settings → AWS, then resume." };
    case "MessageRejected":
      return { kind: "rejected", reason: `SES rejected this message${message ? `: ${message}` : "."}` };
    case "BadRequestException":
    case "InvalidParameterValue":
      return { kind: "rejected", reason: `SES did not accept this message${message ? `: ${message}` : "."}` };
  }
  if (RATE.test(message)) return { kind: "throttled" };
  if (name === "TimeoutError" || name === "RequestTimeout" || e.code === "ETIMEDOUT" || /timed? ?out/i.test(message)) {
    return { kind: "unknown", reason: "SES did not answer in time; the message may or may not have been sent." };
  }
  // Refused or reset before SES read the request: nothing was sent.
  if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ConnectionRefused"].includes(e.code ?? name) || /ECONNREFUSED|ECONNRESET|socket hang up|Unable to connect/i.test(message)) {
    return { kind: "transient", reason: "Sesame could not reach SES." };
  }
  if (e.$fault === "server" || (status !== undefined && status >= 500)) return { kind: "transient", reason: "SES had a problem on its side." };
  if (/Deserialization|parse error|Unrecognized token/i.test(`${name} ${message}`)) {
    // An answer that was not SES's (a proxy's page): the request may or may not have reached SES.
    return { kind: "unknown", reason: "Something other than SES answered; the message may or may not have been sent." };
  }
  return { kind: "rejected", reason: `SES refused this message (${name || "error"}${message ? `: ${message}` : ""}).` };
}

/** The same for one destination of a SendBulkEmail call, from its BulkEmailStatus. */
export function bulkVerdict(status: string, error: string): SendVerdict {
  switch (status) {
    case "ACCOUNT_THROTTLED":
      return { kind: "throttled" };
    case "ACCOUNT_DAILY_QUOTA_EXCEEDED":
      return { kind: "quota" };
    case "ACCOUNT_SENDING_PAUSED":
      return sendVerdict({ name: "SendingPausedException" });
    case "ACCOUNT_SUSPENDED":
      return sendVerdict({ name: "AccountSuspendedException" });
    case "CONFIGURATION_SET_SENDING_PAUSED":
      return { kind: "campaign", reason: "Sending is paused for the workspace's configuration set. A workspace admin can resume it under Settings → AWS → Account, then resume the campaign." };
    case "CONFIGURATION_SET_NOT_FOUND":
      return sendVerdict({ name: "NotFoundException" });
    case "MAIL_FROM_DOMAIN_NOT_VERIFIED":
      return sendVerdict({ name: "MailFromDomainNotVerifiedException" });
    case "TRANSIENT_FAILURE":
      return { kind: "transient", reason: "SES had a passing problem with this message." };
    case "MESSAGE_REJECTED":
      return { kind: "rejected", reason: `SES rejected this message${error ? `: ${error}` : "."}` };
  }
  return { kind: "rejected", reason: `SES did not send this message (${status}${error ? `: ${error}` : ""}).` };
}

/** A campaign that cannot do what was asked in its state. */
export class WrongState extends AppError {
  constructor(message: string) {
    super(message, "wrong_state", 409);
  }
}
