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
  /** A Transient bounce: three within 30 days suppress the address. */
  soft: boolean;
  /** What the mail's SES tags say it was: the fallback when no recipient has the message id (an unknown outcome). */
  tags: { workspaceId: string | null; campaignId: string | null; recipientId: number | null };
  /** The same SES event reaches Sesame once per channel (event publishing, identity notifications) and SNS redelivers: this names it. */
  key: string;
  /** SES's own open and click tracking: the client as SES saw it. */
  hit?: { userAgent: string | null; ip: string | null; url?: string };
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
  open?: { ipAddress?: string; timestamp?: string; userAgent?: string };
  click?: { ipAddress?: string; timestamp?: string; userAgent?: string; link?: string };
}

const tag = (tags: Record<string, string[]> | undefined, name: string): string | null => {
  const value = tags?.[name]?.[0];
  return typeof value === "string" && value.length > 0 && value.length <= 100 ? value : null;
};

/** When an event happened; an event SES sent without any time is dated when it arrives (and marked so: its key must not change on a redelivery). */
const undated = new WeakSet<Date>();
const time = (...candidates: (string | undefined)[]) => {
  for (const c of candidates) {
    const d = c ? new Date(c) : null;
    if (d && !Number.isNaN(d.getTime())) return d;
  }
  const now = new Date();
  undated.add(now);
  return now;
};

/**
 * The rows an SNS `Message` stands for, or null when it is not an SES event at all (then it is
 * acknowledged and ignored). SES event kinds Sesame has no use for (Subscription) are empty.
 */
export function sesEventRecords(message: string): SesEventRecord[] | null {
  let event: SesEvent;
  try {
    // PostgreSQL's jsonb cannot hold NUL: a \u0000 in a diagnostic string would refuse the whole event.
    event = JSON.parse(message.replace(/(?<!\\)\\u0000/gi, ""));
  } catch {
    return null;
  }
  const kind = event?.eventType ?? event?.notificationType;
  if (!event || typeof event !== "object" || typeof kind !== "string" || !event.mail?.messageId) return null;
  const mail = event.mail;
  const recipientTag = tag(mail.tags, "recipient");
  const base = {
    messageId: mail.messageId!,
    configurationSet: tag(mail.tags, "ses:configuration-set"),
    tags: {
      workspaceId: tag(mail.tags, "workspace"),
      campaignId: tag(mail.tags, "campaign"),
      recipientId: recipientTag && /^\d{1,15}$/.test(recipientTag) ? Number(recipientTag) : null,
    },
    soft: false,
  };
  // The event as SES sent it, for the explorer's "raw detail"; the mail's full header list is left out (it repeats the mail).
  const raw = { ...event, mail: { ...mail, headers: undefined } };
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
      .map((r) => {
        const email = r.emailAddress!.trim().toLowerCase();
        const extra = detail(r);
        const discriminator = typeof extra.feedbackId === "string" ? extra.feedbackId : undated.has(at) ? "undated" : String(at.getTime());
        return { ...base, type, email, at, detail: { messageId: base.messageId, ...extra, raw }, suppress, key: `ses:${base.messageId}:${type}:${email}:${discriminator}` };
      });

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
        (r) => ({ bounceType: b.bounceType, bounceSubType: b.bounceSubType, action: r.action, status: r.status, diagnosticCode: r.diagnosticCode, feedbackId: b.feedbackId }),
        b.bounceType === "Permanent" ? "hard_bounce" : null,
      ).map((r) => ({ ...r, soft: b.bounceType === "Transient" }));
    }
    case "Complaint": {
      const c = event.complaint ?? {};
      return rows(
        "complaint",
        list(c.complainedRecipients),
        time(c.timestamp, mail.timestamp),
        () => ({ complaintFeedbackType: c.complaintFeedbackType, feedbackId: c.feedbackId }),
        "complaint",
      );
    }
    case "Open": {
      const o = event.open ?? {};
      const hit = { userAgent: o.userAgent ?? null, ip: o.ipAddress ?? null };
      return rows("open", everyone, time(o.timestamp, mail.timestamp), () => ({ userAgent: hit.userAgent, via: "SES" })).map((r) => ({ ...r, hit }));
    }
    case "Click": {
      const k = event.click ?? {};
      const hit = { userAgent: k.userAgent ?? null, ip: k.ipAddress ?? null, url: k.link };
      return rows("click", everyone, time(k.timestamp, mail.timestamp), () => ({ userAgent: hit.userAgent, url: k.link, via: "SES" })).map((r) => ({ ...r, hit }));
    }
    case "Reject":
      return rows("reject", everyone, time(mail.timestamp), () => ({ reason: event.reject?.reason }));
    case "RenderingFailure":
    case "Rendering Failure":
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
