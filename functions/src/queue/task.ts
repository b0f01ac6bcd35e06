// The task document: field names, states and error codes. These names are a contract (DESIGN.md §3): clients,
// security rules, the admin page and tests outside this codebase rely on them.
import { Timestamp } from "firebase-admin/firestore";

export const TASKS_COLLECTION = "tasks";
/** Any document's `tasks` sub-collection: `{collection}/{parentId}/tasks/{taskId}`. */
export const TASK_DOCUMENT_PATH = `{collection}/{parentId}/${TASKS_COLLECTION}/{taskId}`;

export type TaskState = "scheduled" | "running" | "completed" | "failed" | "cancelled";

export const ERROR_CODES = {
  invalid: "task/invalid",
  notFound: "handler/not-found",
  timeout: "handler/timeout",
  handlerError: "handler/error",
  permanent: "handler/permanent",
  leaseExpired: "handler/lease-expired",
  unstorable: "task/unstorable",
} as const;

export interface TaskErrorRecord<Time = Timestamp> {
  code: string;
  message: string;
  stack?: string;
  attempt: number;
  at: Time;
}

export interface AttemptRecord<Time = Timestamp> {
  attempt: number;
  startedAt: Time;
  endedAt: Time;
  outcome: "completed" | "retry" | "failed";
  error?: { code: string; message: string };
  /** For `retry`: when the next attempt was scheduled (the backoff chosen). */
  retryAt?: Time;
}

export interface Lease<Time = Timestamp> {
  owner: string;
  expiresAt: Time;
}

/**
 * A task document as stored. `Time` is the SDK's timestamp type: firebase-admin's here, the JS SDK's in the client
 * library. Client-written fields are trustworthy only after validation.
 */
export interface TaskDocument<Time = Timestamp> {
  type: string;
  action: string;
  state: TaskState;
  data?: Record<string, unknown>;
  runAt?: Time;
  createdAt?: Time;
  createdBy?: string;
  attempts?: number;
  maxAttempts?: number;
  startedAt?: Time;
  completedAt?: Time;
  failedAt?: Time;
  updatedAt?: Time;
  lease?: Lease<Time>;
  error?: TaskErrorRecord<Time>;
  result?: unknown;
  progress?: number;
  history?: AttemptRecord<Time>[];
}

/** How many attempt outcomes a task keeps in `history`. */
export const HISTORY_LIMIT = 10;

/**
 * Is the task due? A `runAt` no later than now, or than the write that set it (`serverTimestamp()`: "now" in the
 * database's clock, which may run a little ahead of this worker's), is due.
 */
export function isDue(task: { runAt?: unknown }, writeTime: Timestamp | undefined, now = Date.now()): boolean {
  return runAtMillis(task) <= Math.max(now, writeTime?.toMillis() ?? 0);
}

/** `runAt` as milliseconds; a task without one (or with a malformed one) is due at once. */
export function runAtMillis(task: { runAt?: unknown }): number {
  return task.runAt instanceof Timestamp ? task.runAt.toMillis() : 0;
}

/**
 * `{collection}/{parentId}/tasks/{taskId}`: the only shape of path the trigger watches. Collection-group queries
 * also see `tasks` collections deeper down, which may belong to the app, so the sweeper and the admin actions
 * touch only paths of this shape.
 */
export function isQueueTaskPath(path: unknown): path is string {
  if (typeof path !== "string") return false;
  const segments = path.split("/");
  return segments.length === 4 && segments[2] === TASKS_COLLECTION && segments.every((s) => s !== "");
}
