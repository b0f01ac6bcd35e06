// The Firestore queries behind the page. Lists are collection-group queries over every `tasks` sub-collection,
// newest first by `createdAt`, 50 a page with cursors; counts are `count()` aggregations, never counter documents.
// `matchingTasks` in functions/src/queue/admin/filters.ts builds the same query from the same filter: it selects
// what "retry all" retries.
// Lists read every index shard at once (`shard in [...]`: Firestore merges the shards in the list's order, so the
// page cursors hold across shards; docs/scale.md). Counts and "retry all" need no shard: they are ordered by
// document name, whose indexes have no hot end, and they also count a task written by hand without a `shard`.
import {
  Timestamp,
  collection,
  collectionGroup,
  documentId,
  endBefore,
  getCountFromServer,
  limit,
  limitToLast,
  orderBy,
  query,
  startAfter,
  where,
  type Firestore,
  type Query,
  type QueryConstraint,
} from "firebase/firestore";
import { queriedShards, SHARD_FIELD, TASKS_COLLECTION, nameRange, type TaskFilter, type TaskState } from "./contract";
import type { Cursor, Route } from "./route";

export const PAGE_SIZE = 50;
/** Tasks shown in a parent's timeline. */
export const TIMELINE_LIMIT = 100;

function filterConstraints(state: TaskState, filter: TaskFilter): QueryConstraint[] {
  const constraints = [where("state", "==", state)];
  if (filter.type) constraints.push(where("type", "==", filter.type));
  if (filter.action) constraints.push(where("action", "==", filter.action));
  if (filter.errorCode) constraints.push(where("error.code", "==", filter.errorCode));
  if (filter.createdBy) constraints.push(where("createdBy", "==", filter.createdBy));
  const range = nameRange(filter);
  if (range) constraints.push(where(documentId(), ">=", range.from), where(documentId(), "<", range.to));
  return constraints;
}

/**
 * One page of the list. One row more than a page is asked for: its presence says whether there is a next page.
 * `after` pages go older (startAfter + limit), `before` pages go newer (endBefore + limitToLast).
 */
export function pageQuery(db: Firestore, route: Route): Query {
  // The document name breaks ties between equal `createdAt`s; the cursors carry both values.
  const constraints = [
    where(SHARD_FIELD, "in", queriedShards()),
    ...filterConstraints(route.state, route.filter),
    orderBy("createdAt", "desc"),
    orderBy(documentId(), "desc"),
  ];
  const cursor = route.cursor;
  if (!cursor) return query(collectionGroup(db, TASKS_COLLECTION), ...constraints, limit(PAGE_SIZE + 1));
  const at = [new Timestamp(cursor.seconds, cursor.nanoseconds), cursor.path] as const;
  return cursor.direction === "after"
    ? query(collectionGroup(db, TASKS_COLLECTION), ...constraints, startAfter(...at), limit(PAGE_SIZE + 1))
    : query(collectionGroup(db, TASKS_COLLECTION), ...constraints, endBefore(...at), limitToLast(PAGE_SIZE + 1));
}

/**
 * The tasks in `state` matching `filter`; with `cap`, counting stops past it (the answer is at most cap + 1): count()
 * costs 1 read per 1,000 matches, so a capped count of a million tasks costs cap / 1,000 reads, not 1,000.
 */
export async function countTasks(db: Firestore, state: TaskState, filter: TaskFilter, cap?: number): Promise<number> {
  const matching = query(collectionGroup(db, TASKS_COLLECTION), ...filterConstraints(state, filter));
  const snapshot = await getCountFromServer(cap === undefined ? matching : query(matching, limit(cap + 1)));
  return snapshot.data().count;
}

/** Every task of one parent document, oldest first: what happened to that order, in order. */
export function timelineQuery(db: Firestore, parentPath: string): Query {
  return query(collection(db, parentPath, TASKS_COLLECTION), orderBy("createdAt", "asc"), limit(TIMELINE_LIMIT));
}

export function cursorFrom(direction: Cursor["direction"], createdAt: unknown, path: string): Cursor | undefined {
  if (!(createdAt instanceof Timestamp)) return undefined;
  return { direction, seconds: createdAt.seconds, nanoseconds: createdAt.nanoseconds, path };
}
