/**
 * The audit log: who did what, to what, when and from where. Rows are only ever inserted (triggers
 * refuse UPDATE and DELETE, migration 0008_platform); src/features/audit/trail.ts writes them from
 * one hook after each response, so features never call the log themselves.
 */

export const AUDIT_ACTIONS = [
  "auth.login",
  "auth.login_failed",
  "auth.signup",
  "auth.logout",
  "auth.password_changed",
  "auth.password_reset",
  "aws.connected",
  "aws.disconnected",
  "aws.events_topic_set",
  "aws.events_setup",
  "aws.s3_bucket_set",
  "aws.s3_bucket_removed",
  "aws.region_changed",
  "aws.sending_changed",
  "campaign.launched",
  "campaign.paused",
  "campaign.resumed",
  "campaign.cancelled",
  "campaign.unknown_resent",
  "member.role_changed",
  "member.removed",
  "invite.created",
  "invite.revoked",
  "invite.accepted",
  "api_key.created",
  "api_key.revoked",
  "admin.user_changed",
  "admin.reset_link_created",
  "admin.limits_changed",
  "admin.api_key_limits_changed",
  "admin.signup_mode_changed",
  "admin.system_mail_set",
  "admin.system_mail_removed",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

export type ActorType = "user" | "api_key" | "anonymous" | "system";

export interface AuditActor {
  type: ActorType;
  id: string | null;
  /** As people read it: an email address, `API key "Deploy"`. */
  label: string;
}

export interface AuditTarget {
  type: string;
  id: string | null;
  label: string | null;
}

/** One row as it is written. */
export interface AuditEntry {
  workspaceId: string | null;
  actor: AuditActor;
  action: AuditAction;
  target: AuditTarget | null;
  /** Plain facts chosen per action (a role, a region): never a password, key, token or secret. */
  detail: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
  at: Date;
}

/** One row as it is read back (GET /audit's items). */
export interface AuditItem {
  id: string;
  at: Date;
  action: string;
  /** The action in words: `Launched campaign "Spring sale"`. */
  summary: string;
  actor: AuditActor;
  target: AuditTarget | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditPage {
  items: AuditItem[];
  total: number;
  /** `total` is where counting stopped: there are more. */
  totalCapped: boolean;
  page: number;
  pageSize: number;
}

export const PAGE_SIZE = 50;
/** Rows per read of a CSV export (keyset pages, never OFFSET). */
export const EXPORT_PAGE = 1000;
/** Longest text kept in one field (a user agent, an email tried at sign-in). */
export const FIELD_MAX = 500;

/** Each action as a person reads it, for the filter's choices. */
export const ACTION_WORDS: Record<AuditAction, string> = {
  "auth.login": "Signed in",
  "auth.login_failed": "Failed sign-in",
  "auth.signup": "Signed up",
  "auth.logout": "Signed out",
  "auth.password_changed": "Changed password",
  "auth.password_reset": "Reset password",
  "aws.connected": "Connected AWS keys",
  "aws.disconnected": "Removed AWS keys",
  "aws.events_topic_set": "Registered an SNS topic",
  "aws.events_setup": "Set up SES events",
  "aws.s3_bucket_set": "Set the S3 bucket",
  "aws.s3_bucket_removed": "Removed the S3 bucket",
  "aws.region_changed": "Changed the AWS region",
  "aws.sending_changed": "Turned SES sending on or off",
  "campaign.launched": "Launched a campaign",
  "campaign.paused": "Paused a campaign",
  "campaign.resumed": "Resumed a campaign",
  "campaign.cancelled": "Cancelled a campaign",
  "campaign.unknown_resent": "Re-sent unknown recipients",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "invite.created": "Created an invite",
  "invite.revoked": "Revoked an invite",
  "invite.accepted": "Accepted an invite",
  "api_key.created": "Created an API key",
  "api_key.revoked": "Revoked an API key",
  "admin.user_changed": "Changed an account",
  "admin.reset_link_created": "Made a password reset link",
  "admin.limits_changed": "Changed API limits per role",
  "admin.api_key_limits_changed": "Changed an API key's limits",
  "admin.signup_mode_changed": "Changed the sign-up mode",
  "admin.system_mail_set": "Set the system mail sender",
  "admin.system_mail_removed": "Turned system mail off",
};

const SIGNUP_WORDS: Record<string, string> = { open: "open to anyone", invite: "invite only", closed: "closed" };

const quoted = (label: string | null | undefined) => (label ? `“${label}”` : "");

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value.trim() : typeof value === "number" && Number.isFinite(value) ? String(value) : null;
}

/** A limit as words: null is "no limit". */
function limit(value: unknown, unit: string): string {
  return typeof value === "number" ? `${value.toLocaleString("en")} ${unit}` : `no limit of ${unit}`;
}

/** The action with its target and the facts that matter, in one sentence: what the page and the CSV show. */
export function describeAudit(entry: { action: string; target: AuditTarget | null; detail: Record<string, unknown> | null }): string {
  const d = entry.detail ?? {};
  const target = entry.target?.label ?? null;
  const role = text(d.role);
  switch (entry.action as AuditAction) {
    case "auth.login":
      return "Signed in";
    case "auth.login_failed":
      return d.reason === "throttled" ? "Sign-in refused after too many failed attempts" : "Failed sign-in: wrong email or password";
    case "auth.signup":
      return d.invited ? "Signed up with an invite" : "Signed up";
    case "auth.logout":
      return "Signed out";
    case "auth.password_changed":
      return "Changed their password (other sessions ended)";
    case "auth.password_reset":
      return "Reset their password with a reset link";
    case "aws.connected":
      return `Connected AWS keys ${text(d.accessKeyId) ?? ""}${text(d.region) ? ` in ${text(d.region)}` : ""}${d.saved === false ? " for this session only" : ""}`.replace(/ {2,}/g, " ");
    case "aws.disconnected":
      return "Removed the workspace's AWS keys";
    case "aws.events_topic_set":
      return `Registered SNS topic ${quoted(text(d.topicArn))} for SES events`;
    case "aws.events_setup":
      return "Set up the SES event pipeline (configuration set, SNS topic, subscription)";
    case "aws.s3_bucket_set":
      return `Set the S3 bucket to ${quoted(text(d.bucket))}${text(d.region) ? ` in ${text(d.region)}` : ""}`;
    case "aws.s3_bucket_removed":
      return "Removed the workspace's S3 bucket";
    case "aws.region_changed":
      return `Moved the AWS keys to region ${text(d.region) ?? "another region"}`;
    case "aws.sending_changed":
      return d.enabled === false ? "Paused SES sending for the account" : "Resumed SES sending for the account";
    case "campaign.launched":
      return `Launched campaign ${quoted(target)}`;
    case "campaign.paused":
      return `Paused campaign ${quoted(target)}`;
    case "campaign.resumed":
      return `Resumed campaign ${quoted(target)}`;
    case "campaign.cancelled":
      return `Cancelled campaign ${quoted(target)}`;
    case "campaign.unknown_resent":
      return `Re-sent the unknown recipients of campaign ${quoted(target)}`;
    case "member.role_changed":
      return `Changed the role of ${target ?? "a member"}${role ? ` to ${role}` : ""}`;
    case "member.removed":
      return d.self ? "Left the workspace" : `Removed ${target ?? "a member"} from the workspace`;
    case "invite.created":
      return `Created an invite${text(d.email) ? ` for ${text(d.email)}` : ""}${role ? ` as ${role}` : ""}`;
    case "invite.revoked":
      return `Revoked the invite${target ? ` for ${target}` : ""}`;
    case "invite.accepted":
      return `Joined the workspace with an invite${role ? ` as ${role}` : ""}`;
    case "api_key.created": {
      const about = [text(d.scope) ? `scope ${text(d.scope)}` : null, role ? `role ${role}` : null].filter(Boolean);
      return `Created API key ${quoted(target)}${about.length ? ` (${about.join(", ")})` : ""}`;
    }
    case "api_key.revoked":
      return `Revoked API key ${quoted(target)}`;
    case "admin.user_changed": {
      const changes = [role ? `role ${role}` : null, d.disabled === true ? "disabled" : d.disabled === false ? "enabled" : null].filter(Boolean);
      return `Changed the account ${target ?? ""}${changes.length ? `: ${changes.join(", ")}` : ""}`.replace(/ {2,}/g, " ");
    }
    case "admin.reset_link_created":
      return `Made a password reset link for ${target ?? "an account"}`;
    case "admin.limits_changed":
      return "Changed the API limits per workspace role";
    case "admin.api_key_limits_changed":
      return `Set the limits of API key ${quoted(target)}: ${limit(d.requestsPerMinute, "requests a minute")}, ${limit(d.mailsPerDay, "mails a day")}`;
    case "admin.signup_mode_changed":
      return `Set sign-up to ${SIGNUP_WORDS[String(d.mode)] ?? "another mode"}`;
    case "admin.system_mail_set":
      return `Set system mail to send from ${text(d.from) ?? "an address"}${target ? ` through the workspace ${quoted(target)}` : ""}`;
    case "admin.system_mail_removed":
      return "Turned system mail off";
    default:
      return entry.action;
  }
}
