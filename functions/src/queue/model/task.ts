// The task document: field names, states and error codes. These names are a contract (docs/design.md, "Data
// model"): clients, security rules, the admin page and tests outside this codebase rely on them. Types and pure
// functions only: the client library and the admin page import this file in the browser.
import type { Timestamp } from "firebase-admin/firestore";
import { MAX_PARENT_DEPTH } from "../config";

export const TASKS_COLLECTION = "tasks";

/**
 * The trigger's path pattern for tasks under a parent at `depth` (1 to MAX_PARENT_DEPTH): `{collection}/{parentId}`
 * always name the direct parent, its ancestors come first as `{collection1}/{parentId1}`, ...
 * Depth 2: `{collection1}/{parentId1}/{collection}/{parentId}/tasks/{taskId}`.
 */
export function taskDocumentPath(depth: number): string {
  const ancestors = Array.from({ length: depth - 1 }, (_, i) => `{collection${i + 1}}/{parentId${i + 1}}/`).join("");
  return `${ancestors}{collection}/{parentId}/${TASKS_COLLECTION}/{taskId}`;
}

/** A top-level document's `tasks` sub-collection: `{collection}/{parentId}/tasks/{taskId}`. */
export const TASK_DOCUMENT_PATH = taskDocumentPath(1);

/** The trigger's path pattern at each depth, 1 to MAX_PARENT_DEPTH: one Firestore trigger each. */
export const TASK_DOCUMENT_PATHS = Array.from({ length: MAX_PARENT_DEPTH }, (_, i) => taskDocumentPath(i + 1));

/** The trigger of tasks under a parent at `depth`: `dispatchTask` at depth 1 (its name from the start). */
export function dispatchFunctionName(depth: number): string {
  return depth === 1 ? "dispatchTask" : `dispatchTaskDepth${depth}`;
}

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
 * The depth of the document at `path` (`orders/o-1` is 1, `users/u/orders/o-1` is 2) when it may own queue tasks:
 * 1 to MAX_PARENT_DEPTH; otherwise undefined.
 */
export function queueParentDepth(path: unknown): number | undefined {
  if (typeof path !== "string") return undefined;
  const segments = path.split("/");
  const depth = segments.length / 2;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_PARENT_DEPTH) return undefined;
  return segments.every((s) => s !== "") ? depth : undefined;
}

/**
 * A document in the `tasks` sub-collection of a document at depth 1 to MAX_PARENT_DEPTH (`orders/o/tasks/t`,
 * `users/u/orders/o/tasks/t`): the paths the trigger watches. Collection-group queries also see `tasks` collections
 * deeper down, which may belong to the app, so the sweeper and the admin actions touch only paths of this shape.
 */
export function isQueueTaskPath(path: unknown): path is string {
  if (typeof path !== "string") return false;
  const cut = path.lastIndexOf("/");
  const parent = path.slice(0, cut).split("/");
  return (
    cut > 0 &&
    path.slice(cut + 1) !== "" &&
    parent.pop() === TASKS_COLLECTION &&
    queueParentDepth(parent.join("/")) !== undefined
  );
}

/**
 * A document at depth 1 to MAX_PARENT_DEPTH, whose `tasks` the trigger watches (see isQueueTaskPath, which follows
 * it). Server-side enqueues refuse any other parent: a task written under a deeper document would never run.
 */
export function isQueueParentPath(path: unknown): path is string {
  return queueParentDepth(path) !== undefined;
}
