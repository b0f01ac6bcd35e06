// The admin page's callables, `retryTasks` and `runTaskNow`. Callables bypass the security rules, so each checks
// the caller's `admin` claim itself before doing the work in admin/. Single retries and cancels are client writes,
// governed by the rules.
import { HttpsError, type CallableRequest } from "firebase-functions/https";
import { adminLog } from "../logs";
import type { RetryTasksResult, RunNowResult } from "../model/admin";
import { isQueueTaskPath } from "../model/task";
import { parseFilter } from "../admin/filters";
import { retryFailedTasks } from "../admin/retry-failed";
import { runTaskNow } from "../admin/run-now";

/** The caller's uid, when the caller is signed in and carries the `admin` custom claim. */
function requireAdmin(request: CallableRequest<unknown>, action: string): string {
  if (!request.auth) {
    adminLog.denied(undefined, action);
    throw new HttpsError("unauthenticated", "Sign in first.");
  }
  if (request.auth.token.admin !== true) {
    adminLog.denied(request.auth.uid, action);
    throw new HttpsError("permission-denied", "Only admins (custom claim `admin`) may do this.");
  }
  return request.auth.uid;
}

/** Callable `retryTasks({ filter })` → `{ retried, skipped, errors, complete }`. */
export async function handleRetryTasks(request: CallableRequest<unknown>): Promise<RetryTasksResult> {
  const uid = requireAdmin(request, "retryTasks");
  const filter = parseFilter((request.data as { filter?: unknown } | null)?.filter);
  const started = Date.now();
  const result = await retryFailedTasks(filter, uid);
  adminLog.retried(uid, filter, result, Date.now() - started);
  return result;
}

/** Callable `runTaskNow({ path })` → `{ ran, state }`. */
export async function handleRunTaskNow(request: CallableRequest<unknown>): Promise<RunNowResult> {
  const uid = requireAdmin(request, "runTaskNow");
  const path = (request.data as { path?: unknown } | null)?.path;
  if (!isQueueTaskPath(path)) {
    throw new HttpsError("invalid-argument", "`path` must be a task path: {collection}/{parentId}/tasks/{taskId}.");
  }
  const result = await runTaskNow(path);
  adminLog.ranNow(uid, path, result.ran, result.state);
  return result;
}
