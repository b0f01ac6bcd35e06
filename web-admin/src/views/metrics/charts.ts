// The metrics charts, drawn with uPlot (a maintained, small, typed canvas time-series library: docs/decisions.md):
// outcomes per step, failure rate, run duration p50/p95. One chart each, the same time axis.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { MetricsPoint } from "../../contract";
import { duration } from "../../format";
import { h } from "../../dom";

const COLORS = { completed: "#1e8e3e", failed: "#d93025", rate: "#b06000", p50: "#1a73e8", p95: "#7b1fa2" };
const HEIGHT = 180;

interface ChartSpec {
  title: string;
  series: { label: string; color: string; values: (p: MetricsPoint) => number | null; bars?: boolean }[];
  value: (v: number) => string;
}

function specs(unit: string): ChartSpec[] {
  return [
    {
      title: `Tasks ended per ${unit}`,
      series: [
        { label: "Completed", color: COLORS.completed, values: (p) => p.completed, bars: true },
        // A line over the bars: failures are few beside completions, and a bar of them would hide behind.
        { label: "Failed", color: COLORS.failed, values: (p) => p.failed },
      ],
      value: (v) => String(Math.round(v)),
    },
    {
      title: "Failure rate",
      series: [{ label: "Failed / ended", color: COLORS.rate, values: (p) => p.failureRate }],
      // One decimal: rates of a few percent tick every half percent, and whole percents would repeat ("3%, 3%").
      value: (v) => `${Number((v * 100).toFixed(1))}%`,
    },
    {
      title: "Run duration",
      series: [
        { label: "p50", color: COLORS.p50, values: (p) => p.p50Ms },
        { label: "p95", color: COLORS.p95, values: (p) => p.p95Ms },
      ],
      value: (v) => duration(v),
    },
  ];
}

/**
 * The width of one chart in `container`: two side by side on a wide screen, one per row on a narrow one (the grid in
 * styles.css places them).
 */
function chartWidth(container: HTMLElement): number {
  const columns = container.clientWidth >= 2 * 460 + 24 ? 2 : 1;
  return Math.max(280, Math.floor(((container.clientWidth || 720) - (columns - 1) * 24) / columns));
}

/**
 * Draws the three charts of `points` into `container`, and sizes them again when its width changes (a rotated phone,
 * a resized window: uPlot draws on a canvas of fixed size); returns a function that frees them.
 */
export function drawCharts(container: HTMLElement, points: MetricsPoint[], unit: "minute" | "hour"): () => void {
  const width = chartWidth(container);
  const xs = points.map((p) => p.at / 1000);
  const plots = specs(unit).map((spec) => {
    const figure = h("figure", { class: "metrics-chart", "data-chart": spec.title });
    container.append(figure);
    const data: uPlot.AlignedData = [xs, ...spec.series.map((s) => points.map(s.values))];
    const barPaths = uPlot.paths.bars?.({ size: [0.6, 12] });
    return new uPlot(
      {
        title: spec.title,
        width,
        height: HEIGHT,
        scales: { x: { time: true } },
        axes: [{}, { values: (_u, ticks) => ticks.map(spec.value), size: 60 }],
        series: [
          {},
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            value: (_u: uPlot, v: number | null) => (v === null ? "–" : spec.value(v)),
            ...(s.bars ? { fill: `${s.color}55`, paths: barPaths } : { spanGaps: false, points: { show: false } }),
          })),
        ],
      },
      data,
      figure,
    );
  });
  let drawnWidth = width;
  const resized = new ResizeObserver(() => {
    const next = chartWidth(container);
    if (next === drawnWidth) return;
    drawnWidth = next;
    for (const plot of plots) plot.setSize({ width: next, height: HEIGHT });
  });
  resized.observe(container);
  return () => {
    resized.disconnect();
    plots.forEach((plot) => plot.destroy());
  };
}
