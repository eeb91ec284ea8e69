/** The counters every analytics view adds up, as `campaign_stats` keeps them per campaign and hour. */
export const COUNTERS = [
  "sent",
  "delivered",
  "bounced",
  "complained",
  "opened",
  "clicked",
  "uniqueOpens",
  "uniqueClicks",
  "humanOpens",
  "humanClicks",
  "unsubscribed",
  "failed",
  "rejected",
] as const;

export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

/** What the series carries per bucket (CONTRACT: t, sent, delivered, bounced, complained, opened, clicked). */
export const SERIES_COUNTERS = ["sent", "delivered", "bounced", "complained", "opened", "clicked", "uniqueOpens", "uniqueClicks", "humanOpens", "humanClicks", "unsubscribed"] as const;

export type Interval = "day" | "hour";

export interface AnalyticsFilter {
  /** First and last day of the period, YYYY-MM-DD in the person's zone, both included. */
  from: string;
  to: string;
  campaignId: string | null;
  listId: string | null;
  interval: Interval;
  zone: string;
}

export interface Analytics {
  filter: Omit<AnalyticsFilter, "zone"> & { timeZone: string };
  totals: Counts;
  /** One bucket per day (t = YYYY-MM-DD) or hour (t = ISO instant), empty ones included, oldest first. */
  series: ({ t: string } & Pick<Counts, (typeof SERIES_COUNTERS)[number]>)[];
}

export const zeroCounts = (): Counts => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counts;

/** Longest period one answer covers: hours for a month, days for three years. */
export const MAX_DAYS: Record<Interval, number> = { hour: 31, day: 3 * 366 };

/** The rates a person reads off the totals; null while the base is zero, so "—" is shown, not 0%. */
export interface Rates {
  /** Delivered out of sent. */
  delivery: number | null;
  /** Bounced out of the mails with an outcome (delivered or bounced), as SES judges it. */
  bounce: number | null;
  /** Complaints out of delivered, as SES judges it. */
  complaint: number | null;
  /** Recipients who opened (clicked), out of delivered: people, and machines only (a proxy or scanner, no person). */
  humanOpen: number | null;
  machineOpen: number | null;
  humanClick: number | null;
  machineClick: number | null;
  /** Unsubscribes out of delivered. */
  unsubscribe: number | null;
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function ratesOf(t: Counts): Rates {
  return {
    delivery: share(t.delivered, t.sent),
    bounce: share(t.bounced, t.delivered + t.bounced),
    complaint: share(t.complained, t.delivered),
    humanOpen: share(t.humanOpens, t.delivered),
    machineOpen: share(Math.max(0, t.uniqueOpens - t.humanOpens), t.delivered),
    humanClick: share(t.humanClicks, t.delivered),
    machineClick: share(Math.max(0, t.uniqueClicks - t.humanClicks), t.delivered),
    unsubscribe: share(t.unsubscribed, t.delivered),
  };
}
