// "Retry all matching": every failed task that matches a filter becomes `scheduled` again, thousands of writes
// paged through by document name and committed by a BulkWriter, each conditioned on the update time it was read at.
import {
  FieldPath,
  FieldValue,
  Timestamp,
  type DocumentReference,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import { ADMIN_LIMITS } from "../config";
import { adminLog } from "../logs";
import type { RetryTasksResult, TaskFilter } from "../model/admin";
import { isQueueTaskPath } from "../model/task";
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
 * Retries every failed task matching `filter`, as the page's single retry does: `scheduled` again, with who and
 * when. Each write is conditioned on the update time the query saw, so a task that changed meanwhile (retried by
 * someone else, say) is skipped, never retried twice. Pages are ordered by document name, which the writes do not
 * change, so paging stays stable while the matched set shrinks.
 */
export async function retryFailedTasks(
  filter: TaskFilter,
  uid: string,
  options: { pageSize?: number; budgetMs?: number } = {},
): Promise<RetryTasksResult> {
  const pageSize = options.pageSize ?? ADMIN_LIMITS.retryPageSize;
  const deadline = Date.now() + (options.budgetMs ?? ADMIN_LIMITS.retryBudgetMs);
  const result: RetryTasksResult = { retried: 0, skipped: 0, errors: 0, complete: true };
  const writer = db().bulkWriter();
  // Transient errors are tried again, with BulkWriter's backoff: its default handler covers ABORTED and
  // UNAVAILABLE; a busy backend also answers DEADLINE_EXCEEDED (seen on a loaded emulator at 10,000 tasks). Trying
  // again is safe: if the first try did commit after all, the update-time precondition fails the second one, and
  // `settleAmbiguous` finds our own write. A lost precondition is otherwise final (the task changed).
  const triedAgain = new Set<string>();
  writer.onWriteError((error) => {
    const again = isTransient(error) && error.failedAttempts < ADMIN_LIMITS.retryWriteAttempts;
    if (again) triedAgain.add(error.documentRef.path);
    return again;
  });
  const retry = { state: "scheduled", retriedBy: uid, retriedAt: FieldValue.serverTimestamp() };
  const startedAt = Date.now() - 1000; // a second of slack for the server's clock
  /** A write tried again lost its precondition: retried by this call's first try, or changed by someone else? */
  const settleAmbiguous = async (ref: DocumentReference) => {
    const task = await ref.get();
    const retriedAt = task.get("retriedAt");
    const ours = task.get("retriedBy") === uid && retriedAt instanceof Timestamp && retriedAt.toMillis() >= startedAt;
    if (ours) result.retried++;
    else result.skipped++;
  };
  const writes: Promise<void>[] = [];
  const base = matchingTasks("failed", filter).orderBy(FieldPath.documentId()).select().limit(pageSize);

  let last: QueryDocumentSnapshot | undefined;
  for (;;) {
    const page = await (last ? base.startAfter(last) : base).get();
    for (const doc of page.docs) {
      if (!isQueueTaskPath(doc.ref.path)) {
        result.skipped++; // a `tasks` collection deeper down belongs to the app, not to the queue
        continue;
      }
      const write = writer.update(doc.ref, retry, { lastUpdateTime: doc.updateTime }).then(
        () => void result.retried++,
        async (error: BulkWriterError) => {
          if (isPreconditionFailure(error) && triedAgain.has(doc.ref.path)) {
            await settleAmbiguous(doc.ref);
          } else if (isPreconditionFailure(error) || isNotFound(error)) {
            result.skipped++;
          } else {
            result.errors++;
            adminLog.retryWriteFailed(doc.ref.path, error.code, error.message);
          }
        },
      );
      writes.push(write);
    }
    if (page.size < pageSize) break;
    last = page.docs[page.size - 1];
    // Let the writes catch up before reading on: BulkWriter buffers without limit, and the deadline must bound
    // the writes too, not only the reads.
    await writer.flush();
    if (Date.now() > deadline) {
      result.complete = false;
      break;
    }
  }
  await writer.close();
  await Promise.all(writes);
  return result;
}
