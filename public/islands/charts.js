// Draws every [data-chart] figure with uPlot from the JSON it carries (views/components/Chart.tsx).
// Runs on page load and on every htmx swap or history restore (htmx:load), and redraws at the
// figure's width when the window changes size.
(function () {
  const number = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("en", { maximumFractionDigits: 2 }));

  function options(data, width) {
    const zone = data.zone;
    const axisFont = "12px system-ui, sans-serif";
    const series = [
      {
        label: data.step === "day" ? "Day" : "Hour",
        value: (u, ts) =>
          ts === null
            ? "—"
            : new Intl.DateTimeFormat("en-GB", data.step === "day" ? { timeZone: zone, dateStyle: "medium" } : { timeZone: zone, dateStyle: "medium", timeStyle: "short" }).format(new Date(ts * 1000)),
      },
    ];
    for (const s of data.series) {
      series.push({
        label: s.label,
        stroke: s.colour,
        width: 2,
        dash: s.dashed ? [6, 4] : undefined,
        scale: s.right ? "right" : "y",
        value: (u, v) => number(v),
        points: { show: data.x.length < 60 },
      });
    }
    // Ticks on whole buckets: no quarter hours on hourly figures, no hours on daily ones.
    const HOUR = 3600;
    const DAY = 24 * HOUR;
    const incrs = data.step === "day" ? [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY] : [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];
    const axes = [
      { font: axisFont, stroke: "#475569", grid: { stroke: "#e2e8f0" }, incrs },
      { font: axisFont, stroke: "#475569", grid: { stroke: "#e2e8f0" }, label: data.left, labelFont: axisFont, size: 60, values: (u, ticks) => ticks.map(number) },
    ];
    if (data.rightAxis) {
      axes.push({ scale: "right", side: 1, font: axisFont, stroke: "#475569", grid: { show: false }, label: data.rightAxis, labelFont: axisFont, size: 60, values: (u, ticks) => ticks.map(number) });
    }
    return {
      width,
      height: 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      // The y-axes start at zero (UI.md); counts never go below it.
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] }, right: { range: (u, min, max) => [0, Math.max(1, max)] } },
      series,
      axes,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    };
  }

  function draw(figure) {
    const source = figure.getAttribute("data-chart-data");
    const canvas = figure.querySelector("[data-chart-canvas]");
    if (!source || !canvas || typeof uPlot === "undefined") return;
    if (figure._chart) figure._chart.destroy();
    // A restored page may hold the previous drawing's markup: start from an empty box.
    canvas.replaceChildren();
    const data = JSON.parse(source);
    const width = Math.max(240, canvas.clientWidth || figure.clientWidth || 320);
    figure._chart = new uPlot(options(data, width), [data.x, ...data.series.map((s) => s.values)], canvas);
    figure._width = width;
  }

  // Draws the figures that have no drawing yet (new ones from a swap, restored ones from history).
  function drawMissing() {
    document.querySelectorAll("[data-chart]").forEach((figure) => {
      if (!figure._chart) draw(figure);
    });
  }

  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      document.querySelectorAll("[data-chart]").forEach((figure) => {
        const canvas = figure.querySelector("[data-chart-canvas]");
        if (figure._chart && canvas && Math.abs((canvas.clientWidth || 0) - figure._width) > 8) {
          figure._width = Math.max(240, canvas.clientWidth);
          figure._chart.setSize({ width: figure._width, height: 260 });
        }
      });
    }, 150);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawMissing);
  else drawMissing();
  document.addEventListener("htmx:load", drawMissing);
  document.addEventListener("htmx:afterSettle", drawMissing);
  document.addEventListener("htmx:historyRestore", drawMissing);
  // The copy htmx keeps for the back button must not hold the drawings: their inline sizes would be
  // refused by the page's CSP when put back. They go just before the copy is taken (the swap that
  // follows replaces or keeps them; kept ones are drawn again once it settles) and are drawn again
  // from their data when the copy comes back.
  document.addEventListener("htmx:beforeHistorySave", () => {
    document.querySelectorAll("[data-chart]").forEach((figure) => {
      if (figure._chart) figure._chart.destroy();
      figure._chart = null;
      const canvas = figure.querySelector("[data-chart-canvas]");
      if (canvas) canvas.replaceChildren();
    });
  });
})();
