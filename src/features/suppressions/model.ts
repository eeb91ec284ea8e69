import type { SuppressionReason } from "./queries";

export const SUPPRESSION_REASONS: SuppressionReason[] = ["hard_bounce", "soft_bounce", "complaint", "unsubscribe", "manual"];

export const REASON_LABEL: Record<SuppressionReason, string> = {
  hard_bounce: "Hard bounce",
  soft_bounce: "Soft bounces",
  complaint: "Complaint",
  unsubscribe: "Unsubscribed",
  manual: "Added by hand",
};

export type { SuppressionReason };
