export type ContactStatus = "active" | "unsubscribed" | "bounced" | "complained";

export interface ContactView {
  id: number;
  email: string;
  attributes: Record<string, string>;
  status: ContactStatus;
}

/** A suppression makes a contact unmailable; this is the status a contact shows for it. */
export const STATUS_FOR_SUPPRESSION = {
  hard_bounce: "bounced",
  soft_bounce: "bounced",
  complaint: "complained",
  unsubscribe: "unsubscribed",
  manual: "unsubscribed",
} as const satisfies Record<string, ContactStatus>;

/**
 * Attribute names become template variables ({{first_name}}), so a CSV header is turned into a
 * variable-friendly key: lower case, words joined by underscores.
 */
export function attributeKey(header: string): string {
  return header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
}

/** Keys that would shadow what the renderer provides itself. */
export const RESERVED_ATTRIBUTES = new Set(["email", "unsubscribe_url"]);
