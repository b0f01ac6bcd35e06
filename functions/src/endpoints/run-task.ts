// Delayed tasks and retries, called by Cloud Tasks at their `runAt`.
import { onTaskDispatched } from "firebase-functions/tasks";
import type { RunRequest } from "../queue/store/cloud-tasks";
import { onFirstCall } from "../queue/on-first-call";
import { loadHandlers, queueRetries, runtime } from "./runtime";

/** The runner and the handlers, imported on the first call: both queue functions (runTask, limited-*) use it. */
export const runner = onFirstCall(() =>
  Promise.all([import("../queue/triggers/run-task.js").then((m) => m.handleRunRequest), loadHandlers()]),
);

export const runTask = onTaskDispatched<RunRequest>(
  { ...runtime, retryConfig: queueRetries, rateLimits: { maxConcurrentDispatches: 100 } },
  async (request) => {
    const [handleRunRequest, handlers] = await runner();
    return handleRunRequest(request.data, handlers);
  },
);
