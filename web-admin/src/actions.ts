// What an admin can do to tasks. Cancel is a client write the security rules allow only to admins and only from
// `scheduled`; it runs in a transaction, so it lands only if the task is still scheduled (a task that started
// meanwhile is reported as skipped, not overwritten). Retry and run-now must also start the task, which a client
// write cannot do (the engine is woken by task creation only), so they are callables that check the admin claim on
// the server; a retry is conditioned on the task still being failed in the same way.
import { doc, runTransaction, serverTimestamp, type Firestore } from "firebase/firestore";
import { httpsCallable, type Functions } from "firebase/functions";
import {
  FUNCTION_TIMEOUT_SECONDS,
  type RetryTasksResult,
  type RunNowResult,
  type TaskFilter,
  type TaskState,
} from "./contract";

export type ActionOutcome =
  | { path: string; done: true }
  | { path: string; done: false; state: string }
  | { path: string; done: false; error: string };

async function transition(
  db: Firestore,
  path: string,
  from: TaskState,
  update: Record<string, unknown>,
): Promise<ActionOutcome> {
  try {
    return await runTransaction(db, async (transaction) => {
      const ref = doc(db, path);
      const snapshot = await transaction.get(ref);
      const state = snapshot.exists() ? String(snapshot.get("state")) : "deleted";
      if (state !== from) return { path, done: false, state };
      transaction.update(ref, update);
      return { path, done: true };
    });
  } catch (error) {
    return { path, done: false, error: errorMessage(error) };
  }
}

/**
 * `failed` → `scheduled` for each of `paths`, recording who and when, through the `retryTasks` callable, which
 * starts each retried task at once with a fresh round of attempts. A task no longer failed is skipped.
 */
export async function retryTasks(functions: Functions, paths: string[]): Promise<ActionOutcome[]> {
  const call = httpsCallable<{ paths: string[] }, RetryTasksResult>(functions, "retryTasks");
  try {
    const { data } = await call({ paths });
    return (data.outcomes ?? []).map((o) =>
      o.retried
        ? { path: o.path, done: true }
        : { path: o.path, done: false, ...("state" in o ? { state: o.state } : { error: o.error }) },
    );
  } catch (error) {
    return paths.map((path) => ({ path, done: false, error: errorMessage(error) }));
  }
}

/** `scheduled` → `cancelled`, recording who and when. */
export function cancelTask(db: Firestore, uid: string, path: string): Promise<ActionOutcome> {
  return transition(db, path, "scheduled", { state: "cancelled", cancelledBy: uid, cancelledAt: serverTimestamp() });
}

export interface Summary {
  done: ActionOutcome[];
  skipped: ActionOutcome[];
  failed: ActionOutcome[];
}

export function summarize(outcomes: ActionOutcome[]): Summary {
  return {
    done: outcomes.filter((o) => o.done),
    skipped: outcomes.filter((o) => !o.done && "state" in o),
    failed: outcomes.filter((o) => !o.done && "error" in o),
  };
}

/**
 * Retries every failed task matching `filter` through the `retryTasks` callable. The callable stops after a time
 * budget and says so (`complete: false`, with a `cursor`); this calls it again from that cursor until everything
 * matching has been handled, so a task retried (and failed again) by an earlier call is not retried twice.
 */
export async function retryAllMatching(
  functions: Functions,
  filter: TaskFilter,
  onProgress: (total: RetryTasksResult) => void,
): Promise<RetryTasksResult> {
  // Wait as long as the function may run (its timeout), not the SDK's default 70 s.
  const call = httpsCallable<{ filter: TaskFilter; cursor?: string }, RetryTasksResult>(functions, "retryTasks", {
    timeout: FUNCTION_TIMEOUT_SECONDS * 1000,
  });
  const total: RetryTasksResult = { retried: 0, skipped: 0, errors: 0, complete: false };
  let cursor: string | undefined;
  for (let round = 0; round < 100 && !total.complete; round++) {
    const { data } = await call(cursor === undefined ? { filter } : { filter, cursor });
    cursor = data.cursor;
    total.retried += data.retried;
    total.skipped += data.skipped;
    total.errors += data.errors;
    total.complete = data.complete;
    onProgress({ ...total });
  }
  return total;
}

/** Makes a scheduled (typically delayed) task due now, through the `runTaskNow` callable. */
export async function runTaskNow(functions: Functions, path: string): Promise<RunNowResult> {
  const call = httpsCallable<{ path: string }, RunNowResult>(functions, "runTaskNow");
  return (await call({ path })).data;
}

export function errorMessage(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === "permission-denied" || code === "functions/permission-denied") {
    return "Permission denied: your account may have lost the admin claim. Sign out and in again.";
  }
  return message || String(error);
}
