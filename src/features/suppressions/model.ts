import type { SuppressionReason } from "./queries";

export const SUPPRESSION_REASONS: SuppressionReason[] = ["hard_bounce", "complaint", "unsubscribe", "manual"];

export const REASON_LABEL: Record<SuppressionReason, string> = {
  hard_bounce: "Hard bounce",
  complaint: "Complaint",
  unsubscribe: "Unsubscribed",
  manual: "Added by hand",
};

export type { SuppressionReason };
