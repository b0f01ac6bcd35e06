// The scale row of the report: the engine's drain at growing sizes, as a table and as Markdown.
import { fmt, table } from "./format";
import type { ScaleRow } from "./scale";
import type { BudgetCheck } from "./report";

const byFunction = (counts: Record<string, number> | undefined) =>
  counts && Object.keys(counts).length > 1
    ? ` (${Object.entries(counts)
        .map(([fn, n]) => `${fn} ${fmt(n, 3)}`)
        .join(", ")})`
    : "";

/** Count budgets: every task of every size completed exactly once. */
export function scaleBudgets(rows: ScaleRow[]): BudgetCheck[] {
  return rows.map((row) => ({
    id: `scaleExactlyOnce${row.tasks}`,
    description: `every task completed exactly once (attempts 1), ${fmt(row.tasks)} tasks at once`,
    kind: "count",
    limit: `${fmt(row.tasks)}`,
    value: row.exactlyOnce ? row.tasks : Math.min(row.completed, row.completedOnFirstAttempt),
    ok: row.exactlyOnce,
  }));
}

const HEADER = [
  "tasks",
  "completed",
  "on 1st attempt",
  "trigger runs/task",
  "writes/task",
  "invocations/task (by function)",
  "reads/task",
  "tasks/s",
  "seconds",
  "p50 s",
  "p95 s",
  "exactly once",
];

const cells = (row: ScaleRow) => [
  fmt(row.tasks),
  fmt(row.completed),
  fmt(row.completedOnFirstAttempt),
  fmt(row.triggerRunsPerTask),
  fmt(row.writesPerTask),
  `${fmt(row.invocationsPerTask)}${byFunction(row.invocationsByFunction)}`,
  fmt(row.readsPerTask),
  `${fmt(row.tasksPerSecond, 1)}${row.disturbed ? "*" : ""}`,
  fmt(row.seconds, 1),
  fmt(row.latencyMs.p50 / 1000, 1),
  fmt(row.latencyMs.p95 / 1000, 1),
  row.exactlyOnce ? "yes" : "NO",
];

export function formatScale(rows: ScaleRow[]): string {
  if (!rows.length) return "Scale: skipped (quick mode)";
  return [
    "Scale: the engine's claimed path (demo.noop), tasks written at once, one drain per size (* = the functions " +
      "were reloaded or a sweeper pass ran meanwhile)",
    table(HEADER, rows.map(cells)),
  ].join("\n");
}

export function markdownScale(rows: ScaleRow[]): string {
  const line = (c: string[]) => `| ${c.join(" | ")} |`;
  return [line(HEADER), line(HEADER.map(() => "---")), ...rows.map((row) => line(cells(row)))].join("\n");
}
