// The metrics view (`?view=metrics&range=day&handler=demo/fail`): tasks completed and failed per minute or hour,
// failure rate and run duration p50/p95, overall or for one handler, over the last hour, day or week; below, each
// handler's totals over the range. One `queueMetrics` call when opened, on a change of range, and on Refresh.
import { METRICS_RANGES, type MetricsPoint, type MetricsRange, type MetricsSeries } from "../../contract";
import { errorMessage } from "../../actions";
import { h, replaceChildren } from "../../dom";
import { clockTime, duration } from "../../format";
import { fetchMetrics } from "../../metrics-actions";
import type { Route } from "../../route";
import { routeLink, type AdminContext } from "../context";
import { drawCharts } from "./charts";

const RANGE_LABELS: Record<MetricsRange, string> = { hour: "Last hour", day: "Last day", week: "Last week" };

/** Totals of a series of points: ended tasks, failure rate, and the worst p95 of the range. */
function summary(points: MetricsPoint[]) {
  const completed = points.reduce((n, p) => n + p.completed, 0);
  const failed = points.reduce((n, p) => n + p.failed, 0);
  const p95s = points.map((p) => p.p95Ms).filter((v): v is number => v !== null);
  const p50s = points.map((p) => p.p50Ms).filter((v): v is number => v !== null);
  return {
    completed,
    failed,
    rate: completed + failed > 0 ? failed / (completed + failed) : null,
    p50: p50s.length ? p50s.sort((a, b) => a - b)[Math.floor(p50s.length / 2)] : null,
    p95: p95s.length ? Math.max(...p95s) : null,
  };
}

/** The handlers' table's columns; on a narrow screen each cell is labelled with its column's name. */
const COLUMNS = ["Handler", "Completed", "Failed", "Failure rate", "p50 (median step)", "p95 (worst step)"];

export function createMetricsView(ctx: AdminContext) {
  const updated = h("span", { class: "muted small" });
  const refreshButton = h("button", { type: "button", class: "button small", onclick: () => void load() }, "Refresh");
  const ranges = h("nav", { class: "metrics-ranges", "aria-label": "Time range" });
  const charts = h("div", { class: "metrics-charts" });
  const table = h("div", { class: "metrics-table" });
  const status = h("p", { class: "metrics-status", "aria-live": "polite" });
  const element = h(
    "section",
    { class: "metrics-view", "aria-labelledby": "metrics-title" },
    h(
      "div",
      { class: "queue-head" },
      h("h1", { id: "metrics-title" }, "Metrics"),
      h("div", { class: "queue-head-right" }, updated, refreshButton),
    ),
    ranges,
    status,
    charts,
    table,
  );
  element.hidden = true;

  let route: Route | undefined;
  let series: MetricsSeries | undefined;
  let freeCharts = () => undefined as void;
  let generation = 0;

  function render() {
    if (!route) return;
    const range = route.range ?? "hour";
    replaceChildren(
      ranges,
      ...METRICS_RANGES.map((r) =>
        routeLink(
          { ...route!, range: r },
          { class: `button small${r === range ? " active" : ""}`, "aria-current": r === range ? "page" : undefined },
          RANGE_LABELS[r],
        ),
      ),
    );
    freeCharts();
    charts.replaceChildren();
    if (!series || series.range !== range) return;
    const handler = route.handler;
    const points = handler ? series.handlers[handler] : series.total;
    replaceChildren(
      status,
      handler ? `Handler ${handler}` : "All handlers",
      handler ? h("span", {}, " · ", routeLink({ ...route, handler: undefined }, {}, "show all")) : null,
    );
    if (!points) {
      replaceChildren(status, `No task of ${handler} ended in this range.`);
      return;
    }
    freeCharts = drawCharts(charts, points, series.stepMs === 60_000 ? "minute" : "hour");
    renderTable(series);
  }

  function renderTable(data: MetricsSeries) {
    const rows = [["All handlers", data.total] as const, ...Object.entries(data.handlers)].map(([key, points]) => {
      const s = summary(points);
      const name = key === "All handlers" ? key : routeLink({ ...route!, handler: key }, {}, key);
      return h(
        "tr",
        { "data-handler": key },
        h("th", { scope: "row", "data-label": COLUMNS[0] }, name),
        h("td", { "data-label": COLUMNS[1], "data-completed": String(s.completed) }, String(s.completed)),
        h("td", { "data-label": COLUMNS[2], "data-failed": String(s.failed) }, String(s.failed)),
        h("td", { "data-label": COLUMNS[3] }, s.rate === null ? "–" : `${(s.rate * 100).toFixed(1)}%`),
        h("td", { "data-label": COLUMNS[4] }, s.p50 === null ? "–" : `≤ ${duration(s.p50)}`),
        h("td", { "data-label": COLUMNS[5] }, s.p95 === null ? "–" : `≤ ${duration(s.p95)}`),
      );
    });
    replaceChildren(
      table,
      h(
        "table",
        // On a narrow screen the rows stack, each cell labelled with its column (styles.css, `table.stack`).
        { class: "table stack" },
        h("thead", {}, h("tr", {}, ...COLUMNS.map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ...rows),
      ),
    );
  }

  async function load() {
    const range = route?.range ?? "hour";
    const mine = ++generation;
    replaceChildren(status, "Loading…");
    try {
      const data = await fetchMetrics(ctx.services.functions, range);
      if (mine !== generation) return;
      series = data;
      updated.textContent = `Updated ${clockTime(new Date())}`;
    } catch (error) {
      if (mine !== generation) return;
      replaceChildren(status, `Could not load the metrics: ${errorMessage(error)}`);
      return;
    }
    render();
  }

  return {
    element,
    show(next: Route) {
      const rangeChanged = (route?.range ?? "hour") !== (next.range ?? "hour");
      route = next;
      element.hidden = false;
      document.title = "Metrics · Task queue admin";
      if (!series || rangeChanged) void load();
      else render();
    },
    hide() {
      element.hidden = true;
      generation++;
    },
  };
}
