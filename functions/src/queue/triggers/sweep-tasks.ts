// The safety net behind the trigger and the queue: every pass (every minute) walks four queries, a few pages each,
// from where the previous pass left off. Their cursors live in one small engine-owned document
// (`SWEEPER.cursorDocument`: one read per pass, one write when a cursor moved), so a pass reads a bounded number
// of pages however large the backlog, and the next pass goes on with the rest.
//  - leases: `running` tasks whose lease expired (the worker crashed or was killed): the attempt counts, and the
//    task is retried with backoff or ends `failed` with `handler/lease-expired` (a compare-and-set on the version
//    the query returned, so of two sweeps at once one recovers it);
//  - overdue: `scheduled` tasks whose `runAt` passed more than a grace period ago;
//  - frontier: `scheduled` tasks by `createdAt`, each once, as it passes the grace period: a task written without
//    `runAt` whose creation event was lost is found within a pass or two. It never wraps around;
//  - lap: every `scheduled` task by document name, round and round: whatever the others cannot see (no `runAt` and
//    an old or no `createdAt`: a task made `scheduled` again by hand that never ran, say) is found however old it is.
// The first three read every index shard at once (`shard in [...]`: Firestore merges the shards in the query's
// order, so one cursor serves them all; docs/scale.md). The lap is not sharded: its index (`state`, then the
// random document name) has no hot end, and it is what finds a task written by hand without a `shard`, which the
// sharded indexes do not hold until the engine's first write gives it one.
// A `scheduled` task found past due (see `redispatch` for which run it gets) is dispatched again through the Cloud
// Tasks queue. A pass stops after its time budget, well within the function's timeout and the schedule; the next
// pass starts with the walk that did not get its turn. One task that cannot be moved on, or one walk whose query
// fails, is logged and skipped; it never stops the pass.
import {
  FieldPath,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type Query,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import { db } from "../store/firestore";
import { HANDLER_DEFAULTS, LEASE_MARGIN_SECONDS, SWEEPER } from "../config";
import { ERROR_CODES, TASKS_COLLECTION, isQueueTaskPath } from "../model/task";
import { queriedShards, SHARD_FIELD } from "../model/index-shard";
import { TaskFailure } from "../model/errors";
import { attemptsSoFar } from "../attempt/claim";
import { updateIfUnchanged } from "../store/fenced-writer";
import { outcomeUpdate, writeOutcome } from "../attempt/outcome";
import { nextState } from "../attempt/retry-policy";
import { dispatchNow, scheduleRun } from "../store/cloud-tasks";
import { taskLog } from "../logs";
import { runQueueOf } from "../flow/limits";
import { pauseOf, readPauses, type Pauses } from "../flow/pauses";
import type { Registry } from "../model/handler";
import { closeShardIfFull, withCount, type ChildCount } from "../groups/fan-in";
import { checkGroups, type GroupCheckSummary } from "../groups/check-groups";

export interface SweepOptions {
  /** The time the pass acts at (tests move it ahead). Runs it queues are dispatched at once all the same. */
  now?: Date;
  overdueGraceSeconds?: number;
  pageSize?: number;
  /** Pages the leases, overdue and frontier walks read per pass, at most. */
  pagesPerWalk?: number;
  /** Pages the lap walk reads per pass, at most. */
  lapPages?: number;
  /** The pass stops after the page that ends past this many milliseconds. */
  budgetMs?: number;
  /** The document that keeps the walks' cursors (tests use their own). */
  cursorPath?: string;
}

export const WALKS = ["leases", "overdue", "frontier", "lap"] as const;
export type WalkName = (typeof WALKS)[number];

export interface SweepSummary {
  expiredLeases: number;
  recovered: number;
  /** `scheduled` tasks found past due (and past the grace period). */
  overdue: number;
  /** Runs asked of the Cloud Tasks queue for them (it refuses an id it already has: see `redispatch`). */
  redispatched: number;
  errors: number;
  /** Query pages each walk read this pass (an empty page is billed as one read). */
  pages: Record<WalkName, number>;
  /** Task documents the pass read. */
  documents: number;
  /** False when the time budget ran out: the next pass goes on with the next walk, each walk from its cursor. */
  complete: boolean;
  /** Open fan-out groups past their `checkAt`, checked after the walks (groups/check-groups.ts). */
  groups: GroupCheckSummary;
}

/** Where a walk goes on from: the ordered field's value and the document's path (or only one of the two). */
interface Cursor {
  at?: Timestamp;
  path?: string;
}

/** The cursor document. */
type SweeperState = Partial<Record<WalkName, Cursor>> & { resumeWith?: WalkName };

interface Walk {
  /** Ordered by `field` (if any), then by document name; without limit or cursor. */
  query: Query;
  field?: string;
  /** After its last page, start again at the first (a walk that does not wrap stays at the last document seen). */
  wraps: boolean;
  pages: number;
  /** Where it starts without a cursor. */
  start?: Cursor;
  visit: (doc: QueryDocumentSnapshot) => Promise<void>;
}

export async function sweep(registry: Registry, options: SweepOptions = {}): Promise<SweepSummary> {
  const deadline = Date.now() + (options.budgetMs ?? SWEEPER.budgetMs);
  const now = options.now ?? new Date();
  const graceMs = (options.overdueGraceSeconds ?? SWEEPER.overdueGraceSeconds) * 1000;
  const cutoff = Timestamp.fromMillis(now.getTime() - graceMs);
  const pageSize = options.pageSize ?? SWEEPER.pageSize;
  const pagesPerWalk = options.pagesPerWalk ?? SWEEPER.pagesPerWalk;
  const summary: SweepSummary = {
    expiredLeases: 0,
    recovered: 0,
    overdue: 0,
    redispatched: 0,
    errors: 0,
    pages: { leases: 0, overdue: 0, frontier: 0, lap: 0 },
    documents: 0,
    complete: true,
    groups: { checked: 0, finished: 0, errors: 0 },
  };
  const cursorRef = db().doc(options.cursorPath ?? SWEEPER.cursorDocument);
  const before = await loadState(cursorRef);
  const state: SweeperState = { ...before, resumeWith: undefined };
  // A paused handler's tasks wait for the resume, which dispatches them; the sweeper leaves them alone.
  const pauses = await readPauses().catch((): Pauses => ({ handlers: {} }));

  const seen = new Set<string>(); // a task two walks find in one pass is dispatched once
  const redispatchOnce = async (doc: QueryDocumentSnapshot) => {
    if (seen.has(doc.ref.path)) return;
    seen.add(doc.ref.path);
    if (pauseOf(pauses, doc.get("type"), doc.get("action"))) return;
    await redispatch(doc, registry, now, graceMs, summary);
  };
  const tasks = db().collectionGroup(TASKS_COLLECTION);
  const scheduled = tasks.where("state", "==", "scheduled");
  const sharded = tasks.where(SHARD_FIELD, "in", queriedShards());
  const shardedScheduled = sharded.where("state", "==", "scheduled");
  const byName = FieldPath.documentId();
  const walks: Record<WalkName, Walk> = {
    leases: {
      query: sharded
        .where("state", "==", "running")
        .where("lease.expiresAt", "<", Timestamp.fromDate(now))
        .orderBy("lease.expiresAt")
        .orderBy(byName),
      field: "lease.expiresAt",
      wraps: true,
      pages: pagesPerWalk,
      visit: async (doc) => {
        summary.expiredLeases++;
        if (await recoverExpiredLease(doc, registry, now)) summary.recovered++;
      },
    },
    overdue: {
      query: shardedScheduled.where("runAt", "<", cutoff).orderBy("runAt").orderBy(byName),
      field: "runAt",
      wraps: true,
      pages: pagesPerWalk,
      visit: redispatchOnce,
    },
    frontier: {
      query: shardedScheduled.where("createdAt", "<", cutoff).orderBy("createdAt").orderBy(byName),
      field: "createdAt",
      wraps: false,
      pages: pagesPerWalk,
      // A new cursor document starts the frontier a while back; the lap walk covers anything older.
      start: { at: Timestamp.fromMillis(cutoff.toMillis() - SWEEPER.frontierStartSeconds * 1000) },
      visit: redispatchOnce,
    },
    lap: {
      query: scheduled.orderBy(byName),
      wraps: true,
      pages: options.lapPages ?? SWEEPER.lapPages,
      visit: redispatchOnce,
    },
  };

  /** Reads up to `walk.pages` pages from `name`'s cursor, visiting each queue task; true when time ran out. */
  const run = async (name: WalkName): Promise<boolean> => {
    const walk = walks[name];
    let cursor = state[name] ?? walk.start;
    try {
      for (let page = 0; page < walk.pages; page++) {
        const docs = (await startingAt(walk, cursor).limit(pageSize).get()).docs;
        summary.pages[name]++;
        summary.documents += docs.length;
        await visitAll(docs, walk.visit, summary);
        if (docs.length > 0) cursor = cursorOf(walk, docs[docs.length - 1]);
        const last = docs.length < pageSize;
        if (last && walk.wraps) cursor = undefined;
        if (Date.now() >= deadline) return true;
        if (last) return false;
      }
      return false;
    } finally {
      state[name] = cursor;
    }
  };

  const first = WALKS.indexOf(before.resumeWith ?? WALKS[0]);
  for (let i = 0; i < WALKS.length; i++) {
    const name = WALKS[(first + i) % WALKS.length];
    // A walk whose query fails (Firestore unavailable, an index missing, a cursor edited by hand) is logged and
    // starts again at its beginning next pass; the other walks still run.
    const outOfTime = await run(name).catch((error: unknown) => {
      summary.errors++;
      taskLog.sweepWalkFailed(name, String((error as Error)?.message ?? error));
      state[name] = undefined;
      return Date.now() >= deadline;
    });
    if (outOfTime) {
      summary.complete = false;
      state.resumeWith = WALKS[(first + i + 1) % WALKS.length];
      break;
    }
  }

  await saveState(cursorRef, before, state);
  // Groups whose children all ended without the shards closing them: cancelled children, a worker that stopped.
  summary.groups = await checkGroups(now).catch((error: unknown) => {
    taskLog.sweepWalkFailed("groups", String((error as Error)?.message ?? error));
    return { checked: 0, finished: 0, errors: 1 };
  });
  taskLog.swept(summary);
  return summary;
}

/** Visits `docs` that are queue tasks, side by side; a failing visit is logged and counted, and the rest go on. */
async function visitAll(
  docs: QueryDocumentSnapshot[],
  visit: (doc: QueryDocumentSnapshot) => Promise<void>,
  summary: SweepSummary,
): Promise<void> {
  // A `tasks` collection deeper down belongs to the app, not to the queue.
  const queued = docs.filter((doc) => isQueueTaskPath(doc.ref.path));
  const results = await Promise.allSettled(queued.map(visit));
  results.forEach((result, i) => {
    if (result.status === "fulfilled") return;
    summary.errors++;
    taskLog.sweepItemFailed(queued[i].ref.path, String((result.reason as Error)?.message ?? result.reason));
  });
}

function startingAt(walk: Walk, cursor: Cursor | undefined): Query {
  if (!cursor) return walk.query;
  if (!walk.field) return cursor.path ? walk.query.startAfter(cursor.path) : walk.query;
  if (!cursor.at) return walk.query;
  return cursor.path ? walk.query.startAfter(cursor.at, cursor.path) : walk.query.startAt(cursor.at);
}

function cursorOf(walk: Walk, doc: QueryDocumentSnapshot): Cursor {
  const at: unknown = walk.field ? doc.get(walk.field) : undefined;
  return at instanceof Timestamp ? { at, path: doc.ref.path } : { path: doc.ref.path };
}

/**
 * Dispatches `doc` again if it is past due by more than the grace period, and not possibly being run.
 *
 * Which run: Cloud Tasks refuses a task whose id it holds (queued, or run or deleted within about an hour). In the
 * task's first `redispatchEverySeconds` past due, the sweeper asks for the attempt's own run id, the one the
 * trigger, a retry, the lease recovery and an admin's retry queue the attempt under. So a task merely waiting
 * behind the queue's concurrency limit (its run queued, not dispatched yet) gets no second run, pass after pass;
 * and a task that never had a run queued (its creation event was lost, a retry made by hand, a dispatch that
 * failed) gets one at once. Past that, a run of the sweeper's own per period (`-sweep1`, `-sweep2`, ...): a run
 * that was lost (dropped after its delivery attempts, or deleted) still holds the attempt's id, so this is what
 * recovers it; and a task still waiting behind the limit gets at most one more run per period, never one per pass.
 * Periods count from the task's due time, not the clock, so two of the sweeper's runs are a whole period apart.
 *
 * Not being run: a task on the express path (`idempotent: true`) has no claim, so nothing on it shows a worker
 * running it; its grace is the handler's timeout plus the lease margin, as long as a claimed task's lease.
 */
async function redispatch(
  doc: QueryDocumentSnapshot,
  registry: Registry,
  now: Date,
  graceMs: number,
  summary: SweepSummary,
): Promise<void> {
  const task = doc.data();
  const late = now.getTime() - dueMillis(task, doc.updateTime);
  if (late <= graceMs) return;
  const options = registry.resolve(String(task.type), String(task.action))?.options;
  if (options?.idempotent && late <= (options.timeoutSeconds + LEASE_MARGIN_SECONDS) * 1000) return;
  summary.overdue++;
  const period = Math.floor(late / (SWEEPER.redispatchEverySeconds * 1000));
  await dispatchNow(
    { path: doc.ref.path, attempt: attemptsSoFar(task) + 1 },
    { queue: runQueueOf(registry, task.type, task.action), idSuffix: period === 0 ? "" : `-sweep${period}` },
  );
  summary.redispatched++;
}

/**
 * When a `scheduled` task fell due: its `runAt`; without one (written by plain SDK code), its `createdAt`; without
 * that either, the last write to it (a task written `scheduled` by hand).
 */
function dueMillis(task: DocumentData, updateTime: Timestamp): number {
  if (task.runAt instanceof Timestamp) return task.runAt.toMillis();
  if (task.createdAt instanceof Timestamp) return task.createdAt.toMillis();
  return updateTime.toMillis();
}

/** Counts the crashed attempt and moves the task on, unless it changed since the query saw it. */
async function recoverExpiredLease(doc: QueryDocumentSnapshot, registry: Registry, now: Date): Promise<boolean> {
  const task = doc.data();
  const attempt = Math.max(1, attemptsSoFar(task));
  const maxAttempts = typeof task.maxAttempts === "number" ? task.maxAttempts : attempt;
  const options = registry.resolve(String(task.type), String(task.action))?.options;
  const backoff = options?.backoff ?? HANDLER_DEFAULTS.backoff;
  const failure = new TaskFailure(
    ERROR_CODES.leaseExpired,
    "the worker running this attempt stopped before recording an outcome (crash or timeout of the function)",
    true,
  );
  const transition = nextState({ ok: false, failure }, attempt, maxAttempts, backoff, now);
  const startedAt = task.startedAt instanceof Timestamp ? task.startedAt : Timestamp.fromDate(now);
  let count: ChildCount | undefined;
  const write = async (update: ReturnType<typeof outcomeUpdate>) => {
    const counted = withCount(doc.ref.path, task, update);
    count = counted.count;
    return (await updateIfUnchanged(doc.ref, doc.updateTime, counted.update, counted.also)) !== undefined;
  };
  const written = await writeOutcome(
    write,
    outcomeUpdate(transition, { attempt, startedAt, history: task.history, retainFor: options?.retainFor }),
    attempt,
  );
  if (written && count) await closeShardIfFull(count);
  // The engine's writes do not wake the trigger: the retry's run is queued here (or, failing that, found overdue).
  if (written && transition.state === "scheduled") {
    const queue = runQueueOf(registry, task.type, task.action);
    await scheduleRun({ path: doc.ref.path, attempt: attempt + 1 }, transition.runAt, { queue });
  }
  return written;
}

// ---- The cursor document ---------------------------------------------------------------------------------------

/** The walks' cursors; none (every walk starts at its beginning) when the document is missing or unreadable. */
async function loadState(ref: DocumentReference): Promise<SweeperState> {
  let data: DocumentData | undefined;
  try {
    data = (await ref.get()).data();
  } catch (error) {
    taskLog.sweepCursorFailed(ref.path, "read", String((error as Error)?.message ?? error));
  }
  const state: SweeperState = {};
  for (const name of WALKS) {
    const value = data?.[name] as { at?: unknown; path?: unknown } | undefined;
    const at = value?.at instanceof Timestamp ? value.at : undefined;
    const path = typeof value?.path === "string" && value.path !== "" ? value.path : undefined;
    if (at || path) state[name] = { ...(at ? { at } : {}), ...(path ? { path } : {}) };
  }
  if (WALKS.includes(data?.resumeWith)) state.resumeWith = data?.resumeWith as WalkName;
  return state;
}

/** Writes the cursors if any moved (an idle pass writes nothing); a failed write is logged, never thrown. */
async function saveState(ref: DocumentReference, before: SweeperState, after: SweeperState): Promise<void> {
  const fields: DocumentData = {};
  for (const name of WALKS) {
    const cursor = after[name];
    if (cursor)
      fields[name] = { ...(cursor.at ? { at: cursor.at } : {}), ...(cursor.path ? { path: cursor.path } : {}) };
  }
  if (after.resumeWith) fields.resumeWith = after.resumeWith;
  if (sameState(before, fields)) return;
  try {
    await ref.set(fields);
  } catch (error) {
    taskLog.sweepCursorFailed(ref.path, "write", String((error as Error)?.message ?? error));
  }
}

function sameState(a: SweeperState, b: SweeperState): boolean {
  const key = (s: SweeperState) =>
    JSON.stringify([
      ...WALKS.map((name) => [s[name]?.at?.toMillis(), s[name]?.at?.nanoseconds, s[name]?.path]),
      s.resumeWith,
    ]);
  return key(a) === key(b);
}
