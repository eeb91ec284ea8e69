import type { ContactView } from "../../src/features/contacts/model";

const STATUS_TONE: Record<ContactView["status"], string> = {
  active: "bg-emerald-50 text-emerald-800",
  unsubscribed: "bg-slate-100 text-slate-700",
  bounced: "bg-red-50 text-red-800",
  complained: "bg-orange-50 text-orange-800",
};

const STATUS_LABEL: Record<ContactView["status"], string> = {
  active: "Active",
  unsubscribed: "Unsubscribed",
  bounced: "Bounced",
  complained: "Complained",
};

export function ContactStatus({ status }: { status: ContactView["status"] }) {
  return (
    <span class={`rounded px-2 py-0.5 text-xs ${STATUS_TONE[status]}`} safe>
      {STATUS_LABEL[status]}
    </span>
  );
}

/**
 * A moment, shown as a date: in UTC as the server renders it, then in the reader's own time zone
 * (public/islands/app.js rewrites every time[data-local]); the full timestamp is on hover.
 */
export function LocalTime({ at, withTime = false }: { at: Date; withTime?: boolean }) {
  const iso = at.toISOString();
  return (
    <time datetime={iso} title={iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")} data-local={withTime ? "datetime" : "date"} safe>
      {withTime ? iso.slice(0, 16).replace("T", " ") : iso.slice(0, 10)}
    </time>
  );
}
