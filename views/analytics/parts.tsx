import { ratesOf, zeroCounts, type Analytics, type Counts, type Rates } from "../../src/features/analytics/model";
import { zonedToUtc } from "../../src/lib/zones";
import { Chart, SERIES_COLOURS, type ChartData } from "../components/Chart";
import { count } from "../components/format";

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

type Better = "up" | "down" | "neither";

interface Kpi {
  key: string;
  label: string;
  value: string;
  /** What the value is made of, in words. */
  detail: string;
  change: { text: string; direction: "up" | "down" | "same"; good: boolean | null } | null;
}

/** The change from the previous period: relative for counts, in points for rates. */
function countChange(now: number, before: number, better: Better): Kpi["change"] {
  if (before === 0) return now === 0 ? { text: "no change", direction: "same", good: null } : null;
  const change = (now - before) / before;
  if (Math.abs(change) < 0.0005) return { text: "no change", direction: "same", good: null };
  const direction = change > 0 ? "up" : "down";
  return { text: `${change > 0 ? "+" : "−"}${Math.abs(change * 100).toFixed(1)}%`, direction, good: better === "neither" ? null : direction === better };
}

function rateChange(now: number | null, before: number | null, better: Better): Kpi["change"] {
  if (now === null || before === null) return null;
  const points = (now - before) * 100;
  if (Math.abs(points) < 0.05) return { text: "no change", direction: "same", good: null };
  const direction = points > 0 ? "up" : "down";
  return { text: `${points > 0 ? "+" : "−"}${Math.abs(points).toFixed(1)} pts`, direction, good: better === "neither" ? null : direction === better };
}

const rateText = (r: number | null) => (r === null ? "—" : pct(r));

/** The cards of the issue, in the order a person reads them: volume, delivery, harm, engagement. */
export function kpisOf(now: Counts, previous: Counts | null): Kpi[] {
  const a: Rates = ratesOf(now);
  // With nothing to compare with, every card says so (null changes), not "no change" against zeros.
  const before = previous ?? zeroCounts();
  const b: Rates = previous ? ratesOf(previous) : ratesOf(zeroCounts());
  const kpis: Kpi[] = [
    { key: "sent", label: "Sent", value: count(now.sent), detail: `${count(now.failed + now.rejected)} not accepted`, change: countChange(now.sent, before.sent, "neither") },
    { key: "delivery", label: "Delivery rate", value: rateText(a.delivery), detail: `${count(now.delivered)} delivered`, change: rateChange(a.delivery, b.delivery, "up") },
    { key: "bounce", label: "Bounce rate", value: rateText(a.bounce), detail: `${count(now.bounced)} bounced`, change: rateChange(a.bounce, b.bounce, "down") },
    { key: "complaint", label: "Complaint rate", value: rateText(a.complaint), detail: `${count(now.complained)} complaints`, change: rateChange(a.complaint, b.complaint, "down") },
    {
      key: "open",
      label: "Unique open rate, people",
      value: rateText(a.humanOpen),
      detail: `${count(now.humanOpens)} people · ${rateText(a.machineOpen)} machines only (${count(Math.max(0, now.uniqueOpens - now.humanOpens))})`,
      change: rateChange(a.humanOpen, b.humanOpen, "up"),
    },
    {
      key: "click",
      label: "Unique click rate, people",
      value: rateText(a.humanClick),
      detail: `${count(now.humanClicks)} people · ${rateText(a.machineClick)} machines only (${count(Math.max(0, now.uniqueClicks - now.humanClicks))})`,
      change: rateChange(a.humanClick, b.humanClick, "up"),
    },
    { key: "unsubscribed", label: "Unsubscribes", value: count(now.unsubscribed), detail: `${rateText(a.unsubscribe)} of delivered`, change: countChange(now.unsubscribed, before.unsubscribed, "down") },
  ];
  return previous ? kpis : kpis.map((kpi) => ({ ...kpi, change: null }));
}

function Change({ change, previous }: { change: Kpi["change"]; previous: string }) {
  if (!change) return <span class="text-xs text-slate-500" data-change-text>nothing to compare</span>;
  const tone = change.good === null ? "text-slate-600" : change.good ? "text-emerald-700" : "text-red-700";
  const arrow = change.direction === "up" ? "↑" : change.direction === "down" ? "↓" : "→";
  return (
    <span class={`text-xs font-medium tabular-nums ${tone}`} title={`Against ${previous}`} data-change={change.direction}>
      <span aria-hidden="true">{arrow}</span> <span data-change-text safe>{change.text}</span>
      <span class="sr-only" safe>{` against ${previous}`}</span>
    </span>
  );
}

/** KPI cards: the value large, the label under it, the change against the previous period beside it. */
export function KpiCards({ now, before, previous }: { now: Counts; before: Counts | null; previous: string }) {
  return (
    <ul class="grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-4" data-testid="kpis">
      {kpisOf(now, before).map((kpi) => (
        <li class="min-w-0 rounded-lg border border-slate-200 bg-white p-3 sm:p-4" data-kpi={kpi.key}>
          <div class="flex flex-wrap items-baseline justify-between gap-x-2">
            <span class="text-2xl font-semibold tabular-nums text-slate-900" data-kpi-value safe>
              {kpi.value}
            </span>
            <Change change={kpi.change} previous={previous} />
          </div>
          <div class="text-sm font-medium text-slate-700" safe>
            {kpi.label}
          </div>
          <div class="break-words text-xs text-slate-500" safe>
            {kpi.detail}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Unix seconds of a series bucket: a local day's midnight, or the hour itself. */
function bucketSeconds(t: string, zone: string): number {
  const at = t.length === 10 ? zonedToUtc(`${t}T00:00`, zone) : new Date(t);
  return Math.round((at?.getTime() ?? Date.parse(t)) / 1000);
}

/** The activity chart's data: sent, delivered, bounced, complained, and opens and clicks by people and by machines. */
function activityChart(data: Analytics): ChartData {
  const s = data.series;
  const machineOnly = (all: number, human: number) => Math.max(0, all - human);
  return {
    x: s.map((b) => bucketSeconds(b.t, data.filter.timeZone)),
    zone: data.filter.timeZone,
    step: data.filter.interval,
    left: "Mails",
    series: [
      { label: "Sent", colour: SERIES_COLOURS.sent, values: s.map((b) => b.sent) },
      { label: "Delivered", colour: SERIES_COLOURS.delivered, values: s.map((b) => b.delivered) },
      { label: "Bounced", colour: SERIES_COLOURS.bounced, values: s.map((b) => b.bounced) },
      { label: "Complained", colour: SERIES_COLOURS.complained, values: s.map((b) => b.complained) },
      { label: "Opened (people)", colour: SERIES_COLOURS.opened, values: s.map((b) => b.humanOpens) },
      { label: "Opened (machines only)", colour: SERIES_COLOURS.machineOpened, dashed: true, values: s.map((b) => machineOnly(b.uniqueOpens, b.humanOpens)) },
      { label: "Clicked (people)", colour: SERIES_COLOURS.clicked, values: s.map((b) => b.humanClicks) },
      { label: "Clicked (machines only)", colour: SERIES_COLOURS.machineClicked, dashed: true, values: s.map((b) => machineOnly(b.uniqueClicks, b.humanClicks)) },
      { label: "Unsubscribed", colour: SERIES_COLOURS.unsubscribed, values: s.map((b) => b.unsubscribed) },
    ],
  };
}

export function ActivityChart({ data }: { data: Analytics }) {
  return (
    <Chart
      id="activity-chart"
      label={`Mails sent, delivered, bounced, complained, opened and clicked per ${data.filter.interval}`}
      data={activityChart(data)}
      empty="No mail was sent and nothing happened in this period."
    />
  );
}
