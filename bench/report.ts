// Budgets checked against the results, and the results as the table `npm run bench` prints (and as Markdown for
// docs/performance.md).
import { formatDelay } from "./delay";
import { BUDGETS } from "./config";
import type { BenchResults } from "./bench";
import type { CountResult } from "./counts";

export interface BudgetCheck {
  id: string;
  description: string;
  /** Counts are deterministic (asserted in `npm test`); speed ratios depend on the machine (checked by the bench). */
  kind: "count" | "speed";
  limit: string;
  value: number | null;
  /** null: could not be measured in this run (see `note`). */
  ok: boolean | null;
  note?: string;
}

/** Why the counts of a scenario cannot be trusted, if they cannot. */
export function countProblem(result: CountResult | undefined): string | undefined {
  if (!result) return "scenario missing";
  if (result.reachedExpectedState !== result.tasks) {
    return `${result.tasks - result.reachedExpectedState} of ${result.tasks} tasks did not reach ${result.expectedState}`;
  }
  if (result.invocationsPerTask.total === 0) return "no function executions in the emulator log";
  if (result.writesPerTask.functions === 0) return "the Firestore request meter reported nothing";
  if (!result.isolated || result.foreignRequests > 0) return "other activity overlapped the scenario";
  return undefined;
}

export function checkBudgets(results: Omit<BenchResults, "budgets">): BudgetCheck[] {
  const success = results.counts.find((c) => c.id === "success");
  const problem = countProblem(success);
  const count = (id: string, description: string, limit: number, value: number | undefined): BudgetCheck => ({
    id,
    description,
    kind: "count",
    limit: `≤ ${limit}`,
    value: value ?? null,
    ok: problem || value === undefined ? false : value <= limit,
    ...(problem ? { note: problem } : {}),
  });
  const checks: BudgetCheck[] = [
    count(
      "writesPerSuccessfulTask",
      "writes per successful task",
      BUDGETS.writesPerSuccessfulTask,
      success?.writesPerTask.total,
    ),
    count(
      "invocationsPerSuccessfulTask",
      "invocations per successful task",
      BUDGETS.invocationsPerSuccessfulTask,
      success?.invocationsPerTask.total,
    ),
    count(
      "readingInvocationsPerSuccessfulTask",
      "invocations reading Firestore per successful task",
      BUDGETS.readingInvocationsPerSuccessfulTask,
      success?.readingInvocationsPerTask,
    ),
    {
      id: "drainRatio",
      description: "engine drain ÷ minimal trigger drain",
      kind: "speed",
      limit: `≥ ${BUDGETS.drainRatio}`,
      value: results.drain.ratio,
      ok: results.drain.ratio >= BUDGETS.drainRatio,
    },
  ];
  const retry = results.bulkRetry;
  checks.push({
    id: "bulkRetryRatio",
    description: "bulk retry writes/s ÷ default BulkWriter writes/s",
    kind: "speed",
    limit: `≥ ${BUDGETS.bulkRetryRatio}`,
    value: retry.available ? (retry.ratioToBulkWriter ?? null) : null,
    ok: retry.available ? (retry.ratioToBulkWriter ?? 0) >= BUDGETS.bulkRetryRatio : null,
    ...(retry.available ? {} : { note: `not available: ${retry.reason}` }),
  });
  return checks;
}

const fmt = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value)
    ? "n/a"
    : Number.isInteger(value)
      ? value.toLocaleString("en-US")
      : value.toLocaleString("en-US", { maximumFractionDigits: digits });

function byFunction(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([fn, n]) => `${fn} ${fmt(n)}`).join(", ") : "none";
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function status(check: BudgetCheck): string {
  return check.ok === null ? "NOT CHECKED" : check.ok ? "ok" : "MISSED";
}

/** The plain-text report `npm run bench` prints. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  const { machine, sizes } = results;
  out.push(
    `Benchmark (${results.mode}), ${results.startedAt}, ${machine.cpus} CPUs, Node ${machine.node}, ` +
      `firebase-tools ${machine.firebaseTools}, load ${machine.loadAverage.start.join(" ")} → ` +
      `${machine.loadAverage.end.join(" ")}, ${results.durationSeconds} s`,
    "",
    `What a task costs (${sizes.countTasks} tasks per row; invocations from the Functions emulator's log, writes and ` +
      "reads from the functions' Firestore request meter, + 1 client create)",
  );
  out.push(
    table(
      ["task", "writes", "invocations", "by function", "reads", "reading inv.", "no-read inv.", "final state"],
      results.counts.map((c) => [
        c.label,
        fmt(c.writesPerTask.total),
        fmt(c.invocationsPerTask.total),
        byFunction(c.invocationsPerTask.byFunction),
        fmt(c.readsPerTask.total),
        `≤ ${fmt(c.readingInvocationsPerTask)}`,
        `≥ ${fmt(c.invocationsWithoutReadPerTask)}`,
        `${c.reachedExpectedState}/${c.tasks} ${c.expectedState}${countProblem(c) ? ` (${countProblem(c)})` : ""}`,
      ]),
    ),
  );
  out.push(
    "(A retry is usually run by runTask at its backoff time, 1 read; when the retry's trigger event arrives after the " +
      "backoff has passed, as on a loaded machine, the trigger runs it itself: runTask's share can be below 1 per retry.)",
  );
  const { drain, rawWrites } = results;
  out.push(
    "",
    `Drain: ${fmt(sizes.drainTasks)} no-op tasks written at once (best of ${sizes.drainRounds} round(s) per trigger)`,
    table(
      ["trigger", "tasks/s", "seconds", "p50 ms", "p95 ms", "p99 ms", "max ms", "all rounds (tasks/s)"],
      (["engine", "minimal"] as const).map((variant) => {
        const d = drain[variant];
        const all = drain.rounds.filter((r) => r.variant === variant).map((r) => fmt(r.tasksPerSecond, 1));
        return [
          variant === "engine" ? "engine (dispatchTask)" : "minimal (benchMinimalTask)",
          fmt(d.tasksPerSecond, 1),
          fmt(d.seconds),
          fmt(d.latencyMs.p50),
          fmt(d.latencyMs.p95),
          fmt(d.latencyMs.p99),
          fmt(d.latencyMs.max),
          all.join(", "),
        ];
      }),
    ),
    `engine ÷ minimal: ${fmt(drain.ratio, 3)}`,
    "",
    `Raw emulator writes (${fmt(rawWrites.bulkWriterDefault.docs)} documents, one BulkWriter): ` +
      `default throttling ${fmt(rawWrites.bulkWriterDefault.writesPerSecond, 0)} writes/s, ` +
      `unthrottled ${fmt(rawWrites.unthrottled.writesPerSecond, 0)} writes/s`,
  );
  out.push("", formatDelay(results.delay));
  const retry = results.bulkRetry;
  out.push(
    retry.available
      ? `Bulk retry: ${fmt(retry.retried)} of ${fmt(retry.tasks)} failed tasks retried in ${fmt(retry.seconds)} s ` +
          `(${retry.calls} call(s), ${retry.skipped} skipped, ${retry.errors} errors, ${fmt(retry.verified)} ` +
          `verified scheduled) = ${fmt(retry.writesPerSecond, 0)} writes/s; ` +
          `÷ default BulkWriter: ${fmt(retry.ratioToBulkWriter, 3)}`
      : `Bulk retry: NOT AVAILABLE (${retry.reason})`,
    "",
    "Budgets",
    table(
      ["budget", "limit", "measured", "result"],
      results.budgets.map((b) => [
        `${b.description} (${b.kind})`,
        b.limit,
        fmt(b.value, 3),
        `${status(b)}${b.note ? ` (${b.note})` : ""}`,
      ]),
    ),
  );
  return out.join("\n");
}

/** The cost table as Markdown, for docs/performance.md. */
export function markdownCounts(results: BenchResults): string {
  const rows = results.counts.map(
    (c) =>
      `| ${c.label} | ${fmt(c.writesPerTask.total)} | ${fmt(c.invocationsPerTask.total)} (${byFunction(
        c.invocationsPerTask.byFunction,
      )}) | ${fmt(c.readsPerTask.total)} | ${fmt(c.invocationsWithoutReadPerTask)} |`,
  );
  return [
    "| task | writes | invocations | reads | invocations without a read |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
