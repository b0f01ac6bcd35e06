// What the admin page and the admin callables exchange: the filter a list is narrowed by, and what the actions
// report. Shared by the engine and the page, so both build the same query from the same filter.

/** The filters an admin list can combine, in the order the page shows them. */
export const FILTER_KEYS = ["collection", "type", "action", "errorCode"] as const;

/** What a list on the admin page is narrowed by; the page and `retryTasks` build the same query from it. */
export interface TaskFilter {
  /** Top-level collection of the parent document (`orders` for `orders/o-1/tasks/t1`). */
  collection?: string;
  type?: string;
  action?: string;
  /** `error.code` of the task. */
  errorCode?: string;
}

export interface RetryTasksResult {
  retried: number;
  /** Matched but not retried: changed between the read and the write (no longer failed), or gone. */
  skipped: number;
  /** Writes that failed for another reason (reported, not hidden). */
  errors: number;
  /** False when the time budget ran out first: call again, with `cursor`, to continue with the remaining tasks. */
  complete: boolean;
  /**
   * With `complete: false`: the path of the last document read. Passed back (`retryTasks({ filter, cursor })`), the
   * next call goes on after it instead of at the first match, so a task retried and failed again meanwhile is not
   * retried a second time.
   */
  cursor?: string;
  /** With `paths` (retrying chosen tasks): what happened to each, in the order asked. */
  outcomes?: RetryOutcome[];
}

/** One chosen task's retry: done, skipped (it was no longer failed: its state then), or a write error. */
export type RetryOutcome =
  | { path: string; retried: true }
  | { path: string; retried: false; state: string }
  | { path: string; retried: false; error: string };

/** The most tasks one `retryTasks({ paths })` call may name. */
export const MAX_RETRY_PATHS = 500;

export interface RunNowResult {
  /** True when the task was scheduled and is now due. */
  ran: boolean;
  /** The task's state as the write found it. */
  state: string;
}

/**
 * The range of document names of every task under the top-level collection `collection`. A collection-group query
 * cannot filter on the parent's collection, but it can filter on the full document name: every `c/...` path sorts
 * after `c/\0` and before `c\0/\0` (a collection id that differs only by a trailing NUL), and nothing else does.
 */
export function collectionRange(collection: string): { from: string; to: string } {
  return { from: `${collection}/\u0000`, to: `${collection}\u0000/\u0000` };
}
