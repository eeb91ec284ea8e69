/**
 * Who may create an account: anyone ("open"), only people holding an invite link ("invite"), or
 * nobody ("closed": invites then only bring people who already have an account into a workspace).
 * The very first account of an instance can always be created; it administers the instance.
 */
export type SignupMode = "open" | "invite" | "closed";
export const SIGNUP_MODES: SignupMode[] = ["open", "invite", "closed"];
export const DEFAULT_SIGNUP_MODE: SignupMode = "open";

export const SIGNUP_MODE_LABELS: Record<SignupMode, { label: string; text: string }> = {
  open: { label: "Open", text: "Anyone who can reach this address can create an account with a workspace of their own." },
  invite: { label: "By invitation", text: "Only people with an invite link from a workspace can create an account; they join that workspace." },
  closed: { label: "Closed", text: "Nobody can create an account. Invite links only add people who already have an account." },
};

export function isSignupMode(value: unknown): value is SignupMode {
  return typeof value === "string" && (SIGNUP_MODES as string[]).includes(value);
}

/** The instance's system mail connection: a workspace's saved keys and one of its verified senders. */
export interface SystemMailSetting {
  workspaceId: string;
  from: string;
}

/** A sending window measured back from now: rates are judged over the last 30 days, as SES reviews. */
export const USAGE_RATES_DAYS = 30;

export interface WorkspaceUsage {
  id: string;
  name: string;
  members: number;
  sentToday: number;
  sentThisMonth: number;
  quota: { max24HourSend: number; sentLast24Hours: number; region: string; measuredAt: Date } | null;
  /** Bounces out of mails with an outcome (delivered or bounced) over the last 30 days; null before there is any. */
  bounceRate: number | null;
  /** Complaints out of mails delivered over the last 30 days; null before there is any. */
  complaintRate: number | null;
}
