// One function per event the engine logs, so log lines stay consistent and structured.
import * as logger from "firebase-functions/logger";
import type { CancelTasksResult, RetryTasksResult, TaskFilter } from "./model/admin";
import type { HandlerLogger } from "./model/handler";

export const taskLog = {
  claimLost: (path: string) => logger.debug("task already claimed by another delivery", { path }),
  completed: (path: string, attempt: number, ms: number) => logger.info("task completed", { path, attempt, ms }),
  retrying: (path: string, attempt: number, code: string, runAt: Date) =>
    logger.warn("task failed, retry scheduled", { path, attempt, code, runAt: runAt.toISOString() }),
  // `reason`, not `message`: the logger's own `message` field (the log line, a stack for errors) would replace it.
  failed: (path: string, attempt: number, code: string, reason: string) =>
    logger.error("task failed", { path, attempt, code, reason }),
  writeRetried: (path: string, code: unknown, tries: number) =>
    logger.warn("task write failed transiently, trying again", { path, code, tries }),
  writeRecognised: (path: string) =>
    logger.info("task write refused on a retry had landed on its earlier try: recorded as ours", { path }),
  fencedOut: (path: string, attempt: number) =>
    logger.warn("lease lost: this attempt's outcome was discarded, a newer attempt owns the task", { path, attempt }),
  resultDropped: (path: string, attempt: number, problem: string) =>
    logger.warn("handler result not stored", { path, attempt, problem }),
  sweepItemFailed: (path: string, reason: string) => logger.error("sweeper could not move a task on", { path, reason }),
  sweepWalkFailed: (walk: string, reason: string) =>
    logger.error("sweeper could not read its tasks; its other walks went on", { walk, reason }),
  sweepCursorFailed: (path: string, operation: "read" | "write", reason: string) =>
    logger.warn("sweeper could not keep its place; walks start again at their beginning", { path, operation, reason }),
  scheduled: (path: string, attempt: number, runAt: Date) =>
    logger.debug("task run scheduled", { path, attempt, runAt: runAt.toISOString() }),
  dispatchFailed: (path: string, attempt: number, reason: string) =>
    logger.warn("run not queued; the sweeper will dispatch it once overdue", { path, attempt, reason }),
  staleRun: (path: string, attempt: number, reason: string) =>
    logger.debug("scheduled run no longer applies", { path, attempt, reason }),
  swept: (summary: object) => logger.info("sweep finished", summary),
  held: (path: string, pausedBy: string) =>
    logger.info("task held: its handler or the queue is paused", { path, pausedBy }),
  forwarded: (path: string, attempt: number, queue: string) =>
    logger.debug("run forwarded to the handler's own queue", { path, attempt, queue }),
  deduplicated: (key: string, holder: string) =>
    logger.info("enqueue deduplicated: a task with this key is live", { key, holder }),
  debounced: (path: string, supersededBy: string) =>
    logger.info("task debounced: a later task of its key runs instead", { path, supersededBy }),
  lockReleaseFailed: (path: string, reason: string) =>
    logger.warn("dedup lock not released; the next enqueue of its key replaces it", { path, reason }),
};

export const groupLog = {
  fannedOut: (group: string, parentTask: string, children: number, written: number) =>
    logger.info("fan-out written", { group, parentTask, children, written }),
  finished: (group: string, continuation: string, counts: object, by: "shards" | "sweeper") =>
    logger.info("fan-in: every child ended, continuation enqueued", { group, continuation, ...counts, by }),
  countFailed: (group: string, path: string, reason: string) =>
    logger.warn("fan-in: a shard or group could not be closed; the sweeper will finish the group", {
      group,
      path,
      reason,
    }),
  checkFailed: (group: string, reason: string) => logger.error("sweeper could not check a group", { group, reason }),
};

export const adminLog = {
  denied: (uid: string | undefined, action: string) => logger.warn("admin action denied", { uid, action }),
  retried: (uid: string, filter: TaskFilter | { paths: number }, result: RetryTasksResult, ms: number) =>
    logger.info("failed tasks retried", { uid, filter, ...result, ms }),
  retryWriteFailed: (path: string, code: unknown, message: string) =>
    logger.error("retry write failed", { path, code, message }),
  cancelled: (uid: string, filter: TaskFilter | { paths: number }, result: CancelTasksResult, ms: number) =>
    logger.info("scheduled tasks cancelled", { uid, filter, ...result, ms }),
  cancelWriteFailed: (path: string, code: unknown, message: string) =>
    logger.error("cancel write failed", { path, code, message }),
  ranNow: (uid: string, path: string, ran: boolean, state: string) => logger.info("run now", { uid, path, ran, state }),
  dispatchFailed: (path: string, reason: string) =>
    logger.warn("retried task not queued; the sweeper will dispatch it", { path, reason }),
  paused: (uid: string, target: object, paused: boolean, result: object) =>
    logger.info(paused ? "paused" : "resumed", { uid, target, ...result }),
};

export const scheduleLog = {
  slotWritten: (schedule: string, slot: Date, path: string) =>
    logger.info("schedule slot written", { schedule, slot: slot.toISOString(), path }),
  slotAlreadyWritten: (schedule: string, slot: Date, path: string) =>
    logger.info("schedule slot already written; no second task", { schedule, slot: slot.toISOString(), path }),
  slotFailed: (schedule: string, slot: Date, code: unknown, reason: string) =>
    logger.error("schedule slot not written", { schedule, slot: slot.toISOString(), code, reason }),
  missedSkipped: (schedule: string, policy: string, skipped: number) =>
    logger.warn("missed schedule slots skipped", { schedule, policy, skipped }),
  stateFailed: (path: string, operation: "read" | "write", reason: string) =>
    logger.error("schedules could not read or write their state", { path, operation, reason }),
  finished: (summary: object) => logger.info("schedules pass finished", summary),
  paused: (schedule: string, uid: string, paused: boolean) =>
    logger.info(paused ? "schedule paused" : "schedule resumed", { schedule, uid }),
};

export const metricsLog = {
  passFinished: (summary: object) => logger.info("metrics pass finished", summary),
  alertUndelivered: (id: string, reason: string) =>
    logger.error("alert not delivered; the next pass tries again", { id, reason }),
};

/** The logger a handler receives: every line carries the task path and attempt. */
export function handlerLogger(path: string, attempt: number): HandlerLogger {
  const fields = { path, attempt };
  return {
    debug: (message: string, extra: object = {}) => logger.debug(message, { ...fields, ...extra }),
    info: (message: string, extra: object = {}) => logger.info(message, { ...fields, ...extra }),
    warn: (message: string, extra: object = {}) => logger.warn(message, { ...fields, ...extra }),
    error: (message: string, extra: object = {}) => logger.error(message, { ...fields, ...extra }),
  };
}
