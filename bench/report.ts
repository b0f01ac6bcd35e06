// Budgets checked against the results, and the results as the table `npm run bench` prints (and as Markdown for
// docs/performance.md).
import { formatDelay } from "./delay";
import { BUDGETS } from "./config";
import { round } from "./stats";
import { fmt, table } from "./format";
import { coldStartBudgets, formatColdStart } from "./report-cold-start";
import { formatScale, scaleBudgets } from "./report-scale";
import type { BenchResults, DrainComparison } from "./bench";
import type { CountResult } from "./counts";
import { disturbed, VARIANT_LABELS, type DrainResult, type DrainVariant } from "./drain";
import { markdownWorkflows } from "./workflows";

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
  const express = results.counts.find((c) => c.id === "express");
  const limited = results.counts.find((c) => c.id === "limited");
  const count = (
    id: string,
    description: string,
    limit: number,
    value: number | undefined,
    scenario = success,
  ): BudgetCheck => {
    const problem = countProblem(scenario);
    return {
      id,
      description,
      kind: "count",
      limit: `≤ ${limit}`,
      value: value ?? null,
      ok: problem || value === undefined ? false : value <= limit,
      ...(problem ? { note: problem } : {}),
    };
  };
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
    count(
      "writesPerExpressTask",
      "writes per successful task, express path",
      BUDGETS.writesPerExpressTask,
      express?.writesPerTask.total,
      express,
    ),
    count(
      "writesPerLimitedTask",
      "writes per successful task, rate-limited handler",
      BUDGETS.writesPerSuccessfulTask,
      limited?.writesPerTask.total,
      limited,
    ),
    count(
      "invocationsPerLimitedTask",
      "invocations per successful task, rate-limited handler",
      BUDGETS.invocationsPerLimitedTask,
      limited?.invocationsPerTask.total,
      limited,
    ),
  ];
  const rate = results.limitedRate;
  checks.push(
    {
      id: "limitedRateHeld",
      description: `most starts in any second, ${rate.handler} (limit ${rate.configuredPerSecond}/s)`,
      kind: "count",
      limit: `≤ ${rate.configuredPerSecond}`,
      value: rate.mostStartsInOneSecond,
      ok: rate.completed === rate.tasks && rate.mostStartsInOneSecond <= rate.configuredPerSecond,
      ...(rate.completed === rate.tasks ? {} : { note: `${rate.tasks - rate.completed} tasks did not complete` }),
    },
    {
      id: "limitedRateShare",
      description: `rate achieved ÷ limit, ${rate.handler}`,
      kind: "speed",
      limit: `≥ ${BUDGETS.limitedRateShare}`,
      value: round(rate.measuredPerSecond / rate.configuredPerSecond, 3),
      ok: rate.measuredPerSecond >= BUDGETS.limitedRateShare * rate.configuredPerSecond,
    },
  );
  for (const size of results.drain.sizes) {
    const ratio = (id: string, what: string, limit: number, value: number): BudgetCheck => ({
      id: `${id}${size.tasks}`,
      description: `${what} ÷ plain design drain, ${fmt(size.tasks)} tasks`,
      kind: "speed",
      limit: `≥ ${limit}`,
      value,
      ok: value >= limit,
    });
    checks.push(
      ratio("drainRatio", "engine (claimed path)", BUDGETS.drainRatio, size.ratios.engine),
      ratio("expressDrainRatio", "engine (express path)", BUDGETS.expressDrainRatio, size.ratios.express),
    );
  }
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
  checks.push(...scaleBudgets(results.scale), ...coldStartBudgets(results.coldStart));
  return checks;
}

function byFunction(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([fn, n]) => `${fn} ${fmt(n)}`).join(", ") : "none";
}

function status(check: BudgetCheck): string {
  return check.ok === null ? "NOT CHECKED" : check.ok ? "ok" : "MISSED";
}

const DRAIN_ORDER: DrainVariant[] = ["engine", "express", "plain"];

/**
 * Every round's tasks/s; `*` marks a round during which the functions were reloaded or a sweeper pass ran (left out
 * of "best" when the variant has an undisturbed round).
 */
function roundsOf(result: DrainResult, rounds: DrainResult[]): string {
  return rounds
    .filter((r) => r.variant === result.variant && r.tasks === result.tasks)
    .map((r) => `${fmt(r.tasksPerSecond, 1)}${disturbed(r) ? "*" : ""}`)
    .join(", ");
}

function drainTable(sizes: DrainComparison[], rounds: DrainResult[] = []): string {
  return table(
    [
      "tasks",
      "variant",
      "tasks/s",
      "seconds",
      "inv./task",
      "by function",
      "writes/task",
      "reads/task",
      "p50 ms",
      "p95 ms",
      "max ms",
      "rounds (tasks/s)",
    ],
    sizes.flatMap((size) =>
      DRAIN_ORDER.map((variant) => {
        const d = size[variant];
        return [
          fmt(size.tasks),
          VARIANT_LABELS[variant],
          fmt(d.tasksPerSecond, 1),
          fmt(d.seconds),
          fmt(d.invocationsPerTask.total),
          byFunction(d.invocationsPerTask.byFunction),
          fmt(d.writesPerTask.total),
          fmt(d.readsPerTask),
          fmt(d.latencyMs.p50),
          fmt(d.latencyMs.p95),
          fmt(d.latencyMs.max),
          `${roundsOf(d, rounds)}${d.isolated ? "" : " (not isolated)"}`,
        ];
      }),
    ),
  );
}

/** The plain-text report `npm run bench` prints. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  const { machine, sizes } = results;
  out.push(
    `Benchmark (${results.mode}), ${results.startedAt}, ${machine.cpus} CPUs, Node ${machine.node}, ` +
      `firebase-tools ${machine.firebaseTools}, load ${machine.loadAverage.start.join(" ")} → ` +
      `${machine.loadAverage.end.join(" ")}, ${results.durationSeconds} s (` +
      Object.entries(results.phaseSeconds)
        .map(([phase, seconds]) => `${phase} ${seconds}`)
        .join(", ") +
      ")",
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
    "(Each retry is one runTask invocation at its backoff time, through the Cloud Tasks queue; it reads the task once.)",
  );
  const { drain, rawWrites } = results;
  out.push(
    "",
    `Drain: no-op tasks written at once, the engine next to the plain design (best of ${sizes.drainRounds} round(s) ` +
      "per variant and size; invocations from the emulator log, writes from the request meter + the client's creates; " +
      "* = the functions were reloaded or a sweeper pass ran during that round, which is then left out of the best)",
    drainTable(drain.sizes, drain.rounds),
    ...drain.sizes.map(
      (size) =>
        `${fmt(size.tasks)} tasks: engine ÷ plain ${fmt(size.ratios.engine, 3)} (target ≥ ${BUDGETS.drainRatio}), ` +
        `express ÷ plain ${fmt(size.ratios.express, 3)} (target ≥ ${BUDGETS.expressDrainRatio})`,
    ),
    "",
    `Raw emulator writes (${fmt(rawWrites.bulkWriterDefault.docs)} documents, one BulkWriter): ` +
      `default throttling ${fmt(rawWrites.bulkWriterDefault.writesPerSecond, 0)} writes/s, ` +
      `unthrottled ${fmt(rawWrites.unthrottled.writesPerSecond, 0)} writes/s`,
  );
  out.push(
    "",
    `Delayed tasks (${sizes.delayTasks} per delay, lateness = startedAt − runAt)`,
    ...results.delay.map(formatDelay),
    "",
    markdownLimitedRate(results),
    "",
    "Workflows (each next to the same work without the feature)",
    markdownWorkflows(results.workflows),
  );
  const retry = results.bulkRetry;
  out.push(
    "",
    retry.available
      ? `Bulk retry: ${fmt(retry.retried)} of ${fmt(retry.tasks)} failed tasks retried in ${fmt(retry.seconds)} s ` +
          `(${retry.calls} call(s), ${retry.skipped} skipped, ${retry.errors} errors, ${fmt(retry.verified)} ` +
          `verified retried) = ${fmt(retry.writesPerSecond, 0)} writes/s; ` +
          `÷ default BulkWriter: ${fmt(retry.ratioToBulkWriter, 3)}`
      : `Bulk retry: NOT AVAILABLE (${retry.reason})`,
    "",
    formatScale(results.scale),
    "",
    formatColdStart(results.coldStart),
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

/** The drain comparison as Markdown, for docs/performance.md. */
export function markdownDrain(results: BenchResults): string {
  const rows = results.drain.sizes.flatMap((size) => [
    ...DRAIN_ORDER.map((variant) => {
      const d = size[variant];
      return (
        `| ${fmt(size.tasks)} | ${VARIANT_LABELS[variant]} | ${fmt(d.tasksPerSecond, 1)} | ` +
        `${fmt(d.invocationsPerTask.total)} | ${fmt(d.writesPerTask.total)} | ${fmt(d.latencyMs.p50 / 1000, 1)} s | ` +
        `${fmt(d.latencyMs.p95 / 1000, 1)} s | ${roundsOf(d, results.drain.rounds)} |`
      );
    }),
    `| ${fmt(size.tasks)} | **engine ÷ plain; express ÷ plain** | **${fmt(size.ratios.engine)}; ` +
      `${fmt(size.ratios.express)}** | | | | | |`,
  ]);
  return [
    "| tasks | variant | tasks/s | invocations/task | writes/task | p50 | p95 | rounds (tasks/s) |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** Delay lateness as Markdown, for docs/performance.md. */
export function markdownDelay(results: BenchResults): string {
  const rows = results.delay.map(
    (d) =>
      `| ${d.delaySeconds} s | ${d.completed}/${d.tasks} | ${fmt(d.latenessMs.p50)} ms | ${fmt(d.latenessMs.p95)} ms | ` +
      `${fmt(d.latenessMs.max)} ms | ${d.early} |`,
  );
  return ["| runAt ahead | completed | p50 | p95 | max | started early |", "|---|---|---|---|---|---|", ...rows].join(
    "\n",
  );
}

/** The rate-limited handler's achieved rate, one line (the same in the report and in docs/performance.md). */
export function markdownLimitedRate(results: BenchResults): string {
  const r = results.limitedRate;
  return (
    `Rate limit: ${fmt(r.tasks)} tasks of ${r.handler} written at once, limit ${r.configuredPerSecond}/s → ` +
    `${fmt(r.measuredPerSecond)}/s measured, at most ${r.mostStartsInOneSecond} starts in any one second, ` +
    `${fmt(r.completed)}/${fmt(r.tasks)} completed`
  );
}
