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
