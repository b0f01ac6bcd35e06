// Cancelling scheduled tasks with admin rights: the ones an admin picked (`paths`), or every scheduled task matching
// a filter ("Cancel all matching"), paged through by document name (bulk-update.ts: conditioned writes, cursor, time
// budget). A task still `scheduled` when the write lands becomes `cancelled` with `cancelledBy` and `cancelledAt`;
// one that started, ended or was cancelled meanwhile is skipped and left as it is. Its Cloud Task may still fire
// (a delayed run, a retry's backoff): runTask finds the task no longer `scheduled` and drops the run as stale.
// The write also sets `expireAt`, the handler's retention for cancelled tasks, like every other write that ends a task.
import { FieldPath, type DocumentSnapshot } from "firebase-admin/firestore";
import { adminLog } from "../logs";
import type { CancelTasksResult, TaskFilter } from "../model/admin";
import type { Registry } from "../model/handler";
import { expireAtFor } from "../attempt/outcome";
import { matchingTasks } from "./filters";
import { named, updateAllMatching, updateTasksAt, type PagingOptions, type Transition } from "./bulk-update";

const cancelTransition = (uid: string, registry: Registry): Transition => ({
  from: "scheduled",
  to: "cancelled",
  audit: "cancelled",
  uid,
  fieldsFor(doc: DocumentSnapshot) {
    const handler = registry.resolve(doc.get("type"), doc.get("action"));
    return { expireAt: expireAtFor("cancelled", handler?.options.retainFor) };
  },
  onWriteError: adminLog.cancelWriteFailed,
});

/** Cancels the scheduled tasks at `paths`; any other is skipped with its state. */
export async function cancelTasksAt(paths: string[], uid: string, registry: Registry): Promise<CancelTasksResult> {
  const { tally, outcomes } = await updateTasksAt(paths, cancelTransition(uid, registry));
  return named<CancelTasksResult>("cancelled", tally, outcomes);
}

/**
 * Cancels every scheduled task matching `filter`, within a time budget (`complete: false` when it ran out: call
 * again with the `cursor` returned, and the call starts after it).
 */
export async function cancelScheduledTasks(
  filter: TaskFilter,
  uid: string,
  registry: Registry,
  options: PagingOptions = {},
): Promise<CancelTasksResult> {
  // The handler's fields only (for its retention): the write is conditioned on the update time, which every
  // snapshot carries.
  const query = matchingTasks("scheduled", filter).orderBy(FieldPath.documentId()).select("type", "action");
  return named<CancelTasksResult>(
    "cancelled",
    await updateAllMatching(query, cancelTransition(uid, registry), options),
  );
}
