// What an admin can do to tasks, each through a callable that checks the admin claim on the server: retry and
// run-now must also start the task, which a client write cannot do (the engine is woken by task creation only), and a
// cancel sets the handler's retention (`expireAt`), which only the server knows. Writes are conditioned on the task
// still being failed (or scheduled) when they land: a task that changed meanwhile is reported as skipped, not
// overwritten. This holds for one task, the selection, or every task matching.
import { httpsCallable, type Functions } from "firebase/functions";
import {
  FUNCTION_TIMEOUT_SECONDS,
  type BulkProgress,
  type RunNowResult,
  type TaskFilter,
  type TaskState,
} from "./contract";

/** The actions that apply to many tasks at once: each a callable, on the tasks of one state. */
export const BULK_ACTIONS = {
  retry: { callable: "retryTasks", doneKey: "retried", state: "failed" },
  cancel: { callable: "cancelTasks", doneKey: "cancelled", state: "scheduled" },
} as const satisfies Record<string, { callable: string; doneKey: string; state: TaskState }>;
export type BulkAction = keyof typeof BULK_ACTIONS;

/** The bulk action the tab of `state` offers on its rows, if any. */
export function bulkActionFor(state: TaskState): BulkAction | undefined {
  return (Object.keys(BULK_ACTIONS) as BulkAction[]).find((action) => BULK_ACTIONS[action].state === state);
}

/** What a bulk callable answers, its count of tasks changed under the action's own name (`retried`, `cancelled`). */
type BulkAnswer = BulkProgress & { [done: string]: unknown; outcomes?: ({ path: string } & Record<string, unknown>)[] };

/** The running total of a bulk action on every matching task. */
export interface BulkTotal extends BulkProgress {
  done: number;
}

export type ActionOutcome =
  | { path: string; done: true }
  | { path: string; done: false; state: string }
  | { path: string; done: false; error: string };

/**
 * Retries (`failed` → `scheduled`, started at once with a fresh round of attempts) or cancels (`scheduled` →
 * `cancelled`) each of `paths` through the action's callable, recording who and when. A task no longer in the
 * action's state is skipped.
 */
export async function actOnTasks(functions: Functions, action: BulkAction, paths: string[]): Promise<ActionOutcome[]> {
  const { callable, doneKey } = BULK_ACTIONS[action];
  const call = httpsCallable<{ paths: string[] }, BulkAnswer>(functions, callable);
  try {
    const { data } = await call({ paths });
    return (data.outcomes ?? []).map((o) =>
      o[doneKey] === true
        ? { path: o.path, done: true }
        : { path: o.path, done: false, ...("state" in o ? { state: String(o.state) } : { error: String(o.error) }) },
    );
  } catch (error) {
    return paths.map((path) => ({ path, done: false, error: errorMessage(error) }));
  }
}

/** `failed` → `scheduled` for each of `paths`: see actOnTasks. */
export const retryTasks = (functions: Functions, paths: string[]) => actOnTasks(functions, "retry", paths);

/** `scheduled` → `cancelled` for each of `paths`, with the handler's retention (`expireAt`): see actOnTasks. */
export const cancelTasks = (functions: Functions, paths: string[]) => actOnTasks(functions, "cancel", paths);

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
 * Retries every failed task, or cancels every scheduled task, matching `filter` through the action's callable. The
 * callable stops after a time budget and says so (`complete: false`, with a `cursor`); this calls it again from that
 * cursor until everything matching has been handled, so a task retried (and failed again) by an earlier call is not
 * retried twice.
 */
export async function actOnAllMatching(
  functions: Functions,
  action: BulkAction,
  filter: TaskFilter,
  onProgress: (total: BulkTotal) => void,
): Promise<BulkTotal> {
  const { callable, doneKey } = BULK_ACTIONS[action];
  // Wait as long as the function may run (its timeout), not the SDK's default 70 s.
  const call = httpsCallable<{ filter: TaskFilter; cursor?: string }, BulkAnswer>(functions, callable, {
    timeout: FUNCTION_TIMEOUT_SECONDS * 1000,
  });
  const total: BulkTotal = { done: 0, skipped: 0, errors: 0, complete: false };
  let cursor: string | undefined;
  for (let round = 0; round < 100 && !total.complete; round++) {
    const { data } = await call(cursor === undefined ? { filter } : { filter, cursor });
    cursor = data.cursor;
    total.done += Number(data[doneKey] ?? 0);
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
