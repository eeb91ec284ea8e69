import type { SesSuppressionReason } from "../../aws/suppression-list";
import type { SuppressionReason } from "../suppressions/model";

/** Which way a workspace keeps SES's account-level suppression list and its own in step. */
export type SyncSetting = "off" | "pull" | "push" | "both";
export type SyncDirection = "pull" | "push";

export const SYNC_SETTINGS: SyncSetting[] = ["off", "pull", "push", "both"];

/** What each setting does, in one sentence. */
export const SYNC_MEANING: Record<SyncSetting, { label: string; meaning: string }> = {
  off: { label: "Off", meaning: "The two lists are kept apart; the buttons below still copy them once when you ask." },
  pull: { label: "Pull from SES", meaning: "Addresses on SES's list are added to Sesame's suppression list, so Sesame stops sending to them too." },
  push: { label: "Push to SES", meaning: "Sesame's hard bounces and complaints are added to SES's list, so SES drops mail to them from any sender of the account." },
  both: { label: "Both ways", meaning: "Pull SES's addresses into Sesame and push Sesame's hard bounces and complaints to SES." },
};

export const DIRECTIONS: Record<SyncSetting, SyncDirection[]> = { off: [], pull: ["pull"], push: ["push"], both: ["pull", "push"] };

/** How often the background job syncs a workspace that chose to. */
export const SYNC_EVERY_MS = 15 * 60 * 1000;

/** SES reason → the reason Sesame records when pulling. */
export const FROM_SES: Record<SesSuppressionReason, SuppressionReason> = { BOUNCE: "hard_bounce", COMPLAINT: "complaint" };

/** Sesame's reasons that are pushed to SES, and what SES calls them. */
export const TO_SES: Partial<Record<SuppressionReason, SesSuppressionReason>> = { hard_bounce: "BOUNCE", complaint: "COMPLAINT" };

/** The `source` of a suppression that came from SES's list. */
export const PULLED_SOURCE = "ses-suppression-list";

export const REASON_WORDS: Record<SesSuppressionReason, string> = { BOUNCE: "Bounce", COMPLAINT: "Complaint" };

export interface SesSuppressionItem {
  email: string;
  reason: SesSuppressionReason;
  lastUpdate: Date;
}

/** A page of SES's list as the API answers it; a partial search also says how far it looked. */
export interface SesSuppressionsPage {
  items: SesSuppressionItem[];
  nextToken: string | null;
  /** Addresses looked through for a partial search (SES cannot search; Sesame pages through the list). */
  scanned?: number;
  /** The partial search stopped at its limit before the end of the list; nextToken continues it. */
  stoppedEarly?: boolean;
}

export interface SesSuppressionFilter {
  q: string;
  reason: SesSuppressionReason | null;
  /** YYYY-MM-DD, days in the person's time zone: added on or after / on or before that day. */
  from: string;
  to: string;
  nextToken: string | null;
}

export interface SyncResult {
  added: number;
  skipped: number;
  /** Addresses SES would not take in a push (each logged); the next push tries them again. */
  refused: number;
}

/** A sync under way or just ended, as the page and GET /aws/suppressions/sync show it. */
export interface SyncRunView {
  direction: SyncDirection;
  startedAt: Date;
  endedAt: Date | null;
  added: number;
  skipped: number;
  refused: number;
  running: boolean;
  error: string | null;
}

export interface SyncStatus {
  sync: SyncSetting;
  lastSyncAt: Date | null;
  pulledThrough: Date | null;
  run: SyncRunView | null;
}
