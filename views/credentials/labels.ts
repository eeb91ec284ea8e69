/**
 * SES's status values in the words the AWS page shows. The API's own value stays beside the word as
 * a hint, since it is what the AWS console and documentation call it.
 */
export type Tone = "green" | "amber" | "red" | "gray";

export interface StatusWord {
  label: string;
  tone: Tone;
}

const UNKNOWN: StatusWord = { label: "Unknown", tone: "amber" };

/** EnforcementStatus of GetAccount. */
const ACCOUNT: Record<string, StatusWord> = {
  HEALTHY: { label: "Healthy", tone: "green" },
  PROBATION: { label: "Under review", tone: "amber" },
  SHUTDOWN: { label: "Shut down by AWS", tone: "red" },
};

/** VerificationStatus of an identity. */
const VERIFICATION: Record<string, StatusWord> = {
  SUCCESS: { label: "Verified", tone: "green" },
  PENDING: { label: "Pending", tone: "amber" },
  FAILED: { label: "Failed", tone: "red" },
  TEMPORARY_FAILURE: { label: "Temporary failure, AWS retries", tone: "amber" },
  NOT_STARTED: { label: "Not started", tone: "gray" },
};

/** DkimAttributes.Status of an identity. */
const DKIM: Record<string, StatusWord> = {
  SUCCESS: { label: "Signing", tone: "green" },
  PENDING: { label: "Waiting for DNS records", tone: "amber" },
  FAILED: { label: "Records not found", tone: "red" },
  TEMPORARY_FAILURE: { label: "Temporary failure, AWS retries", tone: "amber" },
  NOT_STARTED: { label: "Not started", tone: "gray" },
};

export const accountStatusWord = (status: string): StatusWord => ACCOUNT[status] ?? UNKNOWN;
export const verificationWord = (status: string): StatusWord => VERIFICATION[status] ?? UNKNOWN;
export const dkimWord = (status: string): StatusWord => DKIM[status] ?? UNKNOWN;

/** What an account under review or shut down should do next; nothing for a healthy one. */
export function accountStatusAdvice(status: string): string | null {
  if (status === "PROBATION") {
    return "AWS has put this account under review, usually for bounce or complaint rates. Check the bounce and complaint rates under Settings → AWS → Reputation and fix the cause, or AWS may pause sending.";
  }
  if (status === "SHUTDOWN") return "AWS has stopped this account from sending. Open the SES console to see why and to ask for a review.";
  return null;
}

export function identityTypeWord(type: string): string {
  if (type === "EMAIL_ADDRESS") return "Address";
  if (type === "MANAGED_DOMAIN") return "Domain (managed by AWS)";
  return "Domain";
}
