// The handler registry: a tree of handlers addressed by `type` and a (possibly dotted) `action`. Lookup walks
// own, registered entries only, so `__proto__`, `constructor` or `toString` can never reach a built-in function.
import { get, has } from "lodash";
import { DEDUP, HANDLER_DEFAULTS, MAX_HANDLER_TIMEOUT_SECONDS } from "../config";
import { checkLimits } from "../flow/limits";
import {
  HANDLER,
  type HandlerFunction,
  type HandlerOptions,
  type HandlerTree,
  type RegisteredHandler,
  type Registry,
  type ResolvedHandlerOptions,
  type TaskHandler,
} from "./handler";
import { resolveRetainFor } from "./retention";
import { resolveAlertRule } from "./alerts";
import { isSchema, type DataSchema, type StandardSchemaV1 } from "./schema";

/**
 * Declares one handler whose `data` a schema checks (any Standard Schema: zod, valibot, arktype): the engine runs
 * it on the parsed output only, and enqueues are typed with, and checked against, the schema's input.
 */
export function defineHandler<S extends DataSchema, TResult = unknown>(
  options: HandlerOptions & { schema: S },
  run: HandlerFunction<StandardSchemaV1.InferOutput<S>, TResult>,
): TaskHandler<StandardSchemaV1.InferOutput<S>, TResult, StandardSchemaV1.InferInput<S>>;
/** Declares one handler. `TData` is the shape of the task's `data`; clients are typed from it. */
export function defineHandler<TData extends object = Record<string, unknown>, TResult = unknown>(
  options: HandlerOptions,
  run: HandlerFunction<TData, TResult>,
): TaskHandler<TData, TResult>;
export function defineHandler(
  { schema, ...options }: HandlerOptions & { schema?: DataSchema },
  run: HandlerFunction<never, unknown>,
): TaskHandler<never, unknown> {
  if (schema !== undefined && !isSchema(schema)) {
    throw new TypeError("schema must be a Standard Schema (zod, valibot, arktype...): it has no `~standard`");
  }
  const resolved: ResolvedHandlerOptions = {
    clientEnqueue: options.clientEnqueue ?? false,
    idempotent: options.idempotent ?? false,
    timeoutSeconds: options.timeoutSeconds ?? HANDLER_DEFAULTS.timeoutSeconds,
    maxAttempts: options.maxAttempts ?? HANDLER_DEFAULTS.maxAttempts,
    backoff: { ...HANDLER_DEFAULTS.backoff, ...options.backoff },
    ...(options.rateLimit ? { rateLimit: { perSecond: options.rateLimit.perSecond } } : {}),
    ...(options.maxConcurrent !== undefined ? { maxConcurrent: options.maxConcurrent } : {}),
    debounceSeconds: options.debounceSeconds ?? 0,
    retainFor: resolveRetainFor(options.retainFor),
    ...(options.alert !== undefined ? { alert: resolveAlertRule(options.alert) } : {}),
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
  if (!(resolved.debounceSeconds >= 0 && resolved.debounceSeconds <= DEDUP.maxSeconds)) {
    throw new RangeError(`debounceSeconds must be in [0, ${DEDUP.maxSeconds}], got ${resolved.debounceSeconds}`);
  }
  checkLimits(resolved);
  return Object.freeze({
    [HANDLER]: true as const,
    options: Object.freeze(resolved),
    ...(schema ? { schema } : {}),
    run,
  });
}

function isHandler(value: unknown): value is TaskHandler<never, unknown> {
  return typeof value === "object" && value !== null && (value as { [HANDLER]?: unknown })[HANDLER] === true;
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
