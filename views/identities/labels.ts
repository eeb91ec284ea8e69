import type { StatusWord } from "../credentials/labels";

/** MailFromDomainStatus of an identity's custom MAIL FROM domain. */
const MAIL_FROM: Record<string, StatusWord> = {
  SUCCESS: { label: "MX record found", tone: "green" },
  PENDING: { label: "Waiting for DNS records", tone: "amber" },
  FAILED: { label: "MX record not found", tone: "red" },
  TEMPORARY_FAILURE: { label: "Temporary failure, AWS retries", tone: "amber" },
};

export const mailFromWord = (status: string): StatusWord => MAIL_FROM[status] ?? { label: "Unknown", tone: "amber" };

/** The identity's place in URLs: an address's @ and any other character kept safe. */
export const identityPath = (name: string) => encodeURIComponent(name);

/** An element id for an identity's card: unique per name, whatever characters an address holds. */
export const identityDomId = (name: string) => `identity-${Buffer.from(name).toString("hex")}`;
