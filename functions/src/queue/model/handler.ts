// What a handler is: its options, its function, the context it receives, and the tree of handlers an app
// registers. Types (and the brand that marks a handler) only, so the model has no runtime dependencies.
import type { DocumentReference } from "firebase-admin/firestore";
import type { ServerTaskRequest } from "./request";
import type { StandardSchemaV1 } from "./schema";
import type { FanIn, FanOutOptions, FanOutResult } from "./group";
import type { ResolvedRetainFor, RetainFor } from "./retention";
import type { AlertRule, ResolvedAlertRule } from "./alerts";

type Jitter = "full" | "equal";

export interface BackoffOptions {
  /** Delay window of the first retry; it doubles with each attempt. */
  baseSeconds: number;
  /** No retry waits longer than this. */
  capSeconds: number;
  /** `full`: uniform in [0, window]; `equal`: uniform in [window/2, window] (gaps always grow). */
  jitter: Jitter;
}

export interface HandlerOptions {
  /** May a client app enqueue this handler directly (the security rules' allowlist follows this flag)? */
  clientEnqueue?: boolean;
  /**
   * The express path, for handlers whose side effects are safe to repeat: no claim write and no `running` state;
   * the handler runs and one outcome write, conditioned on the version it ran from, records it (2 writes per task
   * instead of 3). A duplicate delivery may run the handler twice for one attempt, but only one run is recorded.
   */
  idempotent?: boolean;
  /** An attempt that runs longer fails with `handler/timeout` (and counts as an attempt). */
  timeoutSeconds?: number;
  /** Attempts before the task ends `failed`; 1 means no retries. */
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  /**
   * At most `perSecond` attempts of this handler start in any one-second window, across all instances, first
   * attempts included (an integer, 1 to 500). A limited handler runs from a Cloud Tasks queue of its own.
   */
  rateLimit?: { perSecond: number };
  /** At most this many attempts of this handler run at once, across all instances (1 to 5,000). */
  maxConcurrent?: number;
  /**
   * Debounce, for enqueues with a `dedupKey` (server code: `enqueueTask`, `ctx.enqueue`): a burst of enqueues of one
   * key within this many seconds of the first runs once, at the end of the window, with the last enqueue's data.
   * Every enqueue writes a task; each one a later enqueue supersedes ends `cancelled` (`cancelReason: "debounced"`)
   * without running. Default 0: no debounce (a `dedupKey` then deduplicates).
   */
  debounceSeconds?: number;
  /**
   * Days a finished task is kept before Firestore's TTL policy deletes it: `completedDays` (default 30),
   * `failedDays` and `cancelledDays` (default 90). Sets `expireAt` in the write that ends the task.
   */
  retainFor?: RetainFor;
  /** Notifies (webhook, mail) when this handler's failures pass a threshold, and again when they clear. */
  alert?: AlertRule;
}

export interface ResolvedHandlerOptions {
  clientEnqueue: boolean;
  idempotent: boolean;
  timeoutSeconds: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  rateLimit?: { perSecond: number };
  maxConcurrent?: number;
  debounceSeconds: number;
  retainFor: ResolvedRetainFor;
  alert?: ResolvedAlertRule;
}

// Handler data is whatever map the handler declares; results should be small and JSON-like.
export type HandlerFunction<TData, TResult> = (data: TData, ctx: TaskContext) => TResult | Promise<TResult>;

/** Marks a handler object, so a handler tree can tell handlers from folders. */
export const HANDLER = Symbol.for("firestore-task-queue.handler");

/** Types only: carries what an enqueue passes as `data` (a schema's input type). */
declare const INPUT: unique symbol;

/**
 * `TData` is what `run` receives; `TInput` what an enqueue writes as `data`. They differ only with a schema: its
 * input type (`{ ms?: number }`) and its parsed output (`{ ms: number }`, the default filled in).
 */
export interface TaskHandler<TData = Record<string, unknown>, TResult = unknown, TInput = TData> {
  readonly [HANDLER]: true;
  readonly options: ResolvedHandlerOptions;
  /** Checks `data` before each run; `run` receives its output. Absent: `data` is passed as stored. */
  readonly schema?: StandardSchemaV1;
  readonly run: HandlerFunction<TData, TResult>;
  /** Never set: a parameter type, so a tree of handlers accepts any input (`TaskHandler<never, unknown>`). */
  readonly [INPUT]?: (data: TInput) => void;
}

export interface HandlerTree {
  readonly [name: string]: TaskHandler<never, unknown> | HandlerTree;
}

/** Structured log lines of one attempt: every line carries the task path and attempt. */
export interface HandlerLogger {
  debug(message: string, extra?: object): void;
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
}

export interface TaskContext {
  /** The task document. */
  readonly taskRef: DocumentReference;
  /** The document that owns the task (`orders/o-123` for `orders/o-123/tasks/t1`, `users/u/orders/o-1` deeper). */
  readonly parentRef: DocumentReference;
  /**
   * Where the task lives: `collection` and `parentId` name its direct parent (`orders`, `o-1` for
   * `users/u/orders/o-1/tasks/t1`), `parentPath` the parent's whole path, `depth` how deep it is (1 to 3).
   */
  readonly params: { collection: string; parentId: string; taskId: string; parentPath: string; depth: number };
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Stable across all attempts of this task: pass it to APIs that deduplicate (payments, email). */
  readonly idempotencyKey: string;
  /** The uid that created the task, when a client did. */
  readonly createdBy?: string;
  readonly logger: HandlerLogger;
  /** Aborted when the attempt times out or loses its lease: stop work and return. */
  readonly signal: AbortSignal;
  /**
   * Records progress 0–100 on the task: at most one write a second, the last value winning (a call between writes
   * resolves at once and its value goes out with the next one). A fenced write: ignored once the lease is lost.
   */
  progress(percent: number): Promise<void>;
  /**
   * Enqueues a follow-up task, by default under this task's parent. Typed from the handler registry; any handler
   * may be enqueued, client-enqueueable or not. Each call gets an id derived from this task and the call's order,
   * so a retried attempt that enqueues the same follow-ups in the same order does not enqueue them twice.
   */
  enqueue(
    request: ServerTaskRequest,
    options?: { parent?: DocumentReference; id?: string; dedupKey?: string; dedupSeconds?: number },
  ): Promise<DocumentReference>;
  /**
   * Fans out: writes `children` (1 to 10,000, typed like `enqueue`) as a group, and enqueues `options.then` once,
   * when every child has ended (`completed`, `failed` or `cancelled`); the continuation reads the counts from
   * `ctx.fanIn`. A failed child does not hold it back: the continuation decides. Ids derive from this task, the
   * call's order and each child's index, so a retried attempt that fans out again writes no child twice.
   */
  fanOut(children: readonly ServerTaskRequest[], options: FanOutOptions): Promise<FanOutResult>;
  /** In a fan-out's continuation: the group's counts per final state and its children; undefined elsewhere. */
  readonly fanIn?: FanIn;
}

export interface RegisteredHandler {
  type: string;
  action: string;
  options: ResolvedHandlerOptions;
}

export interface Registry<T extends HandlerTree = HandlerTree> {
  readonly tree: T;
  /** The handler for `type`/`action`, or undefined: unknown names and prototype names resolve to nothing. */
  resolve(type: string, action: string): TaskHandler<Record<string, unknown>, unknown> | undefined;
  /** Every registered handler with its address, in declaration order. */
  list(): RegisteredHandler[];
}

/**
 * The `data` type a handler at `type`/`action` expects, as written (a schema's input type): lets clients type
 * their task writes.
 */
export type HandlerData<T extends HandlerTree, Type extends keyof T, Action extends string> =
  HandlerAt<T[Type], Action> extends TaskHandler<never, unknown, infer D> ? D : never;

type HandlerAt<Node, Action extends string> = Action extends `${infer Head}.${infer Rest}`
  ? Head extends keyof Node
    ? HandlerAt<Node[Head], Rest>
    : never
  : Action extends keyof Node
    ? Node[Action]
    : never;
