// After a resume: the tasks the pause held are `scheduled` with a `runAt` in the past (a held task without one got
// one: flow/pauses.ts). This walks those, paged by (`runAt`, name) within a time budget, and dispatches each whose
// handler is no longer paused through that handler's queue, so its limits apply. A task that was merely due and
// about to run anyway gets a second run request; its claim is conditioned on the version it was read at, so only
// one of the two runs it (on the express path, which has no claim, both may run the handler and one outcome is
// recorded, as with any duplicate delivery there). The query reads every index shard at once (`shard in [...]`,
// merged by Firestore in (`runAt`, name) order), so the cursor, a task's path, holds across shards.
import { FieldPath, Timestamp, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { FLOW } from "../config";
import { adminLog } from "../logs";
import { TASKS_COLLECTION, isQueueTaskPath } from "../model/task";
import { queriedShards, SHARD_FIELD } from "../model/index-shard";
import type { Registry } from "../model/handler";
import { attemptsSoFar } from "../attempt/claim";
import { db } from "../store/firestore";
import { dispatchEach, type RunRequest, type RunTarget } from "../store/cloud-tasks";
import { runQueueOf } from "./limits";
import { pauseOf, readPauses } from "./pauses";

export interface ResumeResult {
  dispatched: number;
  /** False when the time budget ran out: call again with `cursor` (the path of the last task read). */
  complete: boolean;
  cursor?: string;
}

export async function dispatchHeldTasks(
  registry: Registry,
  options: { cursor?: string; pageSize?: number; budgetMs?: number } = {},
): Promise<ResumeResult> {
  const pageSize = options.pageSize ?? FLOW.resumePageSize;
  const deadline = Date.now() + (options.budgetMs ?? FLOW.resumeBudgetMs);
  const pauses = await readPauses();
  const idSuffix = `-resume${Date.now()}`;
  const base = db()
    .collectionGroup(TASKS_COLLECTION)
    .where(SHARD_FIELD, "in", queriedShards())
    .where("state", "==", "scheduled")
    .where("runAt", "<=", Timestamp.now())
    .orderBy("runAt")
    .orderBy(FieldPath.documentId())
    .select("attempts", "type", "action", "runAt")
    .limit(pageSize);
  let query: Query = base;
  if (options.cursor) {
    const last = await db().doc(options.cursor).get();
    const runAt = last.get("runAt");
    if (runAt instanceof Timestamp) query = base.startAfter(runAt, options.cursor);
  }
  const result: ResumeResult = { dispatched: 0, complete: true };
  for (;;) {
    const page = await query.get();
    const runs: { request: RunRequest; target: RunTarget }[] = page.docs.filter(isRunnable).map((doc) => ({
      request: { path: doc.ref.path, attempt: attemptsSoFar(doc.data()) + 1 },
      target: { queue: runQueueOf(registry, doc.get("type"), doc.get("action")), idSuffix },
    }));
    await dispatchEach(runs, adminLog.dispatchFailed);
    result.dispatched += runs.length;
    if (page.size < pageSize) return result;
    const last = page.docs[page.size - 1];
    if (Date.now() > deadline) return { ...result, complete: false, cursor: last.ref.path };
    query = base.startAfter(last);
  }

  function isRunnable(doc: QueryDocumentSnapshot): boolean {
    return isQueueTaskPath(doc.ref.path) && !pauseOf(pauses, doc.get("type"), doc.get("action"));
  }
}
