// What the admin page and the admin callables exchange: the filter a list is narrowed by, and what the actions
// report. Shared by the engine and the page, so both build the same query from the same filter.
import { TASKS_COLLECTION } from "./task";

/** The filters an admin list can combine, in the order the page shows them. */
export const FILTER_KEYS = ["collection", "parent", "type", "action", "errorCode", "createdBy"] as const;

/**
 * What a list on the admin page is narrowed by; the page, `retryTasks` and `cancelTasks` build the same query from
 * it. Every filter is an exact match: an equality on a task field, or a range of document names for the parent.
 */
export interface TaskFilter {
  /** Top-level collection of the parent document (`orders` for `orders/o-1/tasks/t1`). */
  collection?: string;
  /** The parent document's path (`orders/o-1`, or `users/u/orders/o-1`): every task of one order. */
  parent?: string;
  type?: string;
  action?: string;
  /** `error.code` of the task. */
  errorCode?: string;
  /** The uid that created the task (`createdBy`, written by the client library and the rules). */
  createdBy?: string;
}

/** How far an action on every matching task got; a call that ran out of time says where to go on. */
export interface BulkProgress {
  /** Matched but not changed: changed between the read and the write (no longer in the state acted on), or gone. */
  skipped: number;
  /** Writes that failed for another reason (reported, not hidden). */
  errors: number;
  /** False when the time budget ran out first: call again, with `cursor`, to continue with the remaining tasks. */
  complete: boolean;
  /**
   * With `complete: false`: the path of the last document read. Passed back (`{ filter, cursor }`), the next call
   * goes on after it instead of at the first match, so a task retried and failed again meanwhile is not retried a
   * second time.
   */
  cursor?: string;
}

export interface RetryTasksResult extends BulkProgress {
  retried: number;
  /** With `paths` (retrying chosen tasks): what happened to each, in the order asked. */
  outcomes?: RetryOutcome[];
}

export interface CancelTasksResult extends BulkProgress {
  cancelled: number;
  /** With `paths` (cancelling chosen tasks): what happened to each, in the order asked. */
  outcomes?: CancelOutcome[];
}

/** One chosen task's cancel: done, skipped (it was no longer scheduled: its state then), or a write error. */
export type CancelOutcome =
  | { path: string; cancelled: true }
  | { path: string; cancelled: false; state: string }
  | { path: string; cancelled: false; error: string };

/** One chosen task's retry: done, skipped (it was no longer failed: its state then), or a write error. */
export type RetryOutcome =
  | { path: string; retried: true }
  | { path: string; retried: false; state: string }
  | { path: string; retried: false; error: string };

/** The most tasks one `retryTasks({ paths })` or `cancelTasks({ paths })` call may name. */
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

/** The range of document names of the tasks in the `tasks` collection of the document at `parent`. */
export function parentRange(parent: string): { from: string; to: string } {
  return { from: `${parent}/${TASKS_COLLECTION}/\u0000`, to: `${parent}/${TASKS_COLLECTION}\u0000/\u0000` };
}

/**
 * The one range of document names `filter` allows (its collection's, its parent's, or where both overlap), or
 * undefined when it names neither. Names compare segment by segment, so the later start and the earlier end bound
 * the overlap; a parent outside the collection gives an empty range, and an empty list.
 */
export function nameRange(filter: TaskFilter): { from: string; to: string } | undefined {
  const ranges = [
    ...(filter.collection ? [collectionRange(filter.collection)] : []),
    ...(filter.parent ? [parentRange(filter.parent)] : []),
  ];
  if (!ranges.length) return undefined;
  if (ranges.length === 1) return ranges[0];
  const [a, b] = ranges;
  // The parent's range lies inside its collection's range, or outside it altogether.
  const inside = b.from.startsWith(`${filter.collection}/`);
  return inside ? b : { from: a.from, to: a.from };
}
