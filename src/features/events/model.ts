/** Event types as the API and the dashboard name them (SES's own names, in snake case). */
export const EVENT_TYPES = ["send", "delivery", "bounce", "complaint", "reject", "delivery_delay", "open", "click", "unsubscribe"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One row per affected recipient, read from an SES event (configuration-set publishing or identity notification). */
export interface SesEventRecord {
  type: EventType;
  email: string;
  at: Date;
  messageId: string;
  configurationSet: string | null;
  detail: Record<string, unknown>;
  /** Hard bounces and complaints put the address on the suppression list. */
  suppress: "hard_bounce" | "complaint" | null;
}

type Recipient = { emailAddress?: string; action?: string; status?: string; diagnosticCode?: string };

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; timestamp?: string; destination?: string[]; tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: Recipient[]; timestamp?: string; feedbackId?: string };
  complaint?: { complainedRecipients?: Recipient[]; timestamp?: string; complaintFeedbackType?: string; feedbackId?: string };
  delivery?: { recipients?: string[]; timestamp?: string; smtpResponse?: string; processingTimeMillis?: number };
  reject?: { reason?: string };
  deliveryDelay?: { delayType?: string; delayedRecipients?: Recipient[]; timestamp?: string; expirationTime?: string };
  failure?: { errorMessage?: string; templateName?: string };
}

const time = (...candidates: (string | undefined)[]) => {
  for (const c of candidates) {
    const d = c ? new Date(c) : null;
    if (d && !Number.isNaN(d.getTime())) return d;
  }
  return new Date();
};

/**
 * The rows an SNS `Message` stands for, or null when it is not an SES event at all (then it is
 * acknowledged and ignored). Unknown SES event kinds (Open, Click from SES's own tracking) are empty.
 */
export function sesEventRecords(message: string): SesEventRecord[] | null {
  let event: SesEvent;
  try {
    event = JSON.parse(message);
  } catch {
    return null;
  }
  const kind = event?.eventType ?? event?.notificationType;
  if (!event || typeof event !== "object" || typeof kind !== "string" || !event.mail?.messageId) return null;
  const mail = event.mail;
  const base = { messageId: mail.messageId!, configurationSet: mail.tags?.["ses:configuration-set"]?.[0] ?? null };
  const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
  const everyone = list(mail.destination).map((email) => ({ emailAddress: email }));
  const rows = (
    type: EventType,
    recipients: Recipient[],
    at: Date,
    detail: (r: Recipient) => Record<string, unknown>,
    suppress: SesEventRecord["suppress"] = null,
  ): SesEventRecord[] =>
    recipients
      .filter((r) => r !== null && typeof r === "object" && typeof r.emailAddress === "string" && r.emailAddress.includes("@"))
      .map((r) => ({ ...base, type, email: r.emailAddress!.trim().toLowerCase(), at, detail: { messageId: base.messageId, ...detail(r) }, suppress }));

  switch (kind) {
    case "Send":
      return rows("send", everyone, time(mail.timestamp), () => ({}));
    case "Delivery":
      return rows("delivery", list(event.delivery?.recipients).map((e) => ({ emailAddress: e })), time(event.delivery?.timestamp, mail.timestamp), () => ({
        smtpResponse: event.delivery?.smtpResponse,
        processingTimeMillis: event.delivery?.processingTimeMillis,
      }));
    case "Bounce": {
      const b = event.bounce ?? {};
      // Only a Permanent bounce means the address will never take mail; Transient and Undetermined may recover.
      return rows(
        "bounce",
        list(b.bouncedRecipients),
        time(b.timestamp, mail.timestamp),
        (r) => ({ bounceType: b.bounceType, bounceSubType: b.bounceSubType, action: r.action, status: r.status, diagnosticCode: r.diagnosticCode }),
        b.bounceType === "Permanent" ? "hard_bounce" : null,
      );
    }
    case "Complaint": {
      const c = event.complaint ?? {};
      return rows("complaint", list(c.complainedRecipients), time(c.timestamp, mail.timestamp), () => ({ complaintFeedbackType: c.complaintFeedbackType }), "complaint");
    }
    case "Reject":
      return rows("reject", everyone, time(mail.timestamp), () => ({ reason: event.reject?.reason }));
    case "RenderingFailure":
      return rows("reject", everyone, time(mail.timestamp), () => ({ reason: "RenderingFailure", errorMessage: event.failure?.errorMessage }));
    case "DeliveryDelay": {
      const d = event.deliveryDelay ?? {};
      return rows("delivery_delay", Array.isArray(d.delayedRecipients) ? d.delayedRecipients : everyone, time(d.timestamp, mail.timestamp), (r) => ({
        delayType: d.delayType,
        status: r.status,
        diagnosticCode: r.diagnosticCode,
        expirationTime: d.expirationTime,
      }));
    }
    default:
      return [];
  }
}
