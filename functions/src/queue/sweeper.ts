// The safety net behind the trigger and the queue. It finds
//  - `running` tasks whose lease expired (the worker crashed or was killed): the attempt counts, and the task is
//    retried with backoff or ends `failed` with `handler/lease-expired`;
//  - `scheduled` tasks overdue by more than a grace period (their trigger event or Cloud Task was lost): they
//    are handed to the Cloud Tasks queue again.
// Each change is a compare-and-set on the version the query returned, so two sweeps at once do each thing once.
import { Timestamp, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { db } from "./firebase";
import { SWEEPER } from "./config";
import { ERROR_CODES, TASKS_COLLECTION } from "./task";
import { TaskFailure } from "./errors";
import { updateIfUnchanged } from "./fenced-writer";
import { outcomeUpdate } from "./outcome";
import { nextState } from "./retry-policy";
import { scheduleRun } from "./schedule";
import { HANDLER_DEFAULTS } from "./config";
import { taskLog } from "./logs";
import type { Registry } from "./registry";

export interface SweepOptions {
  now?: Date;
  overdueGraceSeconds?: number;
  pageSize?: number;
}

export interface SweepSummary {
  expiredLeases: number;
  recovered: number;
  overdue: number;
  redispatched: number;
}

async function forEachPage(query: Query, pageSize: number, visit: (doc: QueryDocumentSnapshot) => Promise<void>) {
  let page = await query.limit(pageSize).get();
  while (!page.empty) {
    await Promise.all(page.docs.map(visit));
    if (page.size < pageSize) break;
    page = await query
      .startAfter(page.docs[page.docs.length - 1])
      .limit(pageSize)
      .get();
  }
}

export async function sweep(registry: Registry, options: SweepOptions = {}): Promise<SweepSummary> {
  const now = options.now ?? new Date();
  const pageSize = options.pageSize ?? SWEEPER.pageSize;
  const cutoff = Timestamp.fromMillis(
    now.getTime() - (options.overdueGraceSeconds ?? SWEEPER.overdueGraceSeconds) * 1000,
  );
  const tasks = db().collectionGroup(TASKS_COLLECTION);
  const summary: SweepSummary = { expiredLeases: 0, recovered: 0, overdue: 0, redispatched: 0 };

  const expired = tasks
    .where("state", "==", "running")
    .where("lease.expiresAt", "<", Timestamp.fromDate(now))
    .orderBy("lease.expiresAt");
  await forEachPage(expired, pageSize, async (doc) => {
    summary.expiredLeases++;
    if (await recoverExpiredLease(doc, registry, now)) summary.recovered++;
  });

  // Overdue `scheduled` tasks: those with a `runAt` long past, and those without one created long ago.
  const seen = new Set<string>();
  const redispatch = async (doc: QueryDocumentSnapshot) => {
    const runAt = doc.get("runAt");
    if (seen.has(doc.ref.path) || (runAt instanceof Timestamp && runAt.toMillis() > cutoff.toMillis())) return;
    seen.add(doc.ref.path);
    summary.overdue++;
    const attempts = doc.get("attempts");
    const attempt = (typeof attempts === "number" ? attempts : 0) + 1;
    // A per-sweep suffix: the original Cloud Task id may have been used by a run that was lost.
    await scheduleRun({ path: doc.ref.path, attempt }, now, `-sweep${Math.floor(now.getTime() / 60000)}`);
    summary.redispatched++;
  };
  await forEachPage(
    tasks.where("state", "==", "scheduled").where("runAt", "<", cutoff).orderBy("runAt"),
    pageSize,
    redispatch,
  );
  await forEachPage(
    tasks.where("state", "==", "scheduled").where("createdAt", "<", cutoff).orderBy("createdAt"),
    pageSize,
    redispatch,
  );

  taskLog.swept({ ...summary });
  return summary;
}

/** Counts the crashed attempt and moves the task on, unless it changed since the query saw it. */
async function recoverExpiredLease(doc: QueryDocumentSnapshot, registry: Registry, now: Date): Promise<boolean> {
  const task = doc.data();
  const attempt = typeof task.attempts === "number" ? task.attempts : 1;
  const maxAttempts = typeof task.maxAttempts === "number" ? task.maxAttempts : attempt;
  const handler = registry.resolve(String(task.type), String(task.action));
  const backoff = handler?.options.backoff ?? HANDLER_DEFAULTS.backoff;
  const failure = new TaskFailure(
    ERROR_CODES.leaseExpired,
    "the worker running this attempt stopped before recording an outcome (crash or timeout of the function)",
    true,
  );
  const transition = nextState({ ok: false, failure }, attempt, maxAttempts, backoff, now);
  const startedAt = task.startedAt instanceof Timestamp ? task.startedAt : Timestamp.fromDate(now);
  const update = outcomeUpdate(transition, { attempt, startedAt, history: task.history });
  return (await updateIfUnchanged(doc.ref, doc.updateTime, update)) !== undefined;
}
