// The admin page's callables (admin claim checked inside each).
import { onCall } from "firebase-functions/https";
import { REGION } from "../queue/config";
import { onFirstCall } from "../queue/on-first-call";
import { loadHandlers, runtime } from "./runtime";

const metrics = onFirstCall(() => import("../queue/triggers/metrics-callable.js"));

const admin = onFirstCall(() =>
  Promise.all([
    import("../queue/triggers/admin-callables.js"),
    loadHandlers(),
    import("../handlers/schedules.js").then((m) => m.schedules),
  ]),
);

/** Retries every failed task matching a filter. */
export const retryTasks = onCall(runtime, async (request) => {
  const [callables, handlers] = await admin();
  return callables.handleRetryTasks(request, handlers);
});

/** Cancels the chosen scheduled tasks, or every one matching a filter. */
export const cancelTasks = onCall(runtime, async (request) => {
  const [callables, handlers] = await admin();
  return callables.handleCancelTasks(request, handlers);
});

/** Makes a scheduled task due now. */
export const runTaskNow = onCall({ region: REGION }, async (request) => {
  const [callables, handlers] = await admin();
  return callables.handleRunTaskNow(request, handlers);
});

/** The handlers, their limits, what is paused, the schedules. */
export const queueStatus = onCall({ region: REGION }, async (request) => {
  const [callables, registry, schedules] = await admin();
  return callables.handleQueueStatus(request, { registry, schedules });
});

/** Completed and failed per minute, failure rate and run durations over a range. */
export const queueMetrics = onCall({ region: REGION }, async (request) => {
  const { handleQueueMetrics } = await metrics();
  return handleQueueMetrics(request);
});

/** Pauses or resumes the queue, a handler or a schedule. */
export const setPaused = onCall(runtime, async (request) => {
  const [callables, registry, schedules] = await admin();
  return callables.handleSetPaused(request, { registry, schedules });
});
