// `runBench`: every measurement of the bench (what a task costs, how fast the queue drains, how punctual delayed
// tasks are, raw write rates, bulk retry) in one emulator run, in an order that keeps them apart: the counting
// scenarios one by one, the drains (minimal trigger and engine alternating), the delayed tasks, the raw write
// rates, then the bulk retry with the background triggers off. Used by `bench/run.ts` (npm run bench) and by
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
  METERED_COLLECTION,
  MINIMAL_COLLECTION,
  RAW_COLLECTION,
  RETRY_COLLECTION_PREFIX,
  SIZES,
  type BenchMode,
  type BenchSizes,
} from "./config";
import { COUNT_SCENARIOS, measureCounts, type CountResult } from "./counts";
import { measureDrain, type DrainResult, type DrainVariant } from "./drain";
import { measureDelay, type DelayResult } from "./delay";
import { EmulatorLog } from "./emulator-log";
import { deleteCollections, setBackgroundTriggers } from "./firestore";
import { measureRawWrites, type RawWriteResult } from "./raw-writes";
import { checkBudgets, type BudgetCheck } from "./report";
import { round } from "./stats";

const ROOT = join(__dirname, "..");

export interface BenchOptions {
  mode: BenchMode;
  /** Delete everything the bench wrote afterwards (when other suites share the emulators). */
  cleanup?: boolean;
  progress?: (message: string) => void;
}

export interface BenchResults {
  schema: 1;
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
  counts: CountResult[];
  drain: {
    rounds: DrainResult[];
    /** The best round of each variant (highest tasks/s): the least disturbed by the machine. */
    engine: DrainResult;
    minimal: DrainResult;
    /** engine tasks/s ÷ minimal tasks/s. */
    ratio: number;
  };
  rawWrites: { bulkWriterDefault: RawWriteResult; unthrottled: RawWriteResult };
  delay: DelayResult;
  bulkRetry: BulkRetryResult & { ratioToBulkWriter?: number };
  budgets: BudgetCheck[];
}

function firebaseToolsVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules", "firebase-tools", "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

function best(rounds: DrainResult[], variant: DrainVariant): DrainResult {
  return rounds.filter((r) => r.variant === variant).sort((a, b) => b.tasksPerSecond - a.tasksPerSecond)[0];
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const { mode, cleanup = false } = options;
  const progress = options.progress ?? (() => undefined);
  const sizes = SIZES[mode];
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const startedAt = new Date();
  const loadStart = loadavg().map((n) => round(n));
  const log = EmulatorLog.fromEnvironment();

  const counts: CountResult[] = [];
  for (const scenario of COUNT_SCENARIOS) {
    progress(`counts: ${scenario.label}, ${sizes.countTasks} tasks`);
    let result = await measureCounts(scenario, sizes.countTasks, runId, log, 1);
    // The trigger runs once per write, so its executions per task are a whole number. A fraction, or activity
    // from elsewhere, means something else ran in the window (another suite's delayed retry, say): measure once
    // more on fresh tasks. (runTask's share may be fractional by design: see docs/performance.md.)
    const triggerRuns = result.invocationsPerTask.byFunction[ENGINE_TRIGGER] ?? 0;
    if (!Number.isInteger(triggerRuns) || result.foreignRequests > 0 || !result.isolated) {
      progress(`  disturbed (${triggerRuns} ${ENGINE_TRIGGER} executions per task): measuring again`);
      result = await measureCounts(scenario, sizes.countTasks, runId, log, 2);
    }
    counts.push(result);
  }

  const rounds: DrainResult[] = [];
  const drainTimeoutMs = mode === "full" ? 600_000 : 180_000;
  for (let r = 1; r <= sizes.drainRounds; r++) {
    // Alternate which variant goes first, so neither always inherits a warmer (or busier) emulator.
    const order: DrainVariant[] = r % 2 === 1 ? ["minimal", "engine"] : ["engine", "minimal"];
    for (const variant of order) {
      await log.waitForQuiet();
      progress(`drain: ${sizes.drainTasks} no-op tasks through the ${variant} trigger (round ${r})`);
      const result = await measureDrain(variant, sizes.drainTasks, runId, r, drainTimeoutMs);
      progress(`  ${result.tasksPerSecond} tasks/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`);
      rounds.push(result);
    }
  }
  const engine = best(rounds, "engine");
  const minimal = best(rounds, "minimal");

  await log.waitForQuiet();
  progress(`delayed tasks: ${sizes.delayTasks} no-op tasks with runAt a few seconds ahead`);
  const delay = await measureDelay(sizes.delayTasks, runId);

  await log.waitForQuiet();
  progress(`raw writes: ${sizes.rawWrites} documents, default BulkWriter, then unthrottled`);
  const bulkWriterDefault = await measureRawWrites(sizes.rawWrites, runId, true);
  const unthrottled = await measureRawWrites(sizes.rawWrites, runId, false);

  await log.waitForQuiet();
  progress(`bulk retry: ${sizes.retryTasks} failed tasks through retryTasks (background triggers off)`);
  let bulkRetry: BenchResults["bulkRetry"];
  await setBackgroundTriggers(false);
  try {
    bulkRetry = await measureBulkRetry(sizes.retryTasks, runId);
    if (bulkRetry.available) {
      bulkRetry.ratioToBulkWriter = round(bulkRetry.writesPerSecond / bulkWriterDefault.writesPerSecond, 3);
    }
    if (cleanup) {
      progress("cleanup: deleting the bench's documents");
      await deleteCollections([
        METERED_COLLECTION,
        DRAIN_COLLECTION,
        MINIMAL_COLLECTION,
        DELAY_COLLECTION,
        RAW_COLLECTION,
        `${RETRY_COLLECTION_PREFIX}-${runId}`,
      ]);
    }
  } finally {
    await setBackgroundTriggers(true);
  }

  const results: Omit<BenchResults, "budgets"> = {
    schema: 1,
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
    counts,
    drain: { rounds, engine, minimal, ratio: round(engine.tasksPerSecond / minimal.tasksPerSecond, 3) },
    rawWrites: { bulkWriterDefault, unthrottled },
    delay,
    bulkRetry,
  };
  return { ...results, budgets: checkBudgets(results) };
}
