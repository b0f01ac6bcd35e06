// Every attempt of a handler with a `rateLimit` or `maxConcurrent`, from a queue of its own whose limits hold across
// all instances: one function per limited handler, generated from the registry (deployed as
// `limited-{type}-{action}`; see queue/flow/limits.ts). The queues' limits are the handlers' options, so this module
// loads the registry at once (the runner itself waits for the first call).
import { onTaskDispatched } from "firebase-functions/tasks";
import { set } from "lodash";
import { handlers } from "../handlers";
import { limitedQueues } from "../queue/flow/limits";
import type { RunRequest } from "../queue/store/cloud-tasks";
import { runner } from "./run-task";
import { queueRetries, runtime } from "./runtime";

const limitedFunctions = {};
for (const { exportPath, name, limits } of limitedQueues(handlers)) {
  const { maxDispatchesPerSecond, maxConcurrentDispatches, spacingMs } = limits;
  const run = onTaskDispatched<RunRequest>(
    { ...runtime, retryConfig: queueRetries, rateLimits: { maxDispatchesPerSecond, maxConcurrentDispatches } },
    async (request) => {
      const [handleRunRequest] = await runner();
      return handleRunRequest(request.data, handlers, { queue: name, spacingMs });
    },
  );
  set(limitedFunctions, exportPath, run);
}

/** The `limited` group of exports (`limited.demo.throttled20`, ...), or undefined when no handler is limited. */
export const { limited } = limitedFunctions as { limited?: object };
