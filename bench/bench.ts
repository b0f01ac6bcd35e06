// `runBench`: every measurement of the bench (what a task costs, how fast the queue drains next to the plain design,
// how punctual delayed tasks are, raw write rates, bulk retry) in one emulator run, in an order that keeps them
// apart: the counting scenarios one by one, the drains (engine, express path and plain design in rotating order,
// each size in turn), the delayed tasks, the raw write rates, then the bulk retry with the background triggers
// off; the app's recurring schedules are paused meanwhile. Used by `bench/run.ts` (npm run bench) and by
// test/bench/quick.test.ts.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg, platform, totalmem } from "node:os";
import { join } from "node:path";
import { measureBulkRetry, type BulkRetryResult } from "./bulk-retry";
import {
  DELAY_COLLECTION,
  DRAIN_COLLECTION,
  ENGINE_TRIGGER,
  LIMITED_COLLECTION,
  METERED_COLLECTION,
  PLAIN_COLLECTION,
  RAW_COLLECTION,
  RETRY_COLLECTION_PREFIX,
  SIZES,
  type BenchMode,
  type BenchSizes,
} from "./config";
import { measureColdStart, type ColdStartResult } from "./cold-start";
import { COUNT_SCENARIOS, measureCounts, type CountResult } from "./counts";
import { disturbed, measureDrain, variantOrder, VARIANT_LABELS, type DrainResult, type DrainVariant } from "./drain";
import { measureDelays, type DelayResult } from "./delay";
import { EmulatorLog, reloads } from "./emulator-log";
import { deleteCollections, setBackgroundTriggers } from "./firestore";
import { measureRawWrites, type RawWriteResult } from "./raw-writes";
import { measureLimitedRate, type LimitedRateResult } from "./limited-rate";
import { measureWorkflows, type WorkflowResults } from "./workflows";
import { checkBudgets, type BudgetCheck } from "./report";
import { measureScale, type ScaleRow } from "./scale";
import { round } from "./stats";
import { scheduleStatuses, setSchedulePaused } from "../functions/src/queue/admin/schedules";
import { schedules } from "../functions/src/handlers/schedules";
import { adminDb } from "../test/support/emulators";

/** Who the schedules' pause names while the bench runs. */
const BENCH_UID = "bench";

const ROOT = join(__dirname, "..");

export interface BenchOptions {
  mode: BenchMode;
  /** Delete everything the bench wrote afterwards (when other suites share the emulators). */
  cleanup?: boolean;
  progress?: (message: string) => void;
}

export interface BenchResults {
  schema: 3;
  mode: BenchMode;
  startedAt: string;
  durationSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    platform: string;
    node: string;
    firebaseTools: string;
    loadAverage: { start: number[]; end: number[] };
  };
  sizes: BenchSizes;
  /** Seconds each part of the run took, in order (counts, drain, delay, rawWrites, bulkRetry, ...). */
  phaseSeconds: Record<string, number>;
  counts: CountResult[];
  drain: {
    /** Every round of every variant and size, in the order they ran. */
    rounds: DrainResult[];
    /** Per size: the best round of each variant (highest tasks/s, the least disturbed by the machine). */
    sizes: DrainComparison[];
  };
  rawWrites: { bulkWriterDefault: RawWriteResult; unthrottled: RawWriteResult };
  /** One result per delay (sizes.delaySeconds). */
  delay: DelayResult[];
  /** A rate-limited handler's achieved rate against its limit. */
  limitedRate: LimitedRateResult;
  /** A fan-out with its fan-in, deduplicated and debounced enqueues, each next to the same work without. */
  workflows: WorkflowResults;
  bulkRetry: BulkRetryResult & { ratioToBulkWriter?: number };
  /** Each deployed function's cold start next to the plain design's (bench/cold-start.ts). */
  coldStart: ColdStartResult;
  /** The engine's drain at growing sizes (bench/scale.ts); empty in quick mode. */
  scale: ScaleRow[];
  budgets: BudgetCheck[];
}

function firebaseToolsVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules", "firebase-tools", "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

export interface DrainComparison {
  tasks: number;
  engine: DrainResult;
  express: DrainResult;
  plain: DrainResult;
  /** tasks/s ÷ the plain design's tasks/s. */
  ratios: { engine: number; express: number };
}

/** The fastest round of `variant` at `tasks`, among the rounds no reload or sweeper pass disturbed if any. */
function best(rounds: DrainResult[], variant: DrainVariant, tasks: number): DrainResult {
  const all = rounds.filter((r) => r.variant === variant && r.tasks === tasks);
  const undisturbed = all.filter((r) => !disturbed(r));
  return (undisturbed.length ? undisturbed : all).sort((a, b) => b.tasksPerSecond - a.tasksPerSecond)[0];
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  // The app's recurring schedules write tasks in the background (demo-heartbeat, one a minute): their trigger runs
  // would land in the windows the bench counts. They are paused while it measures, as an operator would pause them,
  // and the ones it paused are resumed after.
  adminDb(); // the default app on the emulators' project, before the engine's modules look for one
  const running = (await scheduleStatuses(schedules)).filter((s) => !s.paused).map((s) => s.name);
  for (const name of running) await setSchedulePaused(schedules, name, true, BENCH_UID);
  try {
    return await measureAll(options);
  } finally {
    for (const name of running) await setSchedulePaused(schedules, name, false, BENCH_UID);
  }
}

async function measureAll(options: BenchOptions): Promise<BenchResults> {
  const { mode, cleanup = false } = options;
  const progress = options.progress ?? (() => undefined);
  const sizes = SIZES[mode];
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const startedAt = new Date();
  const loadStart = loadavg().map((n) => round(n));
  const log = EmulatorLog.fromEnvironment();
  const phaseSeconds: Record<string, number> = {};
  let phaseStart = Date.now();
  const endPhase = (name: string) => {
    phaseSeconds[name] = round((Date.now() - phaseStart) / 1000, 1);
    phaseStart = Date.now();
  };

  // First, while the emulators are idle: separate `node` processes on the built functions, no emulator involved.
  const coldStart = await measureColdStart(sizes.coldStartRuns, progress);
  endPhase("coldStart");

  const counts: CountResult[] = [];
  for (const scenario of COUNT_SCENARIOS) {
    progress(`counts: ${scenario.label}, ${sizes.countTasks} tasks`);
    let result = await measureCounts(scenario, sizes.countTasks, runId, log, 1);
    // The trigger runs once per task created, so its executions per task are a whole number. A fraction, or
    // activity from elsewhere, means something else ran in the window (another suite's delayed retry, say):
    // measure once more on fresh tasks.
    const triggerRuns = result.invocationsPerTask.byFunction[ENGINE_TRIGGER] ?? 0;
    if (!Number.isInteger(triggerRuns) || result.foreignRequests > 0 || !result.isolated) {
      progress(`  disturbed (${triggerRuns} ${ENGINE_TRIGGER} executions per task): measuring again`);
      result = await measureCounts(scenario, sizes.countTasks, runId, log, 2);
    }
    counts.push(result);
  }
  endPhase("counts");

  progress("workflows: a fan-out with its fan-in, a deduplicated and a debounced burst, each next to the same without");
  const workflows = await measureWorkflows(mode, runId, log);
  endPhase("workflows");

  const rounds: DrainResult[] = [];
  const drainTimeoutMs = mode === "full" ? 600_000 : 180_000;
  for (const variant of variantOrder(0)) {
    progress(`drain warm-up: ${sizes.drainWarmupTasks} no-op tasks through the ${VARIANT_LABELS[variant]}`);
    await measureDrain(variant, sizes.drainWarmupTasks, runId, 0, log, drainTimeoutMs);
  }
  let k = 0;
  for (const tasks of sizes.drainTasks) {
    for (let r = 1; r <= sizes.drainRounds; r++, k++) {
      // Rotate which variant goes first, so none always inherits a warmer (or busier) emulator.
      for (const variant of variantOrder(k)) {
        progress(`drain: ${tasks} no-op tasks through the ${VARIANT_LABELS[variant]} (round ${r})`);
        const result = await measureDrain(variant, tasks, runId, r, log, drainTimeoutMs);
        progress(
          `  ${result.tasksPerSecond} tasks/s, p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms; ` +
            `${result.invocationsPerTask.total} invocations, ${result.writesPerTask.total} writes per task` +
            (result.reloads ? `; the functions were reloaded ${result.reloads} time(s) meanwhile` : "") +
            (result.sweeperPasses ? `; a sweeper pass ran meanwhile` : ""),
        );
        rounds.push(result);
      }
    }
  }
  const comparisons: DrainComparison[] = sizes.drainTasks.map((tasks) => {
    const [engine, express, plain] = (["engine", "express", "plain"] as const).map((v) => best(rounds, v, tasks));
    const ratio = (d: DrainResult) => round(d.tasksPerSecond / plain.tasksPerSecond, 3);
    return { tasks, engine, express, plain, ratios: { engine: ratio(engine), express: ratio(express) } };
  });

  endPhase("drain");

  const scale = await measureScale(sizes.scaleTasks, runId, log, drainTimeoutMs, progress);
  if (sizes.scaleTasks.length) endPhase("scale");

  await log.waitForQuiet();
  progress(
    `delayed tasks: ${sizes.delayTasks} no-op tasks per delay, runAt ${sizes.delaySeconds.join(" s and ")} s ahead`,
  );
  const delayMark = log.mark();
  const delay = await measureDelays(sizes.delaySeconds, sizes.delayTasks, runId);
  const delayReloads = reloads(log.since(delayMark));
  for (const result of delay) result.reloads = delayReloads;
  endPhase("delay");

  await log.waitForQuiet();
  // The Functions emulator runs one request per worker process, and a rate-limited dispatch holds its lane (and so
  // its worker) for a second: the first lanes' workers are started before the measured round, as in the drains.
  const warmup = Math.min(100, sizes.limitedTasks);
  progress(`rate limit warm-up: ${warmup} tasks of a handler limited to 20 a second`);
  await measureLimitedRate(warmup, `${runId}-warmup`);
  progress(`rate limit: ${sizes.limitedTasks} tasks of a handler limited to 20 a second`);
  const limitedRate = await measureLimitedRate(sizes.limitedTasks, runId);
  progress(`  ${limitedRate.measuredPerSecond}/s measured, at most ${limitedRate.mostStartsInOneSecond} in one second`);
  endPhase("limitedRate");

  await log.waitForQuiet();
  progress(`raw writes: ${sizes.rawWrites} documents, default BulkWriter, then unthrottled`);
  const bulkWriterDefault = await measureRawWrites(sizes.rawWrites, runId, true);
  const unthrottled = await measureRawWrites(sizes.rawWrites, runId, false);
  endPhase("rawWrites");

  await log.waitForQuiet();
  progress(`bulk retry: ${sizes.retryTasks} failed tasks through retryTasks (background triggers off)`);
  let bulkRetry: BenchResults["bulkRetry"];
  await setBackgroundTriggers(false);
  try {
    bulkRetry = await measureBulkRetry(sizes.retryTasks, runId);
    if (bulkRetry.available) {
      bulkRetry.ratioToBulkWriter = round(bulkRetry.writesPerSecond / bulkWriterDefault.writesPerSecond, 3);
    }
    endPhase("bulkRetry");
    // The retried tasks were dispatched to runTask: let them finish here, not in whatever runs next.
    await log.waitForQuiet();
    endPhase("bulkRetryRuns");
    if (cleanup) {
      progress("cleanup: deleting the bench's documents");
      await deleteCollections([
        METERED_COLLECTION,
        DRAIN_COLLECTION,
        PLAIN_COLLECTION,
        DELAY_COLLECTION,
        RAW_COLLECTION,
        LIMITED_COLLECTION,
        `${RETRY_COLLECTION_PREFIX}-${runId}`,
      ]);
    }
  } finally {
    await setBackgroundTriggers(true);
  }
  endPhase(cleanup ? "cleanup" : "triggersOn");

  const results: Omit<BenchResults, "budgets"> = {
    schema: 3,
    mode,
    startedAt: startedAt.toISOString(),
    durationSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      platform: platform(),
      node: process.version,
      firebaseTools: firebaseToolsVersion(),
      loadAverage: { start: loadStart, end: loadavg().map((n) => round(n)) },
    },
    sizes,
    phaseSeconds,
    counts,
    drain: { rounds, sizes: comparisons },
    rawWrites: { bulkWriterDefault, unthrottled },
    delay,
    limitedRate,
    workflows,
    bulkRetry,
    coldStart,
    scale,
  };
  return { ...results, budgets: checkBudgets(results) };
}
