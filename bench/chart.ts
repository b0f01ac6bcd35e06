// Draws the bench's charts from bench/results.json. docs/performance.svg: the largest drain over time (tasks
// completed since the first was written) and its create→completed latency percentiles, the engine's claimed and
// express paths next to the plain design. docs/performance-scale.svg: cost per task and drain rate by drain size
// (bench/scale.ts). Plain SVG, no dependencies. `node --import tsx bench/chart.ts` redraws them from the committed
// results; `npm run bench` redraws them after a full run.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchResults, DrainComparison } from "./bench";
import type { DrainVariant } from "./drain";
import type { ScaleRow } from "./scale";

const ROOT = join(__dirname, "..");
export const RESULTS_FILE = join(ROOT, "bench", "results.json");
export const CHART_FILE = join(ROOT, "docs", "performance.svg");
export const SCALE_CHART_FILE = join(ROOT, "docs", "performance-scale.svg");

const SERIES: Array<{ variant: DrainVariant; name: string; color: string }> = [
  { variant: "engine", name: "engine (claimed)", color: "#1a73e8" },
  { variant: "express", name: "engine (express)", color: "#188038" },
  { variant: "plain", name: "plain design", color: "#e8710a" },
];
const W = 960;
const H = 380;
const PANEL = { top: 56, bottom: 56, height: H - 56 - 56 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const text = (x: number, y: number, s: string, attrs = "") =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;

/** Round axis maximum and tick step for `max`. */
function axis(max: number, ticks = 5): { top: number; step: number } {
  const raw = Math.max(max, 1e-9) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return { top: Math.ceil(max / step) * step, step };
}

/** The comparison the chart shows: the largest drain size. */
function largest(results: BenchResults): DrainComparison {
  return [...results.drain.sizes].sort((a, b) => b.tasks - a.tasks)[0];
}

function drainPanel(results: BenchResults, x0: number, width: number): string[] {
  const size = largest(results);
  const series = SERIES.map((s) => ({ ...s, curve: size[s.variant].curve, rate: size[s.variant].tasksPerSecond }));
  const xAxis = axis(Math.max(...series.map((s) => s.curve[s.curve.length - 1]?.[0] ?? 0)));
  const yAxis = axis(size.tasks);
  const sx = (t: number) => x0 + (t / xAxis.top) * width;
  const sy = (n: number) => PANEL.top + PANEL.height - (n / yAxis.top) * PANEL.height;
  const out = [
    text(x0, 36, `Drain: ${size.tasks.toLocaleString("en-US")} no-op tasks written at once`, 'class="title"'),
  ];
  for (let v = 0; v <= yAxis.top + 1e-9; v += yAxis.step) {
    out.push(`<line x1="${x0}" x2="${x0 + width}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/>`);
    out.push(text(x0 - 6, sy(v) + 4, String(Math.round(v)), 'text-anchor="end"'));
  }
  for (let t = 0; t <= xAxis.top + 1e-9; t += xAxis.step) {
    out.push(text(sx(t), PANEL.top + PANEL.height + 16, String(+t.toFixed(2)), 'text-anchor="middle"'));
  }
  out.push(text(x0 + width / 2, H - 14, "seconds since the first task was written", 'text-anchor="middle"'));
  out.push(text(x0 - 40, PANEL.top - 10, "tasks completed"));
  series.forEach((s, i) => {
    const points = s.curve.map(([t, n]) => `${sx(t).toFixed(1)},${sy(n).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    // Bottom right: the curves rise from bottom left to top right, so that corner stays clear.
    const ly = PANEL.top + PANEL.height - 58 + i * 18;
    out.push(`<rect x="${x0 + width - 200}" y="${ly - 9}" width="12" height="12" fill="${s.color}"/>`);
    out.push(text(x0 + width - 182, ly + 1, `${s.name}: ${s.rate} tasks/s`));
  });
  return out;
}

function latencyPanel(results: BenchResults, x0: number, width: number): string[] {
  const size = largest(results);
  const keys = ["p50", "p95", "p99"] as const;
  const yAxis = axis(Math.max(...keys.flatMap((k) => SERIES.map((s) => size[s.variant].latencyMs[k]))) / 1000);
  const sy = (s: number) => PANEL.top + PANEL.height - (s / yAxis.top) * PANEL.height;
  const out = [text(x0, 36, "Create → completed latency", 'class="title"')];
  for (let v = 0; v <= yAxis.top + 1e-9; v += yAxis.step) {
    out.push(`<line x1="${x0}" x2="${x0 + width}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/>`);
    out.push(text(x0 - 6, sy(v) + 4, String(+v.toFixed(2)), 'text-anchor="end"'));
  }
  out.push(text(x0 - 40, PANEL.top - 10, "seconds"));
  SERIES.forEach((s, i) => {
    out.push(`<rect x="${x0 + 8}" y="${PANEL.top + 5 + i * 18}" width="12" height="12" fill="${s.color}"/>`);
    out.push(text(x0 + 26, PANEL.top + 15 + i * 18, s.name));
  });
  const group = width / keys.length;
  const bar = group / 5;
  keys.forEach((k, i) => {
    const gx = x0 + i * group + group / 2;
    SERIES.forEach((s, j) => {
      const value = size[s.variant].latencyMs[k] / 1000;
      const x = gx + (j - SERIES.length / 2) * (bar + 2);
      const y = sy(value);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" ` +
          `height="${(PANEL.top + PANEL.height - y).toFixed(1)}" fill="${s.color}"/>`,
      );
      out.push(text(x + bar / 2, y - 4, value.toFixed(2), 'text-anchor="middle" class="small"'));
    });
    out.push(text(gx, PANEL.top + PANEL.height + 16, k, 'text-anchor="middle"'));
  });
  return out;
}

export function renderChart(results: BenchResults): string {
  const left = 70;
  const panelWidth = (W - left - 60 - 70) / 2;
  const body = [
    ...drainPanel(results, left, panelWidth),
    ...latencyPanel(results, left + panelWidth + 90, panelWidth - 20),
  ];
  const caption =
    `npm run bench (${results.mode}), ${results.startedAt.slice(0, 10)}, Firebase emulators on ` +
    `${results.machine.cpus} CPUs: emulator figures, not production ones`;
  return svg(body, caption);
}

/** One panel of the scale chart: `series` against the drain size, on a logarithmic x axis. */
function scalePanel(
  rows: ScaleRow[],
  x0: number,
  width: number,
  title: string,
  unit: string,
  series: Array<{ name: string; color: string; value: (row: ScaleRow) => number }>,
): string[] {
  const sizes = rows.map((r) => r.tasks);
  const [lo, hi] = [Math.log10(Math.min(...sizes)), Math.log10(Math.max(...sizes))];
  const sx = (n: number) => x0 + (hi > lo ? ((Math.log10(n) - lo) / (hi - lo)) * width : width / 2);
  const yAxis = axis(Math.max(...rows.flatMap((r) => series.map((s) => s.value(r)))) * 1.15);
  const sy = (v: number) => PANEL.top + PANEL.height - (v / yAxis.top) * PANEL.height;
  const out = [text(x0, 36, title, 'class="title"')];
  for (let v = 0; v <= yAxis.top + 1e-9; v += yAxis.step) {
    out.push(`<line x1="${x0}" x2="${x0 + width}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/>`);
    out.push(text(x0 - 6, sy(v) + 4, String(+v.toFixed(2)), 'text-anchor="end"'));
  }
  for (const n of sizes) {
    out.push(text(sx(n), PANEL.top + PANEL.height + 16, n.toLocaleString("en-US"), 'text-anchor="middle"'));
  }
  out.push(text(x0 + width / 2, H - 14, "tasks written at once (log scale)", 'text-anchor="middle"'));
  out.push(text(x0 - 40, PANEL.top - 10, unit));
  series.forEach((s, i) => {
    const points = rows.map((r) => `${sx(r.tasks).toFixed(1)},${sy(s.value(r)).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const r of rows) {
      out.push(`<circle cx="${sx(r.tasks).toFixed(1)}" cy="${sy(s.value(r)).toFixed(1)}" r="3" fill="${s.color}"/>`);
      if (r.disturbed) out.push(text(sx(r.tasks) + 5, sy(s.value(r)) - 6, "*", `fill="${s.color}"`));
    }
    const ly = PANEL.top + PANEL.height - 40 + i * 18;
    out.push(`<rect x="${x0 + 8}" y="${ly - 9}" width="12" height="12" fill="${s.color}"/>`);
    out.push(text(x0 + 26, ly + 1, s.name));
  });
  return out;
}

/** docs/performance-scale.svg: cost per task and drain rate against the drain size (bench/scale.ts). */
export function renderScaleChart(results: BenchResults): string | undefined {
  const rows = results.scale ?? [];
  if (rows.length < 2) return undefined;
  const left = 70;
  const panelWidth = (W - left - 60 - 70) / 2;
  const body = [
    ...scalePanel(rows, left, panelWidth, "Cost per task", "per task", [
      { name: "writes", color: "#1a73e8", value: (r) => r.writesPerTask },
      { name: "invocations", color: "#188038", value: (r) => r.invocationsPerTask },
    ]),
    ...scalePanel(rows, left + panelWidth + 90, panelWidth - 20, "Drain rate, engine (claimed path)", "tasks/s", [
      { name: "tasks completed per second", color: "#e8710a", value: (r) => r.tasksPerSecond },
    ]),
  ];
  const lost = rows.filter((r) => !r.exactlyOnce).length;
  const caption =
    `npm run bench (${results.mode}), ${results.startedAt.slice(0, 10)}, Firebase emulators on ` +
    `${results.machine.cpus} CPUs; ${lost ? `${lost} size(s) NOT exactly once` : "every task completed exactly once"}` +
    (rows.some((r) => r.disturbed) ? "; * a sweeper pass or a reload of the functions during that drain" : "");
  return svg(body, caption);
}

function svg(body: string[], caption: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="system-ui, sans-serif" font-size="12">`,
    "<style>.title{font-size:15px;font-weight:600}.grid{stroke:#e0e0e0}.small{font-size:10px}</style>",
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    ...body,
    text(W / 2, H - 0.5 + -2, caption, 'text-anchor="middle" class="small" fill="#666"'),
    "</svg>",
    "",
  ].join("\n");
}

/** Writes both charts (the scale chart only when the results have a scale run). */
export function writeCharts(results: BenchResults): string[] {
  writeFileSync(CHART_FILE, renderChart(results));
  const scale = renderScaleChart(results);
  if (scale) writeFileSync(SCALE_CHART_FILE, scale);
  return scale ? [CHART_FILE, SCALE_CHART_FILE] : [CHART_FILE];
}

if (require.main === module) {
  const results = JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as BenchResults;
  for (const file of writeCharts(results)) console.log(`wrote ${file}`);
}
