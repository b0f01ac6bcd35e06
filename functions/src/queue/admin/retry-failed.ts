// Retrying failed tasks with admin rights: the ones an admin picked (`paths`), or every failed task matching a filter
// ("Retry all matching"), paged through by document name. Each becomes `scheduled` again with who and when, by a
// write conditioned on the update time it was read at, and is then dispatched to the runner at once: the trigger
// fires on creation only, so nothing else would start it before the sweeper's next pass.
import {
  FieldPath,
  FieldValue,
  Timestamp,
  type BulkWriter,
  type DocumentReference,
  type DocumentSnapshot,
  type QueryDocumentSnapshot,
  type QuerySnapshot,
} from "firebase-admin/firestore";
import { ADMIN_LIMITS } from "../config";
import { adminLog } from "../logs";
import type { RetryOutcome, RetryTasksResult, TaskFilter } from "../model/admin";
import { isQueueTaskPath } from "../model/task";
import { attemptsSoFar } from "../attempt/claim";
import { dispatchEach, type RunRequest, type RunTarget } from "../store/cloud-tasks";
import { runQueueOf } from "../flow/limits";
import type { Registry } from "../model/handler";
import { db } from "../store/firestore";
import { isNotFound, isPreconditionFailure, isTransient } from "../store/status-codes";
import { matchingTasks } from "./filters";

/** What a failed BulkWriter operation reports (the class is not re-exported by firebase-admin). */
interface BulkWriterError {
  code: number;
  message: string;
  failedAttempts: number;
}

/**
 * One batch of retries: a BulkWriter, the tally, and the runs to dispatch for the tasks retried. Each write is
 * conditioned on the update time the task was read at, so a task that changed meanwhile (retried by someone else,
 * say) is skipped, never retried twice.
 */
function startRetries(uid: string, registry: Registry) {
  const result: RetryTasksResult = { retried: 0, skipped: 0, errors: 0, complete: true };
  const writer: BulkWriter = db().bulkWriter();
  // Transient errors are tried again, with BulkWriter's backoff: its default handler covers ABORTED and
  // UNAVAILABLE; a busy backend also answers DEADLINE_EXCEEDED (seen on a loaded emulator at 10,000 tasks). Trying
  // again is safe: if the first try did commit after all, the update-time precondition fails the second one, and
  // `isOurs` finds our own write. A lost precondition is otherwise final (the task changed).
  const triedAgain = new Set<string>();
  writer.onWriteError((error) => {
    const again = isTransient(error) && error.failedAttempts < ADMIN_LIMITS.retryWriteAttempts;
    if (again) triedAgain.add(error.documentRef.path);
    return again;
  });
  const fields = { state: "scheduled", retriedBy: uid, retriedAt: FieldValue.serverTimestamp() };
  const startedAt = Date.now() - 1000; // a second of slack for the server's clock
  /** A write tried again lost its precondition: retried by this call's first try, or changed by someone else? */
  const isOurs = async (ref: DocumentReference) => {
    const task = await ref.get();
    const retriedAt = task.get("retriedAt");
    return task.get("retriedBy") === uid && retriedAt instanceof Timestamp && retriedAt.toMillis() >= startedAt;
  };
  const writes: Promise<RetryOutcome>[] = [];
  let toDispatch: { request: RunRequest; target: RunTarget }[] = [];

  const retried = (request: RunRequest, queue: string): RetryOutcome => {
    result.retried++;
    toDispatch.push({ request, target: { queue } });
    return { path: request.path, retried: true };
  };
  const skipped = (path: string, state: string): RetryOutcome => {
    result.skipped++;
    return { path, retried: false, state };
  };

  /** Retries `doc` (a snapshot with at least `attempts`, `type` and `action`), unless it changes before the write lands. */
  const retry = (doc: DocumentSnapshot): Promise<RetryOutcome> => {
    const path = doc.ref.path;
    const request = { path, attempt: attemptsSoFar(doc.data() ?? {}) + 1 };
    const queue = runQueueOf(registry, doc.get("type"), doc.get("action"));
    const write: Promise<RetryOutcome> = writer.update(doc.ref, fields, { lastUpdateTime: doc.updateTime }).then(
      () => retried(request, queue),
      async (error: BulkWriterError) => {
        if (isPreconditionFailure(error) && triedAgain.has(path) && (await isOurs(doc.ref)))
          return retried(request, queue);
        if (isPreconditionFailure(error)) return skipped(path, String((await doc.ref.get()).get("state") ?? "deleted"));
        if (isNotFound(error)) return skipped(path, "deleted");
        result.errors++;
        adminLog.retryWriteFailed(path, error.code, error.message);
        return { path, retried: false as const, error: error.message };
      },
    );
    writes.push(write);
    return write;
  };

  /** Lands the writes so far and dispatches the tasks they retried. A run that cannot be queued is left to the sweeper. */
  const flush = async () => {
    await writer.flush();
    await Promise.all(writes);
    const runs = toDispatch;
    toDispatch = [];
    await dispatchEach(runs, adminLog.dispatchFailed);
  };

  const close = async () => {
    await flush();
    await writer.close();
    return result;
  };
  return { result, retry, skipped, flush, close };
}

/** Retries the failed tasks at `paths`; any other is skipped with its state. */
export async function retryTasksAt(paths: string[], uid: string, registry: Registry): Promise<RetryTasksResult> {
  const retries = startRetries(uid, registry);
  const refs = paths.map((path) => db().doc(path));
  const snapshots = refs.length ? await db().getAll(...refs) : [];
  // Not awaited one by one: BulkWriter sends its writes when flushed, which close() does.
  const outcomes = snapshots.map((snapshot) => {
    if (!snapshot.exists) return retries.skipped(snapshot.ref.path, "deleted");
    const state = String(snapshot.get("state"));
    if (state !== "failed") return retries.skipped(snapshot.ref.path, state);
    return retries.retry(snapshot);
  });
  const result = await retries.close();
  return { ...result, outcomes: await Promise.all(outcomes) };
}

/**
 * Retries every failed task matching `filter`, within a time budget (`complete: false` when it ran out: call again
 * with the `cursor` returned). Pages are ordered by document name, which the writes do not change, so paging stays
 * stable while the matched set shrinks, and a call given `options.cursor` (a document path) starts after it.
 */
export async function retryFailedTasks(
  filter: TaskFilter,
  uid: string,
  registry: Registry,
  options: { pageSize?: number; budgetMs?: number; cursor?: string } = {},
): Promise<RetryTasksResult> {
  const pageSize = options.pageSize ?? ADMIN_LIMITS.retryPageSize;
  const deadline = Date.now() + (options.budgetMs ?? ADMIN_LIMITS.retryBudgetMs);
  const retries = startRetries(uid, registry);
  const base = matchingTasks("failed", filter)
    .orderBy(FieldPath.documentId())
    .select("attempts", "type", "action")
    .limit(pageSize);

  // Where the previous call stopped (a document path: the query is ordered by name), then the last document read.
  let after: QueryDocumentSnapshot | string | undefined = options.cursor;
  for (;;) {
    const page: QuerySnapshot = await (after !== undefined ? base.startAfter(after) : base).get();
    for (const doc of page.docs) {
      // A `tasks` collection deeper down belongs to the app, not to the queue.
      if (isQueueTaskPath(doc.ref.path)) void retries.retry(doc);
      else retries.skipped(doc.ref.path, "not a queue task");
    }
    if (page.size < pageSize) break;
    const last = page.docs[page.size - 1];
    after = last;
    // Let the writes catch up before reading on: BulkWriter buffers without limit, and the deadline must bound
    // the writes too, not only the reads.
    await retries.flush();
    if (Date.now() > deadline) {
      retries.result.complete = false;
      retries.result.cursor = last.ref.path;
      break;
    }
  }
  return retries.close();
}
