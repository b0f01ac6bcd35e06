// Retrying failed tasks with admin rights: the ones an admin picked (`paths`), or every failed task matching a filter
// ("Retry all matching"), paged through by document name (bulk-update.ts: conditioned writes, cursor, time budget).
// Each becomes `scheduled` again with who and when, and is then dispatched to the runner at once: the trigger fires
// on creation only, so nothing else would start it before the sweeper's next pass.
import { FieldPath, type DocumentSnapshot } from "firebase-admin/firestore";
import { adminLog } from "../logs";
import type { RetryTasksResult, TaskFilter } from "../model/admin";
import { attemptsSoFar } from "../attempt/claim";
import { CLEAR_END_FIELDS } from "../attempt/outcome";
import { dispatchEach, type RunRequest, type RunTarget } from "../store/cloud-tasks";
import { runQueueOf } from "../flow/limits";
import type { Registry } from "../model/handler";
import { matchingTasks } from "./filters";
import { named, updateAllMatching, updateTasksAt, type PagingOptions, type Transition } from "./bulk-update";

/** `failed` → `scheduled`, each retried task dispatched once its write has landed. */
function retryTransition(uid: string, registry: Registry): Transition {
  let toDispatch: { request: RunRequest; target: RunTarget }[] = [];
  return {
    from: "failed",
    to: "scheduled",
    audit: "retried",
    uid,
    // Live again: no longer counted as ended, nor deleted by the TTL policy while it waits (the claim clears them
    // too, but a retried task may wait: delayed, or its queue paused).
    fieldsFor: () => CLEAR_END_FIELDS,
    onDone(doc: DocumentSnapshot) {
      const request = { path: doc.ref.path, attempt: attemptsSoFar(doc.data() ?? {}) + 1 };
      toDispatch.push({ request, target: { queue: runQueueOf(registry, doc.get("type"), doc.get("action")) } });
    },
    // A run that cannot be queued is left to the sweeper.
    async afterFlush() {
      const runs = toDispatch;
      toDispatch = [];
      await dispatchEach(runs, adminLog.dispatchFailed);
    },
    onWriteError: adminLog.retryWriteFailed,
  };
}

/** Retries the failed tasks at `paths`; any other is skipped with its state. */
export async function retryTasksAt(paths: string[], uid: string, registry: Registry): Promise<RetryTasksResult> {
  const { tally, outcomes } = await updateTasksAt(paths, retryTransition(uid, registry));
  return named<RetryTasksResult>("retried", tally, outcomes);
}

/**
 * Retries every failed task matching `filter`, within a time budget (`complete: false` when it ran out: call again
 * with the `cursor` returned, and the call starts after it).
 */
export async function retryFailedTasks(
  filter: TaskFilter,
  uid: string,
  registry: Registry,
  options: PagingOptions = {},
): Promise<RetryTasksResult> {
  const query = matchingTasks("failed", filter).orderBy(FieldPath.documentId()).select("attempts", "type", "action");
  return named<RetryTasksResult>("retried", await updateAllMatching(query, retryTransition(uid, registry), options));
}
