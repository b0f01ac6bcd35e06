// Only wiring: the deployed functions. Their logic lives in queue/, the application's handlers in handlers/.
import { onDocumentCreated } from "firebase-functions/firestore";
import { onTaskDispatched } from "firebase-functions/tasks";
import { onSchedule } from "firebase-functions/scheduler";
import { onCall } from "firebase-functions/https";
import { FUNCTION_TIMEOUT_SECONDS, REGION, SCHEDULES, SWEEPER } from "./queue/config";
import { TASK_DOCUMENT_PATH } from "./queue/model/task";
import { handleTaskCreated } from "./queue/triggers/dispatch-task";
import { handleRunRequest } from "./queue/triggers/run-task";
import { sweep } from "./queue/triggers/sweep-tasks";
import * as scheduler from "./queue/triggers/run-schedules";
import { handleRetryTasks, handleRunTaskNow } from "./queue/triggers/admin-callables";
import type { RunRequest } from "./queue/store/cloud-tasks";
import { handlers } from "./handlers";
import { schedules } from "./handlers/schedules";

const runtime = { region: REGION, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS, memory: "512MiB" as const };

/** A task was created: runs it if due, schedules it if not. The engine's own writes never fire it. */
export const dispatchTask = onDocumentCreated({ ...runtime, document: TASK_DOCUMENT_PATH }, (event) =>
  handleTaskCreated(event, handlers),
);

/** Delayed tasks and retries, called by Cloud Tasks at their `runAt`. */
export const runTask = onTaskDispatched<RunRequest>(
  {
    ...runtime,
    // Retries here cover infrastructure errors only; handler failures are recorded on the task, not thrown.
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 1 },
    rateLimits: { maxConcurrentDispatches: 100 },
  },
  (request) => handleRunRequest(request.data, handlers),
);

/** The safety net: recovers expired leases and re-dispatches tasks whose event was lost. */
export const sweepTasks = onSchedule({ ...runtime, schedule: SWEEPER.schedule }, async () => {
  await sweep(handlers);
});

/** Recurring schedules: writes one task for each due slot of every schedule (handlers/schedules.ts). */
export const runSchedules = onSchedule({ ...runtime, schedule: SCHEDULES.schedule }, async () => {
  await scheduler.runSchedules(schedules);
});

/** Admin page: retries every failed task matching a filter (admin claim checked inside). */
export const retryTasks = onCall(runtime, handleRetryTasks);

/** Admin page: makes a scheduled task due now (admin claim checked inside). */
export const runTaskNow = onCall({ region: REGION }, handleRunTaskNow);

/** Benchmark baseline (`npm run bench`); defined only inside the Functions emulator, never deployed. */
export { benchMinimalTask } from "./bench";
