// The handler registry: a tree of handlers addressed by `type` and a (possibly dotted) `action`. Lookup walks
// own, registered entries only, so `__proto__`, `constructor` or `toString` can never reach a built-in function.
import { get, has } from "lodash";
import { HANDLER_DEFAULTS, MAX_HANDLER_TIMEOUT_SECONDS } from "./config";
import type { TaskContext } from "./context";

export type Jitter = "full" | "equal";

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
  /** An attempt that runs longer fails with `handler/timeout` (and counts as an attempt). */
  timeoutSeconds?: number;
  /** Attempts before the task ends `failed`; 1 means no retries. */
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
}

export interface ResolvedHandlerOptions {
  clientEnqueue: boolean;
  timeoutSeconds: number;
  maxAttempts: number;
  backoff: BackoffOptions;
}

// Handler data is whatever map the handler declares; results should be small and JSON-like.
export type HandlerFunction<TData, TResult> = (data: TData, ctx: TaskContext) => TResult | Promise<TResult>;

const HANDLER = Symbol.for("firestore-task-queue.handler");

export interface TaskHandler<TData = Record<string, unknown>, TResult = unknown> {
  readonly [HANDLER]: true;
  readonly options: ResolvedHandlerOptions;
  readonly run: HandlerFunction<TData, TResult>;
}

export interface HandlerTree {
  readonly [name: string]: TaskHandler<never, unknown> | HandlerTree;
}

/** Declares one handler. `TData` is the shape of the task's `data`; clients are typed from it. */
export function defineHandler<TData extends object = Record<string, unknown>, TResult = unknown>(
  options: HandlerOptions,
  run: HandlerFunction<TData, TResult>,
): TaskHandler<TData, TResult> {
  const resolved: ResolvedHandlerOptions = {
    clientEnqueue: options.clientEnqueue ?? false,
    timeoutSeconds: options.timeoutSeconds ?? HANDLER_DEFAULTS.timeoutSeconds,
    maxAttempts: options.maxAttempts ?? HANDLER_DEFAULTS.maxAttempts,
    backoff: { ...HANDLER_DEFAULTS.backoff, ...options.backoff },
  };
  const { timeoutSeconds, maxAttempts, backoff } = resolved;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= MAX_HANDLER_TIMEOUT_SECONDS)) {
    throw new RangeError(`timeoutSeconds must be in (0, ${MAX_HANDLER_TIMEOUT_SECONDS}], got ${timeoutSeconds}`);
  }
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  if (!(backoff.baseSeconds >= 0 && backoff.capSeconds >= backoff.baseSeconds)) {
    throw new RangeError(`backoff needs 0 <= baseSeconds <= capSeconds, got ${JSON.stringify(backoff)}`);
  }
  return Object.freeze({ [HANDLER]: true as const, options: Object.freeze(resolved), run });
}

function isHandler(value: unknown): value is TaskHandler<never, unknown> {
  return typeof value === "object" && value !== null && (value as { [HANDLER]?: unknown })[HANDLER] === true;
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

/** Builds the registry from a tree such as `{ order: { sendConfirmationEmail }, inventory: { mutations: {...} } }`. */
export function defineHandlers<T extends HandlerTree>(tree: T): Registry<T> {
  return {
    tree,
    resolve(type, action) {
      const path = [type, ...action.split(".")];
      // lodash `has` checks own properties at every step, unlike `get`, which would walk prototypes.
      if (!has(tree, path)) return undefined;
      const found: unknown = get(tree, path);
      return isHandler(found) ? (found as unknown as TaskHandler<Record<string, unknown>, unknown>) : undefined;
    },
    list() {
      const out: RegisteredHandler[] = [];
      const walk = (node: HandlerTree, path: string[]) => {
        for (const [name, child] of Object.entries(node)) {
          const address = [...path, name];
          if (!isHandler(child)) walk(child, address);
          else if (address.length < 2) throw new TypeError(`handler "${name}" needs a type and an action`);
          else out.push({ type: address[0], action: address.slice(1).join("."), options: child.options });
        }
      };
      walk(tree, []);
      return out;
    },
  };
}

/** The `data` type a handler at `type`/`action` expects: lets clients type their task writes. */
export type HandlerData<T extends HandlerTree, Type extends keyof T, Action extends string> =
  HandlerAt<T[Type], Action> extends TaskHandler<infer D, unknown> ? D : never;

type HandlerAt<Node, Action extends string> = Action extends `${infer Head}.${infer Rest}`
  ? Head extends keyof Node
    ? HandlerAt<Node[Head], Rest>
    : never
  : Action extends keyof Node
    ? Node[Action]
    : never;
