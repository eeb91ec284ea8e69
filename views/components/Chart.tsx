/**
 * A uPlot chart drawn by public/islands/charts.js from the data written into the page. The page
 * carries the numbers (no second request), so a chart swapped in by htmx or restored by the
 * browser's back button draws itself again from what came with it.
 */

/** One colour per series everywhere (UI.md); machine opens and clicks are the lighter, dashed twins. */
export const SERIES_COLOURS = {
  sent: "#475569",
  delivered: "#16a34a",
  opened: "#0d9488",
  machineOpened: "#5eead4",
  clicked: "#2563eb",
  machineClicked: "#93c5fd",
  bounced: "#dc2626",
  complained: "#ea580c",
  unsubscribed: "#7c3aed",
  limit: "#94a3b8",
} as const;

export interface ChartSeries {
  label: string;
  colour: string;
  values: (number | null)[];
  dashed?: boolean;
  /** Drawn on the right-hand axis (a second unit, such as mails per second). */
  right?: boolean;
}

export interface ChartData {
  /** Unix seconds of each point. */
  x: number[];
  series: ChartSeries[];
  /** The zone the time axis is read in (the person's). */
  zone: string;
  /** "day" labels days only; "hour" labels hours. */
  step: "day" | "hour";
  /** Axis labels. */
  left: string;
  rightAxis?: string;
}

const hasData = (data: ChartData) => data.series.some((s) => !s.right && s.values.some((v) => (v ?? 0) > 0));

/** The chart, or a sentence when there is nothing to draw (never an empty grid). */
export function Chart({ id, label, data, empty }: { id: string; label: string; data: ChartData; empty: string }) {
  if (!hasData(data)) {
    return (
      <p class="rounded border border-dashed border-slate-300 bg-slate-50 px-4 py-8 text-center text-sm text-slate-600" data-testid={`${id}-empty`} safe>
        {empty}
      </p>
    );
  }
  return (
    // The numbers ride in an attribute (escaped like every attribute): htmx drops <script> elements it swaps in.
    <figure class="min-w-0" data-chart={id} data-chart-data={JSON.stringify(data)} data-testid={id} aria-label={label}>
      <div class="min-h-[260px] w-full" data-chart-canvas></div>
      <figcaption class="sr-only" safe>
        {label}
      </figcaption>
    </figure>
  );
}
