// Sizes per mode, the budgets the engine is held to, and the collections the bench writes (all named `bench*`, so
// they never mix with an application's data and can be deleted wholesale afterwards).

export type BenchMode = "full" | "quick";

export interface BenchSizes {
  /** Tasks per counting scenario (counts are per task, so a few are enough; more only averages the same number). */
  countTasks: number;
  /** No-op tasks per drain, written at once. */
  drainTasks: number;
  /** Drains per variant; they alternate (minimal, engine, minimal, engine) and the best of each is compared. */
  drainRounds: number;
  /** Documents per raw write-rate measurement. */
  rawWrites: number;
  /** Failed tasks retried through the `retryTasks` callable. */
  retryTasks: number;
  /** Delayed tasks whose start is compared with their `runAt`. */
  delayTasks: number;
}

export const SIZES: Record<BenchMode, BenchSizes> = {
  full: { countTasks: 20, drainTasks: 1000, drainRounds: 2, rawWrites: 10_000, retryTasks: 10_000, delayTasks: 20 },
  quick: { countTasks: 5, drainTasks: 200, drainRounds: 1, rawWrites: 1000, retryTasks: 1000, delayTasks: 5 },
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
  /** Engine drain rate ≥ this × the minimal trigger's, same run. */
  drainRatio: 0.8,
  /** Bulk retry writes/s ≥ this × a default BulkWriter's writes/s, same run. */
  bulkRetryRatio: 0.5,
};

/** Must match functions/src/bench/rpc-meter.ts: only requests touching this root collection are metered. */
export const METERED_COLLECTION = "benchCounts";
/** Must match functions/src/bench/minimal-trigger.ts (`benchMinimal/{parentId}/minimalTasks/{taskId}`). */
export const MINIMAL_COLLECTION = "benchMinimal";
export const MINIMAL_SUBCOLLECTION = "minimalTasks";
export const DRAIN_COLLECTION = "benchDrain";
/** Delayed tasks whose start is compared with their `runAt` (bench/delay.ts). */
export const DELAY_COLLECTION = "benchDelay";
export const RAW_COLLECTION = "benchRaw";
/** Bulk-retry tasks get a root collection of their own per run, so the callable's filter matches only them. */
export const RETRY_COLLECTION_PREFIX = "benchRetry";

/** The engine's Firestore trigger (functions/src/index.ts): one execution per task created. */
export const ENGINE_TRIGGER = "dispatchTask";
