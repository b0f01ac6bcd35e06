// Rate and concurrency limits. Every attempt of a limited handler (first ones, retries, delayed runs, an admin's
// retry or "run now", the sweeper's re-dispatches) runs from a Cloud Tasks queue of its own, whose limits hold
// across all instances; this file derives that queue's name and limits from the handler's options.
//
// Cloud Tasks bounds the dispatches in flight exactly (`maxConcurrentDispatches`: a dispatch holds its place until
// the function returns). Its rate limit is a token bucket whose burst size Cloud Tasks picks (up to 500), so on its
// own it could start far more than `perSecond` attempts within one second. The engine makes the rate exact with
// lanes: the queue runs `lanes` dispatches at once, and a dispatch that started an attempt keeps its lane until
// `spacingMs` after the start. One lane then starts at most 1000 / spacingMs attempts in any one-second window, and
// lanes × that ≤ perSecond. The price: an attempt of a rate-limited handler occupies its lane for at least
// `spacingMs`, so attempts slower than that lower the achieved rate (lanes ÷ duration).
import { FLOW, RUN_TASK_FUNCTION } from "../config";
import type { Registry, ResolvedHandlerOptions } from "../model/handler";

export interface QueueLimits {
  /** Cloud Tasks' `maxDispatchesPerSecond` for the queue. */
  maxDispatchesPerSecond: number;
  /** Cloud Tasks' `maxConcurrentDispatches`: the lanes. */
  maxConcurrentDispatches: number;
  /** A dispatch that started an attempt returns no sooner than this after the start (0: when the attempt ends). */
  spacingMs: number;
}

/** A limited handler's queue function: where it is exported, its deployed name, and its queue's limits. */
export interface LimitedQueue {
  type: string;
  action: string;
  /**
   * Its place in the exports: `["limited", "demo", "throttled"]` for `demo` / `throttled`. Firebase names a function
   * exported in nested groups by joining the path with hyphens, so its id and queue are `limited-demo-throttled`.
   */
  exportPath: string[];
  /** The deployed function and Cloud Tasks queue: `limited-demo-throttled`. */
  name: string;
  limits: QueueLimits;
}

type LimitOptions = Pick<ResolvedHandlerOptions, "rateLimit" | "maxConcurrent">;

/** The queue limits that enforce `options`, or undefined for a handler without limits (the fast path). */
export function queueLimits({ rateLimit, maxConcurrent }: LimitOptions): QueueLimits | undefined {
  if (!rateLimit && maxConcurrent === undefined) return undefined;
  if (!rateLimit) {
    return { maxDispatchesPerSecond: FLOW.maxPerSecond, maxConcurrentDispatches: maxConcurrent!, spacingMs: 0 };
  }
  const lanes = Math.min(maxConcurrent ?? Infinity, rateLimit.perSecond);
  const startsPerLane = Math.floor(rateLimit.perSecond / lanes);
  return {
    maxDispatchesPerSecond: rateLimit.perSecond,
    maxConcurrentDispatches: lanes,
    spacingMs: Math.ceil(1000 / startsPerLane),
  };
}

/** Checks the limits a handler declares; throws a RangeError that names the bound. */
export function checkLimits({ rateLimit, maxConcurrent }: LimitOptions): void {
  const perSecond = rateLimit?.perSecond;
  if (rateLimit && !(Number.isInteger(perSecond) && perSecond! >= 1 && perSecond! <= FLOW.maxPerSecond)) {
    throw new RangeError(
      `rateLimit.perSecond must be an integer from 1 to ${FLOW.maxPerSecond} (Cloud Tasks' ceiling per queue), ` +
        `got ${perSecond}; a handler that needs more runs without a rate limit`,
    );
  }
  if (maxConcurrent !== undefined && !(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    throw new RangeError(`maxConcurrent must be an integer >= 1, got ${maxConcurrent}`);
  }
  if (maxConcurrent !== undefined && maxConcurrent > FLOW.maxConcurrent) {
    throw new RangeError(`maxConcurrent must be at most ${FLOW.maxConcurrent} (Cloud Tasks' ceiling per queue)`);
  }
}

function exportPath(type: string, action: string): string[] {
  return [FLOW.limitedGroup, type, ...action.split(".")];
}

/**
 * Every limited handler's queue, in registry order. Throws when a handler's name cannot name a function and a
 * queue: each part letters and digits only (a hyphen would split the function's name differently), at most 63
 * characters in all.
 */
export function limitedQueues(registry: Registry): LimitedQueue[] {
  const queues: LimitedQueue[] = [];
  for (const { type, action, options } of registry.list()) {
    const limits = queueLimits(options);
    if (!limits) continue;
    const path = exportPath(type, action);
    const name = path.join("-");
    if (!path.every((part) => /^[A-Za-z0-9]+$/.test(part)) || name.length > 63) {
      throw new TypeError(
        `handler ${type}/${action} has limits, so it runs from a queue of its own named "${name}": each part of a ` +
          "limited handler's name may hold only letters and digits, at most 63 characters in all; rename the handler",
      );
    }
    queues.push({ type, action, exportPath: path, name, limits });
  }
  return queues;
}

/** The queue function that runs `type`/`action`'s attempts: its own when it is limited, `runTask` otherwise. */
export function runQueueOf(registry: Registry, type: unknown, action: unknown): string {
  if (typeof type !== "string" || typeof action !== "string") return RUN_TASK_FUNCTION;
  const options = registry.resolve(type, action)?.options;
  return options && queueLimits(options) ? exportPath(type, action).join("-") : RUN_TASK_FUNCTION;
}
