// The admin page's callables: `retryTasks`, `cancelTasks`, `runTaskNow`, `queueStatus` and `setPaused`. Callables
// bypass the security rules, so each checks the caller's `admin` claim itself before doing the work in admin/ and
// flow/. (A single cancel may also be a client write, which the rules govern.)
import { HttpsError, type CallableRequest } from "firebase-functions/https";
import { MAX_PARENT_DEPTH } from "../config";
import { adminLog } from "../logs";
import {
  MAX_RETRY_PATHS,
  type BulkProgress,
  type CancelTasksResult,
  type RetryTasksResult,
  type RunNowResult,
  type TaskFilter,
} from "../model/admin";
import { TASKS_COLLECTION, isQueueTaskPath } from "../model/task";
import { parseFilter } from "../admin/filters";
import { retryFailedTasks, retryTasksAt } from "../admin/retry-failed";
import { cancelScheduledTasks, cancelTasksAt } from "../admin/cancel-scheduled";
import { runTaskNow } from "../admin/run-now";
import { queueStatus } from "../admin/queue-status";
import { setSchedulePaused } from "../admin/schedules";
import type { Schedule } from "../model/schedule";
import { writePause } from "../flow/pauses";
import { dispatchHeldTasks } from "../flow/resume";
import type { Registry } from "../model/handler";
import type { PauseTarget, QueueStatus, SetPausedResult } from "../model/queue-status";

/** The caller's uid, when the caller is signed in and carries the `admin` custom claim. */
export function requireAdmin(request: CallableRequest<unknown>, action: string): string {
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

/** How a bulk action runs: on the tasks an admin picked, or on every task matching a filter (after a cursor). */
interface BulkAction<Result extends BulkProgress> {
  name: string;
  onPaths(paths: string[], uid: string): Promise<Result>;
  onMatching(filter: TaskFilter, uid: string, cursor: string | undefined): Promise<Result>;
  log(uid: string, scope: TaskFilter | { paths: number }, result: Result, ms: number): void;
}

/** `{ paths }` or `{ filter, cursor? }`, checked, then the action, logged with who, what and how long. */
async function runBulkAction<Result extends BulkProgress>(
  request: CallableRequest<unknown>,
  action: BulkAction<Result>,
): Promise<Result> {
  const uid = requireAdmin(request, action.name);
  const data = (request.data ?? {}) as { filter?: unknown; paths?: unknown; cursor?: unknown };
  const started = Date.now();
  if (data.paths !== undefined) {
    const paths = parsePaths(data.paths);
    const result = await action.onPaths(paths, uid);
    action.log(uid, { paths: paths.length }, result, Date.now() - started);
    return result;
  }
  const filter = parseFilter(data.filter);
  const result = await action.onMatching(filter, uid, parseCursor(data.cursor));
  action.log(uid, filter, result, Date.now() - started);
  return result;
}

/**
 * Callable `retryTasks({ paths })` (the tasks an admin picked, with an outcome each) or `retryTasks({ filter,
 * cursor? })` (every failed task matching, after `cursor` when given: the one a call that ran out of time returned)
 * → `{ retried, skipped, errors, complete, cursor?, outcomes? }`. Retried tasks run at once.
 */
export function handleRetryTasks(request: CallableRequest<unknown>, registry: Registry): Promise<RetryTasksResult> {
  return runBulkAction(request, {
    name: "retryTasks",
    onPaths: (paths, uid) => retryTasksAt(paths, uid, registry),
    onMatching: (filter, uid, cursor) => retryFailedTasks(filter, uid, registry, { cursor }),
    log: adminLog.retried,
  });
}

/**
 * Callable `cancelTasks({ paths })` or `cancelTasks({ filter, cursor? })` (every scheduled task matching) → `{
 * cancelled, skipped, errors, complete, cursor?, outcomes? }`. Only a task still `scheduled` when the write lands is
 * cancelled, with `cancelledBy` and `cancelledAt`.
 */
export function handleCancelTasks(request: CallableRequest<unknown>, registry: Registry): Promise<CancelTasksResult> {
  return runBulkAction(request, {
    name: "cancelTasks",
    onPaths: (paths, uid) => cancelTasksAt(paths, uid, registry),
    onMatching: (filter, uid, cursor) => cancelScheduledTasks(filter, uid, registry, { cursor }),
    log: adminLog.cancelled,
  });
}

function parsePaths(input: unknown): string[] {
  if (!Array.isArray(input) || input.length > MAX_RETRY_PATHS || !input.every(isQueueTaskPath)) {
    throw new HttpsError(
      "invalid-argument",
      `\`paths\` must be at most ${MAX_RETRY_PATHS} task paths: {parent}/tasks/{taskId}, the parent at depth 1 to ` +
        `${MAX_PARENT_DEPTH}.`,
    );
  }
  return [...new Set(input)];
}

/** A cursor from an earlier call: the path of a document in a `tasks` collection (at any depth), or none. */
function parseCursor(input: unknown): string | undefined {
  if (input === undefined || input === null) return undefined;
  const segments = typeof input === "string" ? input.split("/") : [];
  const valid =
    typeof input === "string" &&
    input.length <= 6144 &&
    segments.length % 2 === 0 &&
    segments.at(-2) === TASKS_COLLECTION &&
    segments.every((s) => s !== "");
  if (!valid) throw new HttpsError("invalid-argument", "`cursor` must be the path of a task, as a call returned it.");
  return input;
}

/** Callable `runTaskNow({ path })` → `{ ran, state }`. */
export async function handleRunTaskNow(request: CallableRequest<unknown>, registry: Registry): Promise<RunNowResult> {
  const uid = requireAdmin(request, "runTaskNow");
  const path = (request.data as { path?: unknown } | null)?.path;
  if (!isQueueTaskPath(path)) {
    throw new HttpsError(
      "invalid-argument",
      `\`path\` must be a task path: {parent}/tasks/{taskId}, the parent at depth 1 to ${MAX_PARENT_DEPTH}.`,
    );
  }
  const result = await runTaskNow(path, registry);
  adminLog.ranNow(uid, path, result.ran, result.state);
  return result;
}

/** What the queue callables work on: the handlers and the schedules. */
export interface QueueDefinition {
  registry: Registry;
  schedules: readonly Schedule[];
}

/** Callable `queueStatus()` → the handlers, their limits, what is paused, the schedules. */
export async function handleQueueStatus(
  request: CallableRequest<unknown>,
  { registry, schedules }: QueueDefinition,
): Promise<QueueStatus> {
  requireAdmin(request, "queueStatus");
  return queueStatus(registry, schedules);
}

/**
 * Callable `setPaused({ target, paused, cursor? })`: `target` is `{ queue: true }`, `{ type, action }` or
 * `{ schedule }`. Returns once no instance starts what was paused. A resume dispatches the tasks the pause held,
 * within a time budget: with `complete: false`, call again with the `cursor` returned to go on.
 */
export async function handleSetPaused(
  request: CallableRequest<unknown>,
  { registry, schedules }: QueueDefinition,
): Promise<SetPausedResult> {
  const uid = requireAdmin(request, "setPaused");
  const data = (request.data ?? {}) as { target?: unknown; paused?: unknown; cursor?: unknown };
  if (typeof data.paused !== "boolean") throw new HttpsError("invalid-argument", "`paused` must be true or false.");
  const target = parseTarget(data.target, registry, schedules);
  if ("schedule" in target) {
    await setSchedulePaused(schedules, target.schedule, data.paused, uid);
    adminLog.paused(uid, target, data.paused, {});
    return { paused: data.paused, complete: true };
  }
  const cursor = parseCursor(data.cursor);
  // A call that goes on with a resume's cursor has switched already.
  if (cursor === undefined) await writePause(target, data.paused, uid);
  const result: SetPausedResult = data.paused
    ? { paused: true, complete: true }
    : { paused: false, ...(await dispatchHeldTasks(registry, { cursor })) };
  adminLog.paused(uid, target, data.paused, result);
  return result;
}

function parseTarget(input: unknown, registry: Registry, schedules: readonly Schedule[]): PauseTarget {
  const target = (input ?? {}) as { queue?: unknown; type?: unknown; action?: unknown; schedule?: unknown };
  if (target.queue === true) return { queue: true };
  if (typeof target.schedule === "string") {
    if (!schedules.some((schedule) => schedule.name === target.schedule)) {
      throw new HttpsError("not-found", `No schedule is named "${target.schedule}".`);
    }
    return { schedule: target.schedule };
  }
  if (typeof target.type === "string" && typeof target.action === "string") {
    if (!registry.resolve(target.type, target.action)) {
      throw new HttpsError("not-found", `No handler is registered for "${target.type}" / "${target.action}".`);
    }
    return { type: target.type, action: target.action };
  }
  throw new HttpsError(
    "invalid-argument",
    "`target` must be { queue: true }, { type, action } (a registered handler) or { schedule } (a schedule's name).",
  );
}
