// Every default and limit of the engine, in one place. Per-handler options (model/registry.ts) override the
// handler-level ones. No imports: the client library and the admin page read their bounds from here too.

/**
 * How deep a task's parent document may be: 1 is a top-level document (`orders/o-1`), 3 is `a/1/b/2/c/3`. A task in
 * the `tasks` sub-collection of a document at depth 1 to this runs; one deeper stays the app's. The trigger (one
 * function per depth, functions/src/endpoints/dispatch-task.ts), the path checks (model/task.ts) and the security rules (a generated
 * block, `npm run rules:allowlist`) follow it.
 */
export const MAX_PARENT_DEPTH = 3;

/**
 * Index shards (docs/scale.md). Every composite index whose last field is a growing timestamp (`createdAt`, `runAt`,
 * `lease.expiresAt`) starts with the task's `shard`, so each shard's entries form a range of their own: Firestore
 * sustains about 500 writes a second at the newest end of each range instead of one range for the whole queue.
 * A task's shard comes from its id (model/index-shard.ts), written with the task by the client library and
 * `enqueueTask`, or added by the engine's first write to a task written without one.
 */
export const SHARDS = {
  /**
   * How many shards new tasks are spread over, 1 to `max`: ⌈3R / 400⌉ for R new tasks a second at peak on the
   * claimed path (3 writes a task, each shard kept under 400 of Firestore's ~500 writes a second; ⌈2R / 400⌉ on
   * the express path), so 30 carry about 4,000 tasks a second (docs/scale.md). Raising it is safe at any time: the
   * sharded queries read shards 0 to `count` - 1, so every task written before is still found. Lowering it hides the
   * live tasks of the dropped shards from the lists and the sweeper's timed walks (its lap still finds them): lower
   * it only once they have ended.
   */
  count: 1,
  /**
   * The highest `count`: the sharded queries cover the shards in use with one `in` filter, and Firestore allows at
   * most 30 values in one. The security rules accept a client's `shard` below this.
   */
  max: 30,
};

/** Region of the deployed functions; the Cloud Tasks queue of `runTask` lives there too. */
export const REGION = "us-central1";

export const HANDLER_DEFAULTS = {
  timeoutSeconds: 60,
  maxAttempts: 3,
  backoff: { baseSeconds: 2, capSeconds: 3600, jitter: "full" as const },
};

/** The dispatcher function's own timeout; a handler's timeout must leave room for recording its outcome. */
export const FUNCTION_TIMEOUT_SECONDS = 540;
export const MAX_HANDLER_TIMEOUT_SECONDS = FUNCTION_TIMEOUT_SECONDS - 40;

/** A lease outlives the handler's timeout by this much, so only a crashed worker lets one expire. */
export const LEASE_MARGIN_SECONDS = 30;

/** Bounds on what the engine writes back, to keep task documents far below Firestore's 1 MiB limit. */
export const LIMITS = {
  resultBytes: 16 * 1024,
  /** A task's `data` as JSON; the document's 1 MiB must leave room for what the engine adds. */
  dataBytes: 512 * 1024,
  stackChars: 4000,
  messageChars: 1000,
  nameChars: 200,
  /** An error code as recorded (`error.code`, a history entry's); a handler chooses its PermanentError's code. */
  codeChars: 200,
  /** Tries of an attempt's own write (claim, progress, outcome) that fails with a transient error, in all. */
  writeAttempts: 5,
  /** Wait before the second try of such a write; it doubles before each further one (100, 200, 400, 800 ms). */
  writeBackoffMs: 100,
  /** `ctx.progress` writes at most once per this interval; the last value reported in between wins. */
  progressIntervalMs: 1000,
};

/** How many attempt outcomes a task keeps in `history`. */
export const HISTORY_LIMIT = 10;

/** The furthest ahead a task may be scheduled (the security rules enforce the same bound on client writes). */
export const MAX_RUN_AT_DAYS = 30;

/** The most top-level keys a task's `data` may have (the security rules enforce the same bound). */
export const MAX_DATA_KEYS = 32;

/** Cloud Tasks may deliver slightly early: `runTask` waits out up to this much and re-schedules beyond it. */
export const EARLY_WAIT_MS = 5000;

export const ADMIN_LIMITS = {
  /** Tasks read per page while retrying; each page's writes are flushed before the next page is read. */
  retryPageSize: 500,
  /** Stop after the page that ends past this, leaving room within the callable's 540 s timeout to finish. */
  retryBudgetMs: 420_000,
  filterValueChars: 1500,
  /** Times a retry write that failed with a transient error is tried, in all. */
  retryWriteAttempts: 10,
};

export const SWEEPER = {
  schedule: "every 1 minutes",
  /** A `scheduled` task this far past its due time is not waiting for a dispatch in flight any more. */
  overdueGraceSeconds: 60,
  /**
   * In a task's first period past due, the sweeper asks for the run its attempt was queued under (Cloud Tasks
   * refuses it while it is queued: a task waiting behind the queue's concurrency limit gets no second run); then for
   * one run of its own per period (a run that was lost keeps its id about an hour). See sweep-tasks.ts, `redispatch`.
   */
  redispatchEverySeconds: 3600,
  pageSize: 200,
  /** Pages each walk (expired leases, overdue `runAt`, new tasks by `createdAt`) reads per pass, at most. */
  pagesPerWalk: 5,
  /** Pages per pass of the walk round every `scheduled` task, which finds what the other walks cannot see. */
  lapPages: 1,
  /** A pass stops after the page that ends past this: well within the schedule and the function's timeout. */
  budgetMs: 45_000,
  /** Where a new cursor document starts the walk over new tasks by `createdAt` (the lap covers anything older). */
  frontierStartSeconds: 3600,
  /** The engine's own document (outside every `tasks` collection) that keeps the walks' cursors between passes. */
  cursorDocument: "_taskQueue/sweeper",
};

/** Recurring schedules (`defineSchedule`): one pass a minute writes every schedule's due slots as tasks. */
export const SCHEDULES = {
  /** Cloud Scheduler's job for `runSchedules`; slots are whole minutes, so a pass a minute sees each one. */
  schedule: "every 1 minutes",
  /** A schedule's tasks live at `{collection}/{name}/tasks/{slot}`, the slot's time as the id. */
  collection: "taskSchedules",
  /** The engine's own document (beside the sweeper's) with each schedule's last slot, last task and pause. */
  stateDocument: "_taskQueue/schedules",
  /** A schedule's name is part of a document path and of its tasks' paths. */
  nameMaxChars: 64,
  /** With `missed: "all"`, the newest missed slots a schedule writes, at most; older ones are skipped, and logged. */
  maxMissedSlots: 100,
  /** Slots a pass writes, at most, over all schedules; the rest are written on the next pass. */
  slotsPerPass: 500,
  /** A pass stops starting schedules past this; well within the schedule and the function's timeout. */
  budgetMs: 45_000,
};

/** Name of the Cloud Tasks queue function that runs delayed tasks and retries (exported from index.ts). */
export const RUN_TASK_FUNCTION = "runTask";

/**
 * Flow control. A handler with a `rateLimit` or `maxConcurrent` runs from a queue function of its own, exported in
 * the group `FLOW.limitedGroup` (deployed as `limited-{type}-{action}`), whose Cloud Tasks queue carries its limits.
 */
export const FLOW = {
  /** The export group of the limited handlers' queue functions. */
  limitedGroup: "limited",
  /** Cloud Tasks' ceilings per queue: dispatches per second, and dispatches in flight. */
  maxPerSecond: 500,
  maxConcurrent: 5000,
  /** The engine's own document recording what is paused (the whole queue, handlers), by whom and since when. */
  pausesDocument: "_taskQueue/pauses",
  /**
   * Each instance re-reads the pauses at most this often, so pausing costs no read per task. `setPaused` returns
   * only after this long, so when it returns no instance starts an attempt of what it paused.
   */
  pausesCacheMs: 2000,
  /** Tasks a resume reads per page while dispatching what the pause held. */
  resumePageSize: 200,
  /** A resume stops after the page that ends past this (call again with its cursor to go on). */
  resumeBudgetMs: 420_000,
};

/**
 * Dedup and debounce (`dedupKey`): one lock document per (parent, handler, key) in an engine-owned collection, at
 * an id the security rules can compute too. See store/dedup-lock.ts.
 */
export const DEDUP = {
  /** The locks' collection, outside every `tasks` collection (the rules give clients create and takeover only). */
  locksCollection: "_taskLocks",
  /** The longest `dedupKey`, in characters (the rules enforce the same bound). */
  keyMaxChars: 200,
  /** The longest `dedupSeconds` and `debounceSeconds`: the furthest a task may be scheduled ahead. */
  maxSeconds: MAX_RUN_AT_DAYS * 24 * 60 * 60,
  /** Tries of a server enqueue whose lock changed under it (another enqueue won, or freed it) before giving up. */
  acquireAttempts: 10,
};

/** Fan-out and fan-in (`ctx.fanOut`): a group of child tasks whose end enqueues one continuation. */
export const FANOUT = {
  /** Children one `ctx.fanOut` may write, at most. */
  maxChildren: 10_000,
  /**
   * The engine's own collection of groups, `{collection}/{groupId}`, each with its counter shards in `shards`.
   * A group of n children has ceil(√n) shards: each shard takes one write per child of its own, the group one per
   * shard, so neither takes more than about √n writes.
   */
  collection: "_taskGroups",
  /**
   * A group still open this long after its creation, or after its last check, is checked by the sweeper: if every
   * child has ended (a child cancelled by an admin is never counted by the engine), it is finished from counts.
   */
  checkAfterSeconds: 300,
  /** Open groups the sweeper checks per pass, at most. */
  checksPerPass: 20,
};

/**
 * How long a finished task is kept before Firestore's TTL policy on `expireAt` deletes it (firestore.indexes.json),
 * per final state; a handler's `retainFor` overrides them. Days, from the write that ends the task.
 */
export const RETENTION_DEFAULTS = { completedDays: 30, failedDays: 90, cancelledDays: 90 };
/** The longest `retainFor` a handler may ask for (10 years): a longer one is almost certainly a unit mistake. */
export const MAX_RETAIN_DAYS = 3650;

export const METRICS = {
  /** One document per minute rolled up, and one per hour that sums them (what the day and week charts read). */
  minutesCollection: "_taskMetricsMinutes",
  hoursCollection: "_taskMetricsHours",
  /** The alerts' state: one document, one entry per handler that has an alert. */
  alertsDocument: "_taskQueue/alerts",
  /**
   * A pass rolls up the minute that ended this long ago at least, so outcomes committed just before the minute's
   * end (server timestamps of writes still in flight) are in it.
   */
  settleMs: 15_000,
  /** Run duration buckets, upper bounds in milliseconds; the last bucket holds everything longer. */
  durationBucketsMs: [100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000],
  /** The admin page's state counts stop at this many (count() costs 1 read per 1,000 matches: 10 reads at most). */
  countCap: 10_000,
  /** The admin page recounts at most once per this interval as the list changes, whatever the write rate. */
  countRefreshMs: 5000,
  /** After an admin's retry or cancel, the counts are taken again within this (the round then takes a moment). */
  countAfterActionMs: 1500,
};
