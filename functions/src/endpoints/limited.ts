// Every attempt of a handler with a `rateLimit` or `maxConcurrent`, from a queue of its own whose limits hold across
// all instances: one function per limited handler (deployed as `limited-{type}-{action}`; see queue/flow/limits.ts).
// The queues and their limits come from the file the build writes from the handlers (limited-queues.ts), so an
// instance starts without loading the handlers; the runner and the handlers are imported on the first call.
import { onTaskDispatched } from "firebase-functions/tasks";
import type { RunRequest } from "../queue/store/cloud-tasks";
import { readLimitedQueues } from "./limited-queues";
import { runner } from "./run-task";
import { queueRetries, runtime } from "./runtime";

/** Puts `value` at `path` in nested groups (lodash's `set`, without loading lodash at start). */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let group = target;
  for (const part of path.slice(0, -1)) group = (group[part] ??= {}) as Record<string, unknown>;
  group[path[path.length - 1]] = value;
}

const limitedFunctions: Record<string, unknown> = {};
for (const { exportPath, name, limits } of readLimitedQueues()) {
  const { maxDispatchesPerSecond, maxConcurrentDispatches, spacingMs } = limits;
  const run = onTaskDispatched<RunRequest>(
    { ...runtime, retryConfig: queueRetries, rateLimits: { maxDispatchesPerSecond, maxConcurrentDispatches } },
    async (request) => {
      const [handleRunRequest, handlers] = await runner();
      return handleRunRequest(request.data, handlers, { queue: name, spacingMs });
    },
  );
  setPath(limitedFunctions, exportPath, run);
}

/** The `limited` group of exports (`limited.demo.throttled20`, ...), or undefined when no handler is limited. */
export const { limited } = limitedFunctions as { limited?: object };
