// Sizes per mode, the budgets the engine is held to, and the collections the bench writes (all named `bench*`, so
// they never mix with an application's data and can be deleted wholesale afterwards).

export type BenchMode = "full" | "quick";

export interface BenchSizes {
  /** Tasks per counting scenario (counts are per task, so a few are enough; more only averages the same number). */
  countTasks: number;
  /** Drain sizes: no-op tasks written at once, each size drained through every variant (bench/drain.ts). */
  drainTasks: number[];
  /**
   * Drains per variant and size. The order of the variants rotates from round to round (plain, engine, express;
   * then engine, express, plain; ...), so none always goes first or always follows the same one; the best round
   * of each variant is compared.
   */
  drainRounds: number;
  /**
   * No-op tasks drained once through every variant before the measured drains, not reported: each trigger gets its
   * emulator workers before it is timed (the plain design's trigger runs nowhere else, so its first drain would
   * otherwise start cold while the engine's is warm from the counting scenarios).
   */
  drainWarmupTasks: number;
  /** Documents per raw write-rate measurement. */
  rawWrites: number;
  /**
   * Failed tasks retried through the `retryTasks` callable. It dispatches every retried task to runTask, which the
   * Functions emulator runs at once, so the retried tasks run during the measurement: on 2 cores a few hundred
   * already load the machine heavily (bench/bulk-retry.ts), hence far fewer than the raw writes.
   */
  retryTasks: number;
  /** Delayed tasks per delay whose start is compared with their `runAt`. */
  delayTasks: number;
  /** How far ahead their `runAt` is, in seconds; all delays are written at once and run side by side. */
  delaySeconds: number[];
  /** Tasks of the rate-limited handler (20 a second) whose starts give the rate achieved (bench/limited-rate.ts). */
  limitedTasks: number;
  /** Samples of each entry point's cold start, each next to one of the plain design's (bench/cold-start.ts). */
  coldStartRuns: number;
  /** Sizes of the engine's drain whose cost per task and rate are compared (bench/scale.ts); none: skipped. */
  scaleTasks: number[];
}

export const SIZES: Record<BenchMode, BenchSizes> = {
  full: {
    countTasks: 20,
    drainTasks: [300, 1000],
    drainRounds: 3,
    drainWarmupTasks: 100,
    rawWrites: 10_000,
    retryTasks: 1000,
    delayTasks: 20,
    delaySeconds: [10, 60],
    limitedTasks: 400,
    coldStartRuns: 10,
    scaleTasks: [300, 1000, 3000, 10_000],
  },
  quick: {
    countTasks: 5,
    drainTasks: [300],
    drainRounds: 1,
    drainWarmupTasks: 100,
    rawWrites: 1000,
    retryTasks: 100,
    delayTasks: 5,
    delaySeconds: [3, 10],
    limitedTasks: 40,
    coldStartRuns: 4,
    scaleTasks: [],
  },
};

/**
 * What a task may cost (docs/design.md, "Cost model") and how fast the engine must keep up. Counts are
 * deterministic and asserted by `npm test`; ratios are only checked by `npm run bench`.
 */
export const BUDGETS = {
  writesPerSuccessfulTask: 3,
  invocationsPerSuccessfulTask: 1,
  /** A handler marked `idempotent: true` skips the claim. */
  writesPerExpressTask: 2,
  readingInvocationsPerSuccessfulTask: 0,
  /** Engine drain rate (claimed path) ≥ this × the plain design's, same run, same size. */
  drainRatio: 0.8,
  /** Express-path drain rate ≥ this × the plain design's, same run, same size. */
  expressDrainRatio: 1.0,
  /** Bulk retry writes/s ≥ this × a default BulkWriter's writes/s, same run. */
  bulkRetryRatio: 0.5,
  /** A rate-limited handler's task costs a second invocation: the trigger hands it to the handler's own queue. */
  invocationsPerLimitedTask: 2,
  /** A rate-limited handler reaches at least this share of its limit with no-op tasks. */
  limitedRateShare: 0.8,
  /**
   * A deployed function's cold start (whole process, loading the entry module) ≤ this × the plain design's, or ×
   * a bare function of its kind's where the SDK alone loads more than the plain design (bench/cold-start.ts).
   */
  coldStartRatio: 1.1,
};

// The counting tasks and the drains are metered: functions/src/bench/rpc-meter.ts (METERED_COLLECTIONS) logs the
// requests touching these three root collections, and only those.
/** The counting scenarios' tasks (bench/counts.ts). */
export const METERED_COLLECTION = "benchCounts";
/** The drains through the engine, claimed and express path (bench/drain.ts). */
export const DRAIN_COLLECTION = "benchDrain";
/** Must match functions/src/bench/plain-design.ts (`benchPlain/{parentId}/plainTasks/{taskId}`). */
export const PLAIN_COLLECTION = "benchPlain";
export const PLAIN_SUBCOLLECTION = "plainTasks";
/** Delayed tasks whose start is compared with their `runAt` (bench/delay.ts). */
export const DELAY_COLLECTION = "benchDelay";
export const RAW_COLLECTION = "benchRaw";
/** The rate-limited handler's tasks (bench/limited-rate.ts). */
export const LIMITED_COLLECTION = "benchLimited";
/** Bulk-retry tasks get a root collection of their own per run, so the callable's filter matches only them. */
export const RETRY_COLLECTION_PREFIX = "benchRetry";

/** The engine's Firestore trigger (functions/src/endpoints/dispatch-task.ts): one execution per task created. */
export const ENGINE_TRIGGER = "dispatchTask";
/**
 * The plain design's trigger (functions/src/bench/plain-design.ts). Exported under its older name: renaming it
 * means changing functions/src/index.ts and test/deploy/manifest.test.ts along with it.
 */
export const PLAIN_TRIGGER = "benchMinimalTask";
