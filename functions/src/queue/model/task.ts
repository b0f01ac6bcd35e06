// The task document: field names, states and error codes. These names are a contract (docs/design.md, "Data
// model"): clients, security rules, the admin page and tests outside this codebase rely on them. Types and pure
// functions only: the client library and the admin page import this file in the browser.
import type { Timestamp } from "firebase-admin/firestore";

export const TASKS_COLLECTION = "tasks";
/** Any document's `tasks` sub-collection: `{collection}/{parentId}/tasks/{taskId}`. */
export const TASK_DOCUMENT_PATH = `{collection}/{parentId}/${TASKS_COLLECTION}/{taskId}`;

/** `cancelReason` of a debounced task that a later task of its key superseded. */
export const DEBOUNCED = "debounced";

/** Every state a task can be in, in the order of its life (the admin page's tabs follow it). */
export const TASK_STATES = ["scheduled", "running", "completed", "failed", "cancelled"] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const ERROR_CODES = {
  invalid: "task/invalid",
  notFound: "handler/not-found",
  timeout: "handler/timeout",
  handlerError: "handler/error",
  permanent: "handler/permanent",
  leaseExpired: "handler/lease-expired",
  unstorable: "task/unstorable",
  tooLarge: "task/too-large",
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
  /** The enqueue's `dedupKey`: at most one live task per parent, handler and key (store/dedup-lock.ts). */
  dedupKey?: string;
  /** Why a task ended `cancelled` without an admin: `debounced` (a later task of its key ran instead). */
  cancelReason?: string;
  /** A debounced task: the task that superseded it. */
  supersededBy?: string;
  /** Written by a recurring schedule: its name. */
  schedule?: string;
  /** Written by a recurring schedule: the slot (the cron expression's time) this task is for. */
  slot?: Time;
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

/**
 * `{collection}/{parentId}`: a top-level document, the only kind of parent whose `tasks` the trigger watches (see
 * isQueueTaskPath, which must change with it). Server-side enqueues refuse any other parent: a task written under
 * a nested document (`users/u/orders/o`) would never run.
 */
export function isQueueParentPath(path: unknown): path is string {
  if (typeof path !== "string") return false;
  const segments = path.split("/");
  return segments.length === 2 && segments.every((s) => s !== "");
}
