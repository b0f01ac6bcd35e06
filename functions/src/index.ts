// Only wiring: the deployed functions, by name. Each group is defined in endpoints/ and loaded the first time one of
// its exports is read (endpoints/lazy-exports.ts): an instance loads the module of the function it serves and
// nothing else, and that module imports the engine on the function's first call. Their logic lives in queue/, the
// application's handlers in handlers/.
/* eslint-disable @typescript-eslint/no-require-imports -- a getter must load its module synchronously */
import { lazyExports } from "./endpoints/lazy-exports";
import { TASK_DOCUMENT_PATHS, dispatchFunctionName } from "./queue/model/task";

type DispatchEndpoints = typeof import("./endpoints/dispatch-task");
type RunTaskEndpoint = typeof import("./endpoints/run-task");
type LimitedEndpoints = typeof import("./endpoints/limited");
type ScheduledEndpoints = typeof import("./endpoints/scheduled");
type AdminEndpoints = typeof import("./endpoints/admin");
type BenchEndpoints = typeof import("./bench");

/** A task was created (one trigger per depth of parent: `dispatchTask`, `dispatchTaskDepth2`, ...). */
lazyExports(
  exports,
  TASK_DOCUMENT_PATHS.map((_, i) => dispatchFunctionName(i + 1)),
  () => (require("./endpoints/dispatch-task") as DispatchEndpoints).dispatchers,
);

/** Delayed tasks and retries, called by Cloud Tasks at their `runAt`. */
lazyExports(exports, ["runTask"], () => require("./endpoints/run-task") as RunTaskEndpoint);

/** Rate- and concurrency-limited handlers, a queue function each: `limited.{type}.{action}` (flow/limits.ts). */
lazyExports(exports, ["limited"], () => require("./endpoints/limited") as LimitedEndpoints);

/** The sweeper (the safety net) and the recurring schedules. */
lazyExports(exports, ["sweepTasks", "runSchedules"], () => require("./endpoints/scheduled") as ScheduledEndpoints);

/** The admin page's callables (admin claim checked inside). */
lazyExports(exports, ["retryTasks", "cancelTasks", "runTaskNow", "queueStatus", "queueMetrics", "setPaused"], () => {
  return require("./endpoints/admin") as AdminEndpoints;
});

/** Benchmark baseline (`npm run bench`); defined only inside the Functions emulator, never deployed. */
lazyExports(exports, ["benchMinimalTask"], () => require("./bench") as BenchEndpoints);
// Emulator only: the bench's Firestore request meter must see every instance's requests, whichever function it serves.
if (process.env.FUNCTIONS_EMULATOR === "true")
  (require("./bench/rpc-meter") as typeof import("./bench/rpc-meter")).installRpcMeter();
