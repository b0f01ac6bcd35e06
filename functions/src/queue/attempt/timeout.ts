// Runs one handler call under its timeout and turns the result or the throw into an AttemptResult.
import { ERROR_CODES } from "../model/task";
import { TaskFailure } from "../model/errors";
import { failureFromError, type AttemptResult } from "./retry-policy";

export async function runWithTimeout(
  call: () => unknown,
  timeoutSeconds: number,
  controller: AbortController,
): Promise<AttemptResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AttemptResult>((resolve) => {
    timer = setTimeout(() => {
      const failure = new TaskFailure(ERROR_CODES.timeout, `handler did not finish within ${timeoutSeconds}s`, true);
      controller.abort(failure);
      resolve({ ok: false, failure });
    }, timeoutSeconds * 1000);
  });
  const run = (async (): Promise<AttemptResult> => {
    try {
      return { ok: true, result: await call() };
    } catch (error) {
      return { ok: false, ...failureFromError(error) };
    }
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
