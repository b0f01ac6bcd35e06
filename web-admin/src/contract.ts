// What the page shares with the engine, defined once in functions/src/queue and only re-exported here: the task
// document's states and field types, the admin filter, what the callables answer (retries, run-now, the queue's
// status and pauses), the functions' region. Only the engine's browser-safe files come in (model/ and config.ts: no
// runtime import of firebase-admin or firebase-functions); vite.config.ts fails the build if server code is ever
// pulled into the page.
export { FUNCTION_TIMEOUT_SECONDS, MAX_PARENT_DEPTH, METRICS, REGION } from "../../functions/src/queue/config";
export {
  METRICS_RANGES,
  type MetricsPoint,
  type MetricsRange,
  type MetricsSeries,
} from "../../functions/src/queue/model/metrics";
export {
  FILTER_KEYS,
  nameRange,
  type BulkProgress,
  type CancelTasksResult,
  type RetryTasksResult,
  type RunNowResult,
  type TaskFilter,
} from "../../functions/src/queue/model/admin";
export type {
  HandlerStatus,
  PauseRecord,
  PauseTarget,
  QueueStatus,
  ScheduleStatus,
  SetPausedResult,
} from "../../functions/src/queue/model/queue-status";
export { queriedShards, SHARD_FIELD } from "../../functions/src/queue/model/index-shard";
export {
  ERROR_CODES,
  TASKS_COLLECTION,
  TASK_STATES,
  isQueueParentPath,
  isQueueTaskPath,
  type AttemptRecord,
  type Lease,
  type TaskDocument,
  type TaskErrorRecord,
  type TaskState,
} from "../../functions/src/queue/model/task";
