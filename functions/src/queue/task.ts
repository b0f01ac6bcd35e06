// The task document: field names, states and error codes. These names are a contract (DESIGN.md §3): clients,
// security rules, the admin page and tests outside this codebase rely on them.
import type { Timestamp } from "firebase-admin/firestore";

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
} as const;

export interface TaskErrorRecord {
  code: string;
  message: string;
  stack?: string;
  attempt: number;
  at: Timestamp;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Timestamp;
  endedAt: Timestamp;
  outcome: "completed" | "retry" | "failed";
  error?: { code: string; message: string };
  /** For `retry`: when the next attempt was scheduled (the backoff chosen). */
  retryAt?: Timestamp;
}

export interface Lease {
  owner: string;
  expiresAt: Timestamp;
}

/** A task document as stored. Client-written fields are `unknown`-safe only after validation. */
export interface TaskDocument {
  type: string;
  action: string;
  state: TaskState;
  data?: Record<string, unknown>;
  runAt?: Timestamp;
  createdAt?: Timestamp;
  createdBy?: string;
  attempts?: number;
  maxAttempts?: number;
  startedAt?: Timestamp;
  completedAt?: Timestamp;
  failedAt?: Timestamp;
  updatedAt?: Timestamp;
  lease?: Lease;
  error?: TaskErrorRecord;
  result?: unknown;
  progress?: number;
  history?: AttemptRecord[];
}

/** How many attempt outcomes a task keeps in `history`. */
export const HISTORY_LIMIT = 10;
