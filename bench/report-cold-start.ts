// The cold-start row of the report: its budgets, its table, and its Markdown for docs/performance.md.
import { BUDGETS } from "./config";
import type { ColdStartResult, ColdStartRow } from "./cold-start";
import { fmt, table } from "./format";
import { round } from "./stats";
import type { BudgetCheck } from "./report";

/**
 * The SDK's own floor for the row's kind: how a bare function of that kind loads next to the plain design (both
 * ratios are of samples taken side by side, so the machine's load cancels out), or 1 where it loads less.
 */
function sdkFloor(result: ColdStartResult, row: ColdStartRow): number {
  const bare = result.bare.find((b) => b.kind === row.kind);
  return Math.max(1, bare?.ratio ?? 1);
}

/**
 * One speed budget per deployed function: its load ÷ the plain design's, divided by the SDK's floor for its kind (a bare `onCall` loads more than a bare
 * Firestore trigger, whatever the template does).
 */
export function coldStartBudgets(result: ColdStartResult): BudgetCheck[] {
  return result.functions.map((row) => {
    const floor = sdkFloor(result, row);
    const value = round(row.ratio / floor, 3);
    return {
      id: `coldStart-${row.name}`,
      description: `cold start ÷ plain design ÷ bare ${row.kind} function's (${fmt(floor, 2)}), ${row.name}`,
      kind: "speed",
      limit: `≤ ${BUDGETS.coldStartRatio}`,
      value,
      ok: value <= BUDGETS.coldStartRatio,
    };
  });
}

const rowCells = (row: ColdStartRow) => [
  row.name,
  row.kind,
  fmt(row.ms, 1),
  fmt(row.cpuMs, 1),
  fmt(row.peakRssMiB, 1),
  fmt(row.plainMs, 1),
  fmt(row.ratio, 2),
  fmt(row.cpuRatio, 2),
  row.ratioToBare === undefined ? "" : fmt(row.ratioToBare, 2),
];

const HEADER = ["entry point", "kind", "ms", "CPU ms", "peak MiB", "plain ms", "÷ plain", "CPU ÷ plain", "÷ bare"];

/** Overall: the heaviest function, and the median function, against the plain design. */
function overall(result: ColdStartResult): string {
  const ratios = result.functions.map((f) => f.ratio).sort((a, b) => a - b);
  const worst = result.functions.find((f) => f.ratio === ratios[ratios.length - 1]);
  return (
    `Overall: median function ${fmt(ratios[Math.floor((ratios.length - 1) / 2)], 2)} × the plain design, ` +
    `heaviest ${worst?.name} ${fmt(worst?.ratio, 2)} ×; every function at once ${fmt(result.everything.ratio, 2)} ×`
  );
}

/** The plain-text table `npm run bench` prints. */
export function formatColdStart(result: ColdStartResult): string {
  return [
    `Cold start: a whole \`node\` process (${result.node}) loading the built entry module as a deployed instance of ` +
      `each function does, next to the plain design's (median of ${result.runs}, each sample beside one of the ` +
      `plain design's; plain design overall ${fmt(result.plain.ms, 1)} ms, ${fmt(result.plain.peakRssMiB, 1)} MiB)`,
    table(HEADER, [...result.functions, result.everything, ...result.bare].map(rowCells)),
    overall(result),
  ].join("\n");
}

/** The same as Markdown, for docs/performance.md. */
export function markdownColdStart(result: ColdStartResult): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(HEADER),
    line(HEADER.map(() => "---")),
    ...[...result.functions, result.everything, ...result.bare].map((row) => line(rowCells(row))),
  ].join("\n");
}
