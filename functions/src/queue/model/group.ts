// Fan-out and fan-in: a group of child tasks written by one handler (`ctx.fanOut`), and the continuation that runs
// once every child has ended, with their counts. Types only.
import type { DocumentReference, Query } from "firebase-admin/firestore";
import type { ServerTaskRequest } from "./request";

/** The final states a child is counted in. */
export const GROUP_COUNTED_STATES = ["completed", "failed", "cancelled"] as const;
export type CountedState = (typeof GROUP_COUNTED_STATES)[number];

/** How many children ended in each final state. */
export type GroupCounts = Record<CountedState, number>;

export interface FanOutOptions {
  /** The continuation: enqueued once, when every child has ended; its handler reads the counts from `ctx.fanIn`. */
  then: ServerTaskRequest;
  /** Where the children and the continuation are written (default: this task's parent): any queue parent. */
  parent?: DocumentReference;
}

export interface FanOutResult {
  /** The group's id: every child carries it as `group`. */
  group: string;
  /** How many children the group has. */
  children: number;
  /** Where the continuation will be written (it does not exist until every child has ended). */
  continuation: DocumentReference;
}

/** What a continuation learns of its group (`ctx.fanIn`). */
export interface FanIn extends GroupCounts {
  /** The group's id: every child carries it as `group`. */
  readonly group: string;
  /** Children in the group. */
  readonly total: number;
  /**
   * The children (those of one final state, if given), ordered by id: page with `.limit(n)` and `.startAfter(last)`,
   * `.select()` for their paths only; count them with an aggregation.
   */
  children(state?: CountedState): Query;
}

/** What a continuation task stores in its `fanIn` field: the counts, and where the children live. */
export interface FanInRecord extends GroupCounts {
  group: string;
  total: number;
  /** Path of the document whose `tasks` hold the children. */
  parent: string;
}
