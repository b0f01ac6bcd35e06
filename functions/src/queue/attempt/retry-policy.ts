// The one place that decides a task's next state after an attempt: completed, retried later with exponential
// backoff and jitter, or failed. Pure functions: no I/O, so every rule here is unit-tested.
import { ERROR_CODES } from "../model/task";
import { TaskFailure, isPermanentError } from "../model/errors";
import { LIMITS } from "../config";
import type { BackoffOptions } from "../model/handler";

export type AttemptResult = { ok: true; result: unknown } | { ok: false; failure: TaskFailure; stack?: string };

export type Transition =
  | { state: "completed"; result: unknown }
  | { state: "scheduled"; runAt: Date; failure: TaskFailure; stack?: string }
  | { state: "failed"; failure: TaskFailure; stack?: string };

/** Delay before retry number `attempt` (1 = the retry after the first attempt failed). */
export function backoffDelayMs(backoff: BackoffOptions, attempt: number, random: () => number = Math.random): number {
  const window = Math.min(backoff.capSeconds, backoff.baseSeconds * 2 ** (attempt - 1)) * 1000;
  const low = backoff.jitter === "equal" ? window / 2 : 0;
  return Math.round(low + random() * (window - low));
}

export function nextState(
  outcome: AttemptResult,
  attempt: number,
  maxAttempts: number,
  backoff: BackoffOptions,
  now: Date = new Date(),
): Transition {
  if (outcome.ok) return { state: "completed", result: outcome.result };
  const { failure, stack } = outcome;
  if (failure.retryable && attempt < maxAttempts) {
    return { state: "scheduled", runAt: new Date(now.getTime() + backoffDelayMs(backoff, attempt)), failure, stack };
  }
  return { state: "failed", failure, stack };
}

/** Turns whatever a handler threw into a recorded failure with a stable code. */
export function failureFromError(error: unknown): { failure: TaskFailure; stack?: string } {
  if (error instanceof TaskFailure) return { failure: error, stack: error.stack };
  if (isPermanentError(error)) {
    return {
      failure: new TaskFailure(error.code, clip(error.message, LIMITS.messageChars), false),
      stack: error.stack,
    };
  }
  const message = error instanceof Error ? error.message : `non-Error thrown: ${safeString(error)}`;
  const code = ERROR_CODES.handlerError;
  return {
    failure: new TaskFailure(
      code,
      clip(message || "handler threw an error without a message", LIMITS.messageChars),
      true,
    ),
    stack: error instanceof Error ? error.stack : undefined,
  };
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
