// Delayed work (a `runAt` in the future, retry backoff) goes to a Cloud Tasks queue that calls `runTask` at that
// time. The Cloud Task's id is derived from the task path and attempt, so enqueuing the same run twice (a
// duplicate trigger event, two sweepers) is harmless: the second enqueue is rejected as already existing.
import { getFunctions } from "firebase-admin/functions";
import { db } from "./firestore";
import { REGION, RUN_TASK_FUNCTION } from "../config";
import { taskLog } from "../logs";
import { hashId } from "./ids";
import { isTaskAlreadyQueued } from "./status-codes";

export interface RunRequest {
  /** Full path of the task document. */
  path: string;
  /** The attempt this run is for (`attempts + 1` when scheduled); a run for any other attempt is stale. */
  attempt: number;
}

export function runTaskId(path: string, attempt: number, suffix = ""): string {
  return `${hashId(path)}-${attempt}${suffix}`;
}

export async function scheduleRun(request: RunRequest, runAt: Date, idSuffix = ""): Promise<void> {
  db(); // firebase-admin must be initialised before getFunctions()
  // Emulator suite only: the Cloud Tasks emulator dispatches at once, so `npm run with-emulators` puts a scheduler
  // in front of it that holds each task until its scheduleTime, as Cloud Tasks does (scripts/lib/task-scheduler.mjs).
  const scheduler = process.env.TASK_SCHEDULER_EMULATOR_HOST;
  if (scheduler && process.env.CLOUD_TASKS_EMULATOR_HOST) process.env.CLOUD_TASKS_EMULATOR_HOST = scheduler;
  const queue = getFunctions().taskQueue(`locations/${REGION}/functions/${RUN_TASK_FUNCTION}`);
  try {
    await queue.enqueue(request, { id: runTaskId(request.path, request.attempt, idSuffix), scheduleTime: runAt });
    taskLog.scheduled(request.path, request.attempt, runAt);
  } catch (error) {
    if (!isTaskAlreadyQueued(error)) throw error; // this run is queued already
  }
}

/**
 * Runs `request` as soon as Cloud Tasks delivers it: how work the trigger will not see (an admin's retry, "run now",
 * a retry's next attempt) gets to the runner. `idSuffix` keeps it apart from a run already queued for that attempt.
 */
export function dispatchNow(request: RunRequest, idSuffix = ""): Promise<void> {
  return scheduleRun(request, new Date(), idSuffix);
}
