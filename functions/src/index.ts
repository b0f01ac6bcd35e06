// Only wiring: the deployed functions. Their logic lives in queue/, the application's handlers in handlers/.
import { onDocumentCreated } from "firebase-functions/firestore";
import { onTaskDispatched } from "firebase-functions/tasks";
import { onSchedule } from "firebase-functions/scheduler";
import { onCall } from "firebase-functions/https";
import { FUNCTION_TIMEOUT_SECONDS, REGION, SCHEDULES, SWEEPER } from "./queue/config";
import { TASK_DOCUMENT_PATHS, dispatchFunctionName } from "./queue/model/task";
import { handleTaskCreated } from "./queue/triggers/dispatch-task";
import { handleRunRequest } from "./queue/triggers/run-task";
import { sweep } from "./queue/triggers/sweep-tasks";
import {
  handleQueueStatus,
  handleRetryTasks,
  handleRunTaskNow,
  handleSetPaused,
} from "./queue/triggers/admin-callables";
import { set } from "lodash";
import { limitedQueues } from "./queue/flow/limits";
import * as scheduler from "./queue/triggers/run-schedules";
import { runMetricsPass } from "./queue/triggers/roll-up-metrics";
import { handleQueueMetrics } from "./queue/triggers/metrics-callable";
import type { RunRequest } from "./queue/store/cloud-tasks";
import { handlers } from "./handlers";
import { schedules } from "./handlers/schedules";

const runtime = { region: REGION, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS, memory: "512MiB" as const };
// Retries by Cloud Tasks cover infrastructure errors only; handler failures are recorded on the task, not thrown.
const queueRetries = { maxAttempts: 5, minBackoffSeconds: 1 };

/**
 * A task was created: runs it if due, schedules it if not. The engine's own writes never fire it. A Firestore trigger
 * matches a fixed number of path segments, so there is one per depth of parent, 1 to MAX_PARENT_DEPTH, sharing one
 * handler: `dispatchTask` (`orders/o/tasks/t`), `dispatchTaskDepth2` (`users/u/orders/o/tasks/t`), ...
 */
const dispatchers: Record<string, ReturnType<typeof onDocumentCreated>> = {};
TASK_DOCUMENT_PATHS.forEach((document, i) => {
  dispatchers[dispatchFunctionName(i + 1)] = onDocumentCreated({ ...runtime, document }, (event) =>
    handleTaskCreated(event, handlers),
  );
});
export const { dispatchTask, dispatchTaskDepth2, dispatchTaskDepth3 } = dispatchers;

/** Delayed tasks and retries, called by Cloud Tasks at their `runAt`. */
export const runTask = onTaskDispatched<RunRequest>(
  { ...runtime, retryConfig: queueRetries, rateLimits: { maxConcurrentDispatches: 100 } },
  (request) => handleRunRequest(request.data, handlers),
);

/**
 * Every attempt of a handler with a `rateLimit` or `maxConcurrent`, from a queue of its own whose limits hold across
 * all instances: one function per limited handler, generated from the registry (deployed as
 * `limited-{type}-{action}`; see queue/flow/limits.ts).
 */
const limitedFunctions = {};
for (const { exportPath, name, limits } of limitedQueues(handlers)) {
  const { maxDispatchesPerSecond, maxConcurrentDispatches, spacingMs } = limits;
  const run = onTaskDispatched<RunRequest>(
    { ...runtime, retryConfig: queueRetries, rateLimits: { maxDispatchesPerSecond, maxConcurrentDispatches } },
    (request) => handleRunRequest(request.data, handlers, { queue: name, spacingMs }),
  );
  set(limitedFunctions, exportPath, run);
}
export const { limited } = limitedFunctions as { limited?: object };

/** The safety net: recovers expired leases and re-dispatches tasks whose event was lost. */
export const sweepTasks = onSchedule({ ...runtime, schedule: SWEEPER.schedule }, async () => {
  await sweep(handlers);
});

/**
 * Every minute: writes one task for each due slot of every schedule (handlers/schedules.ts), then rolls up the
 * last minute's metrics and moves the alerts (queue/triggers/roll-up-metrics.ts). One job, so one invocation a minute.
 */
export const runSchedules = onSchedule({ ...runtime, schedule: SCHEDULES.schedule }, async () => {
  // Each runs even if the other fails; the invocation fails (and is logged) if either did.
  const results = await Promise.allSettled([scheduler.runSchedules(schedules), runMetricsPass(handlers)]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
});

/** Admin page: retries every failed task matching a filter (admin claim checked inside). */
export const retryTasks = onCall(runtime, (request) => handleRetryTasks(request, handlers));

/** Admin page: makes a scheduled task due now (admin claim checked inside). */
export const runTaskNow = onCall({ region: REGION }, (request) => handleRunTaskNow(request, handlers));

/** Admin page: the handlers, their limits, what is paused, the schedules (admin claim checked inside). */
export const queueStatus = onCall({ region: REGION }, (request) =>
  handleQueueStatus(request, { registry: handlers, schedules }),
);

/** Admin page: completed and failed per minute, failure rate and run durations over a range (admin checked). */
export const queueMetrics = onCall({ region: REGION }, (request) => handleQueueMetrics(request));

/** Admin page: pauses or resumes the queue, a handler or a schedule (admin claim checked inside). */
export const setPaused = onCall(runtime, (request) => handleSetPaused(request, { registry: handlers, schedules }));

/** Benchmark baseline (`npm run bench`); defined only inside the Functions emulator, never deployed. */
export { benchMinimalTask } from "./bench";
