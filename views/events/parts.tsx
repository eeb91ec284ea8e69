import { PAGE_SIZE, type EventFilter, type EventItem } from "../../src/features/events/explorer";
import type { EventType } from "../../src/features/events/model";

/** Each type as a word, in SES's terms. */
export const EVENT_WORDS: Record<EventType, string> = {
  send: "Sent",
  delivery: "Delivered",
  bounce: "Bounced",
  complaint: "Complaint",
  reject: "Rejected",
  delivery_delay: "Delayed",
  open: "Opened",
  click: "Clicked",
  unsubscribe: "Unsubscribed",
};

/** One colour per meaning, as everywhere (UI.md): sent blue, delivered green, opened and clicked teal, bounced red, complained red-orange, unsubscribed violet. */
const EVENT_TONE: Record<EventType, { badge: string; dot: string }> = {
  send: { badge: "bg-sky-50 text-sky-800 ring-sky-200", dot: "bg-sky-500" },
  delivery: { badge: "bg-emerald-50 text-emerald-800 ring-emerald-200", dot: "bg-emerald-500" },
  bounce: { badge: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500" },
  complaint: { badge: "bg-orange-50 text-orange-800 ring-orange-200", dot: "bg-orange-500" },
  reject: { badge: "bg-red-50 text-red-800 ring-red-200", dot: "bg-red-500" },
  delivery_delay: { badge: "bg-amber-50 text-amber-800 ring-amber-200", dot: "bg-amber-500" },
  open: { badge: "bg-teal-50 text-teal-800 ring-teal-200", dot: "bg-teal-500" },
  click: { badge: "bg-teal-50 text-teal-800 ring-teal-200", dot: "bg-teal-500" },
  unsubscribe: { badge: "bg-violet-50 text-violet-800 ring-violet-200", dot: "bg-violet-500" },
};

const BADGE = "inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

export function eventDot(type: EventType): string {
  return EVENT_TONE[type]?.dot ?? "bg-slate-400";
}

export function EventBadge({ type }: { type: EventType }) {
  return (
    <span class={`${BADGE} ${EVENT_TONE[type]?.badge ?? "bg-slate-100 text-slate-700 ring-slate-200"}`} data-type={type} safe>
      {EVENT_WORDS[type] ?? type}
    </span>
  );
}

/** Opens and clicks: by a person, or by a machine (privacy proxy, link scanner), with why on hover. */
export function ClassBadge({ item }: { item: Pick<EventItem, "class" | "detail"> }) {
  if (item.class === "human") {
    return (
      <span class={`${BADGE} bg-white text-teal-800 ring-teal-300`} data-class="human">
        Human
      </span>
    );
  }
  if (item.class === "machine") {
    const why = text(item.detail?.reason) ?? text(item.detail?.agent);
    return (
      <span class={`${BADGE} bg-slate-50 text-slate-600 ring-slate-300`} data-class="machine" title={why ? `Machine: ${why}` : "Machine: a privacy proxy or a link scanner"}>
        Machine
      </span>
    );
  }
  return "";
}

/** A value from `detail` (untrusted: anything may be there) as one line of text, or null. */
function text(value: unknown, max = 300): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const line = value.replace(/\s+/g, " ").trim();
  if (!line) return null;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** SES writes diagnostic codes as "smtp; 550 5.1.1 user unknown": the reply is what matters. */
function diagnostic(value: unknown): string | null {
  return text(value)?.replace(/^smtp;\s*/i, "") ?? null;
}

function joined(...parts: (string | null)[]): string {
  return parts.filter((p): p is string => Boolean(p)).join(" · ");
}

/** One line of what the event says, e.g. "Permanent · General · 550 5.1.1 user unknown" or "Clicked https://…". */
export function eventSummary(item: Pick<EventItem, "type" | "detail" | "class">): string {
  const d = item.detail ?? {};
  switch (item.type) {
    case "send":
      return "Accepted by SES";
    case "delivery":
      return text(d.smtpResponse) ?? "Accepted by the receiving mail server";
    case "bounce":
      return joined(text(d.bounceType), text(d.bounceSubType), diagnostic(d.diagnosticCode) ?? text(d.status)) || "Bounced";
    case "complaint":
      return joined("Reported as spam", text(d.complaintFeedbackType));
    case "reject":
      return joined(text(d.reason), text(d.errorMessage)) || "Rejected by SES";
    case "delivery_delay":
      return joined(text(d.delayType), diagnostic(d.diagnosticCode) ?? text(d.status)) || "Delivery delayed";
    case "open":
      return joined(text(d.agent) ?? text(d.userAgent) ?? "Opened", item.class === "machine" ? text(d.reason) : null);
    case "click": {
      const url = text(d.url, 500);
      return url ? `Clicked ${url}` : "Clicked a link";
    }
    case "unsubscribe":
      return d.via === "one-click" ? "One-click unsubscribe from the mail client" : d.via === "page" ? "Unsubscribed on the unsubscribe page" : joined("Unsubscribed", text(d.method));
    default:
      return "";
  }
}

/** What the timeline shows on demand: the SES event as received when there is one, else the event's detail. */
export function rawDetail(detail: Record<string, unknown> | null): { label: string; json: string } | null {
  if (!detail) return null;
  const raw = detail.raw;
  if (raw !== null && typeof raw === "object") return { label: "SES event as received", json: JSON.stringify(raw, null, 2) };
  return { label: "Details", json: JSON.stringify(detail, null, 2) };
}

/** A person's address's story: in one campaign, or across the workspace. */
export function timelineUrl(email: string, campaignId?: string | null): string {
  return `/events/timeline?email=${encodeURIComponent(email)}${campaignId ? `&campaignId=${encodeURIComponent(campaignId)}` : ""}`;
}

/** The explorer's own URL for a filter: what htmx swaps in is also what reload, back and new tabs open. */
export function eventsUrl(filter: Pick<EventFilter, "types" | "campaignId" | "q" | "from" | "to" | "pageSize">, page = 1): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => parts.push(`${name}=${encodeURIComponent(value)}`);
  if (filter.types.length) parts.push(`type=${filter.types.join(",")}`);
  if (filter.campaignId) add("campaignId", filter.campaignId);
  if (filter.q) add("q", filter.q);
  if (filter.from) add("from", filter.from);
  if (filter.to) add("to", filter.to);
  if (filter.pageSize !== PAGE_SIZE) add("pageSize", String(filter.pageSize));
  if (page > 1) add("page", String(page));
  return parts.length ? `/events?${parts.join("&")}` : "/events";
}

const preciseFormatters = new Map<string, Intl.DateTimeFormat>();

/** A moment to the second in the person's zone, for the timeline (sent and delivered are often a second apart). */
export function PreciseTime({ at, zone }: { at: Date; zone: string }) {
  let formatter = preciseFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    preciseFormatters.set(zone, formatter);
  }
  const p: Record<string, string> = {};
  for (const part of formatter.formatToParts(at)) if (part.type !== "literal") p[part.type] = part.value;
  const iso = at.toISOString();
  return (
    <time datetime={iso} title={iso.replace("T", " ").replace(/Z$/, " UTC")} class="whitespace-nowrap" safe>
      {`${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour === "24" ? "00" : p.hour}:${p.minute}:${p.second}`}
    </time>
  );
}
