// Errors a handler (or the engine) throws to steer the outcome of an attempt. They are recognised by `name`, not
// by `instanceof`, so they survive being thrown from another copy of this module (bundlers, tests).

/** Throw from a handler to fail the task now, without using its remaining attempts. */
export class PermanentError extends Error {
  readonly code: string;
  constructor(message: string, code = "handler/permanent") {
    super(message);
    this.name = "PermanentError";
    this.code = code;
  }
}

/** An attempt's failure as the engine records it: a stable `code` plus the human message. */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "TaskFailure";
  }
}

export function isPermanentError(error: unknown): error is PermanentError {
  return error instanceof Error && error.name === "PermanentError";
}
