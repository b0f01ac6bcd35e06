// Delayed work (a `runAt` in the future, retry backoff) goes to a Cloud Tasks queue that calls its queue function
// (`runTask`, or a limited handler's own: flow/limits.ts) at that time. The Cloud Task's id is derived from the task
// path and attempt, so enqueuing the same run twice (a duplicate trigger event, two sweepers) is harmless: the
// second enqueue is rejected as already existing.
import { db } from "./firestore";
import { REGION } from "../config";
import { taskLog } from "../logs";
import { hashId } from "./ids";
import { isTaskAlreadyQueued } from "./status-codes";
import { onFirstCall } from "../on-first-call";

export interface RunRequest {
  /** Full path of the task document. */
  path: string;
  /** The attempt this run is for (`attempts + 1` when scheduled); a run for any other attempt is stale. */
  attempt: number;
}

export function runTaskId(path: string, attempt: number, suffix = ""): string {
  return `${hashId(path)}-${attempt}${suffix}`;
}

/** Where a run goes: the queue function (`runQueueOf` in flow/limits.ts) and a suffix that sets its id apart. */
export interface RunTarget {
  queue: string;
  /** Keeps this run apart from one already queued for the same attempt (Cloud Tasks refuses a repeated id). */
  idSuffix?: string;
}

/**
 * The Cloud Tasks client, imported when a run is first queued: a trigger that runs its tasks at once never loads it
 * (it is not light: firebase-admin's functions module and its HTTP client).
 */
const cloudTasks = onFirstCall(() => import("firebase-admin/functions"));

export async function scheduleRun(
  request: RunRequest,
  runAt: Date,
  { queue, idSuffix = "" }: RunTarget,
): Promise<void> {
  db(); // firebase-admin must be initialised before getFunctions()
  // Emulator suite only: the Cloud Tasks emulator dispatches at once, so `npm run with-emulators` puts a scheduler
  // in front of it that holds each task until its scheduleTime, as Cloud Tasks does (scripts/lib/task-scheduler.mjs).
  const scheduler = process.env.TASK_SCHEDULER_EMULATOR_HOST;
  if (scheduler && process.env.CLOUD_TASKS_EMULATOR_HOST) process.env.CLOUD_TASKS_EMULATOR_HOST = scheduler;
  const { getFunctions } = await cloudTasks();
  const tasks = getFunctions().taskQueue(`locations/${REGION}/functions/${queue}`);
  try {
    await tasks.enqueue(request, { id: runTaskId(request.path, request.attempt, idSuffix), scheduleTime: runAt });
    taskLog.scheduled(request.path, request.attempt, runAt);
  } catch (error) {
    if (!isTaskAlreadyQueued(error)) throw error; // this run is queued already
  }
}

/**
 * Runs `request` as soon as Cloud Tasks delivers it (and the queue's limits allow): how work the trigger will not
 * run itself (an admin's retry, "run now", a limited handler's attempt) gets to the runner.
 */
export function dispatchNow(request: RunRequest, target: RunTarget): Promise<void> {
  return scheduleRun(request, new Date(), target);
}

/** Runs dispatched at once, at most this many in flight: thousands must not flood Cloud Tasks. */
const DISPATCH_BATCH = 50;

/**
 * Dispatches each run now, `DISPATCH_BATCH` at a time. A run that cannot be queued is reported to `failed` and left
 * to the sweeper (the task is `scheduled` and due, so it finds it once overdue).
 */
export async function dispatchEach(
  runs: { request: RunRequest; target: RunTarget }[],
  failed: (path: string, reason: string) => void,
): Promise<void> {
  for (let i = 0; i < runs.length; i += DISPATCH_BATCH) {
    await Promise.all(
      runs
        .slice(i, i + DISPATCH_BATCH)
        .map(({ request, target }) =>
          dispatchNow(request, target).catch((error: Error) => failed(request.path, error.message)),
        ),
    );
  }
}
