// The safety net behind the trigger and the queue. It finds
//  - `running` tasks whose lease expired (the worker crashed or was killed): the attempt counts, and the task is
//    retried with backoff or ends `failed` with `handler/lease-expired` (a compare-and-set on the version the
//    query returned, so of two sweeps at once one recovers it);
//  - `scheduled` tasks overdue by more than a grace period (their trigger event or Cloud Task was lost): they
//    are enqueued on the Cloud Tasks queue again, with an id per task, attempt and hour, so sweeps that overlap
//    enqueue one run.
// One task that cannot be moved on is logged and skipped; it never stops the sweep.
import { Timestamp, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { db } from "../store/firestore";
import { HANDLER_DEFAULTS, SWEEPER } from "../config";
import { ERROR_CODES, TASKS_COLLECTION, isQueueTaskPath } from "../model/task";
import { runAtMillis } from "../attempt/due";
import { TaskFailure } from "../model/errors";
import { attemptsSoFar } from "../attempt/claim";
import { updateIfUnchanged } from "../store/fenced-writer";
import { outcomeUpdate, writeOutcome } from "../attempt/outcome";
import { nextState } from "../attempt/retry-policy";
import { scheduleRun } from "../store/cloud-tasks";
import { taskLog } from "../logs";
import type { Registry } from "../model/handler";

interface SweepOptions {
  now?: Date;
  overdueGraceSeconds?: number;
  pageSize?: number;
}

interface SweepSummary {
  expiredLeases: number;
  recovered: number;
  overdue: number;
  redispatched: number;
  errors: number;
}

const HOUR_MS = 3600_000;

export async function sweep(registry: Registry, options: SweepOptions = {}): Promise<SweepSummary> {
  const now = options.now ?? new Date();
  const pageSize = options.pageSize ?? SWEEPER.pageSize;
  const cutoffMs = now.getTime() - (options.overdueGraceSeconds ?? SWEEPER.overdueGraceSeconds) * 1000;
  const cutoff = Timestamp.fromMillis(cutoffMs);
  const tasks = db().collectionGroup(TASKS_COLLECTION);
  const summary: SweepSummary = { expiredLeases: 0, recovered: 0, overdue: 0, redispatched: 0, errors: 0 };

  /** Visits every queue task the query returns, page by page; a failing visit is logged and counted. */
  const forEach = async (query: Query, visit: (doc: QueryDocumentSnapshot) => Promise<void>) => {
    let page = await query.limit(pageSize).get();
    for (;;) {
      const docs = page.docs.filter((doc) => isQueueTaskPath(doc.ref.path));
      const results = await Promise.allSettled(docs.map(visit));
      results.forEach((result, i) => {
        if (result.status === "fulfilled") return;
        summary.errors++;
        taskLog.sweepItemFailed(docs[i].ref.path, String((result.reason as Error)?.message ?? result.reason));
      });
      if (page.size < pageSize) return;
      page = await query
        .startAfter(page.docs[page.size - 1])
        .limit(pageSize)
        .get();
    }
  };

  const expired = tasks.where("state", "==", "running").where("lease.expiresAt", "<", Timestamp.fromDate(now));
  await forEach(expired.orderBy("lease.expiresAt"), async (doc) => {
    summary.expiredLeases++;
    if (await recoverExpiredLease(doc, registry, now)) summary.recovered++;
  });

  // Overdue `scheduled` tasks: by `runAt`, and, for tasks written without one, by `createdAt` within a window.
  const seen = new Set<string>();
  const redispatch = async (doc: QueryDocumentSnapshot) => {
    if (seen.has(doc.ref.path) || runAtMillis(doc.data()) > cutoffMs) return;
    seen.add(doc.ref.path);
    summary.overdue++;
    const attempt = attemptsSoFar(doc.data()) + 1;
    await scheduleRun({ path: doc.ref.path, attempt }, now, `-sweep${Math.floor(now.getTime() / HOUR_MS)}`);
    summary.redispatched++;
  };
  const scheduled = tasks.where("state", "==", "scheduled");
  await forEach(scheduled.where("runAt", "<", cutoff).orderBy("runAt"), redispatch);
  const windowStart = Timestamp.fromMillis(cutoffMs - SWEEPER.lostEventWindowSeconds * 1000);
  const recent = scheduled.where("createdAt", ">=", windowStart).where("createdAt", "<", cutoff);
  await forEach(recent.orderBy("createdAt"), redispatch);

  taskLog.swept(summary);
  return summary;
}

/** Counts the crashed attempt and moves the task on, unless it changed since the query saw it. */
async function recoverExpiredLease(doc: QueryDocumentSnapshot, registry: Registry, now: Date): Promise<boolean> {
  const task = doc.data();
  const attempt = Math.max(1, attemptsSoFar(task));
  const maxAttempts = typeof task.maxAttempts === "number" ? task.maxAttempts : attempt;
  const backoff = registry.resolve(String(task.type), String(task.action))?.options.backoff ?? HANDLER_DEFAULTS.backoff;
  const failure = new TaskFailure(
    ERROR_CODES.leaseExpired,
    "the worker running this attempt stopped before recording an outcome (crash or timeout of the function)",
    true,
  );
  const transition = nextState({ ok: false, failure }, attempt, maxAttempts, backoff, now);
  const startedAt = task.startedAt instanceof Timestamp ? task.startedAt : Timestamp.fromDate(now);
  const write = async (update: ReturnType<typeof outcomeUpdate>) =>
    (await updateIfUnchanged(doc.ref, doc.updateTime, update)) !== undefined;
  const written = await writeOutcome(
    write,
    outcomeUpdate(transition, { attempt, startedAt, history: task.history }),
    attempt,
  );
  // The engine's writes do not wake the trigger: the retry's run is queued here (or, failing that, found overdue).
  if (written && transition.state === "scheduled")
    await scheduleRun({ path: doc.ref.path, attempt: attempt + 1 }, transition.runAt);
  return written;
}
