// What "retry" and "cancel" have in common when an admin applies them to many tasks: each task moves from one state
// to another with who and when (`retriedBy`/`retriedAt`, `cancelledBy`/`cancelledAt`), by a write conditioned on the
// update time it was read at, so a task that changed meanwhile (started, retried or cancelled by someone else) is
// skipped, never moved twice; and "all matching" pages through a query by document name within a time budget,
// returning a cursor to go on from.
import {
  FieldValue,
  Timestamp,
  type BulkWriter,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Query,
  type QueryDocumentSnapshot,
  type QuerySnapshot,
  type UpdateData,
} from "firebase-admin/firestore";
import { ADMIN_LIMITS } from "../config";
import { isQueueTaskPath, type TaskState } from "../model/task";
import type { BulkProgress } from "../model/admin";
import { db } from "../store/firestore";
import { isNotFound, isPreconditionFailure, isTransient } from "../store/status-codes";

/** What a failed BulkWriter operation reports (the class is not re-exported by firebase-admin). */
interface BulkWriterError {
  code: number;
  message: string;
  failedAttempts: number;
}

/** One task's outcome: moved, skipped (no longer in the `from` state: its state then), or a write error. */
export type BulkOutcome =
  | { path: string; done: true }
  | { path: string; done: false; state: string }
  | { path: string; done: false; error: string };

/** The transition, and its audit fields (`${audit}By`, `${audit}At`). */
export interface Transition {
  from: TaskState;
  to: TaskState;
  audit: "retried" | "cancelled";
  uid: string;
  /** Fields a task's own write adds, from the task as read (a cancel's `expireAt` depends on its handler). */
  fieldsFor?(doc: DocumentSnapshot): UpdateData<DocumentData>;
  /** Runs when a task's write has landed (a retry dispatches the task). */
  onDone?(doc: DocumentSnapshot): void;
  /** Runs after each flush, once the writes so far have landed. */
  afterFlush?(): Promise<void>;
  /** Logs a write that failed for another reason than a lost precondition. */
  onWriteError(path: string, code: unknown, message: string): void;
}

/** The counts of a bulk update, before they are named for the action (`retried`, `cancelled`). */
export interface BulkTally extends BulkProgress {
  done: number;
}

/** One batch of conditioned updates: a BulkWriter and the tally. */
export function startBulkUpdate(transition: Transition) {
  const { uid, audit } = transition;
  const byField = `${audit}By`;
  const atField = `${audit}At`;
  const tally: BulkTally = { done: 0, skipped: 0, errors: 0, complete: true };
  const writer: BulkWriter = db().bulkWriter();
  // Transient errors are tried again, with BulkWriter's backoff: its default handler covers ABORTED and
  // UNAVAILABLE; a busy backend also answers DEADLINE_EXCEEDED (seen on a loaded emulator at 10,000 tasks). Trying
  // again is safe: if the first try did commit after all, the update-time precondition fails the second one, and
  // `isOurs` finds our own write. A lost precondition is otherwise final (the task changed).
  const triedAgain = new Set<string>();
  writer.onWriteError((error) => {
    const again = isTransient(error) && error.failedAttempts < ADMIN_LIMITS.retryWriteAttempts;
    if (again) triedAgain.add(error.documentRef.path);
    return again;
  });
  const fields = { state: transition.to, [byField]: uid, [atField]: FieldValue.serverTimestamp() };
  const startedAt = Date.now() - 1000; // a second of slack for the server's clock
  /** A write tried again lost its precondition: landed by this call's first try, or changed by someone else? */
  const isOurs = async (ref: DocumentReference) => {
    const task = await ref.get();
    const at = task.get(atField);
    return task.get(byField) === uid && at instanceof Timestamp && at.toMillis() >= startedAt;
  };
  const writes: Promise<BulkOutcome>[] = [];

  const done = (doc: DocumentSnapshot): BulkOutcome => {
    tally.done++;
    transition.onDone?.(doc);
    return { path: doc.ref.path, done: true };
  };
  const skipped = (path: string, state: string): BulkOutcome => {
    tally.skipped++;
    return { path, done: false, state };
  };

  /** Moves `doc` (a snapshot read in the `from` state), unless it changes before the write lands. */
  const update = (doc: DocumentSnapshot): Promise<BulkOutcome> => {
    const path = doc.ref.path;
    const written = { ...fields, ...transition.fieldsFor?.(doc) };
    const write: Promise<BulkOutcome> = writer.update(doc.ref, written, { lastUpdateTime: doc.updateTime }).then(
      () => done(doc),
      async (error: BulkWriterError) => {
        if (isPreconditionFailure(error) && triedAgain.has(path) && (await isOurs(doc.ref))) return done(doc);
        if (isPreconditionFailure(error)) return skipped(path, String((await doc.ref.get()).get("state") ?? "deleted"));
        if (isNotFound(error)) return skipped(path, "deleted");
        tally.errors++;
        transition.onWriteError(path, error.code, error.message);
        return { path, done: false as const, error: error.message };
      },
    );
    writes.push(write);
    return write;
  };

  /** Lands the writes so far, then runs `afterFlush`. */
  const flush = async () => {
    await writer.flush();
    await Promise.all(writes);
    await transition.afterFlush?.();
  };

  const close = async () => {
    await flush();
    await writer.close();
    return tally;
  };
  return { tally, update, skipped, flush, close };
}

type BulkUpdate = ReturnType<typeof startBulkUpdate>;

/**
 * The tally, and the outcomes of chosen tasks, under the action's own name: `done` becomes `retried` or `cancelled`
 * (`{ retried: 2, skipped: 0, ... }`, outcomes `{ path, retried: true }`), as the callables answer.
 */
export function named<Result>(key: string, { done, ...rest }: BulkTally, outcomes?: BulkOutcome[]): Result {
  const renamed = outcomes?.map(({ done: moved, ...outcome }) => ({ ...outcome, [key]: moved }));
  return { [key]: done, ...rest, ...(renamed ? { outcomes: renamed } : {}) } as Result;
}

/** Moves the tasks at `paths` that are in the `from` state; any other is skipped with its state. */
export async function updateTasksAt(
  paths: string[],
  transition: Transition,
): Promise<{ tally: BulkTally; outcomes: BulkOutcome[] }> {
  const bulk = startBulkUpdate(transition);
  const refs = paths.map((path) => db().doc(path));
  const snapshots = refs.length ? await db().getAll(...refs) : [];
  // Not awaited one by one: BulkWriter sends its writes when flushed, which close() does.
  const outcomes = snapshots.map((snapshot) => {
    if (!snapshot.exists) return bulk.skipped(snapshot.ref.path, "deleted");
    const state = String(snapshot.get("state"));
    if (state !== transition.from) return bulk.skipped(snapshot.ref.path, state);
    return bulk.update(snapshot);
  });
  const tally = await bulk.close();
  return { tally, outcomes: await Promise.all(outcomes) };
}

export interface PagingOptions {
  pageSize?: number;
  budgetMs?: number;
  /** A document path a previous call returned: this call starts after it. */
  cursor?: string;
}

/**
 * Moves every task `query` matches (a query in the `from` state, ordered by document name), within a time budget
 * (`complete: false` when it ran out, with the `cursor` to call again with). The writes do not change document
 * names, so paging stays stable while the matched set shrinks.
 */
export async function updateAllMatching(
  query: Query,
  transition: Transition,
  options: PagingOptions = {},
): Promise<BulkTally> {
  const pageSize = options.pageSize ?? ADMIN_LIMITS.retryPageSize;
  const deadline = Date.now() + (options.budgetMs ?? ADMIN_LIMITS.retryBudgetMs);
  const bulk: BulkUpdate = startBulkUpdate(transition);
  const base = query.limit(pageSize);
  // Where the previous call stopped (a document path: the query is ordered by name), then the last document read.
  let after: QueryDocumentSnapshot | string | undefined = options.cursor;
  for (;;) {
    const page: QuerySnapshot = await (after !== undefined ? base.startAfter(after) : base).get();
    for (const doc of page.docs) {
      // A `tasks` collection deeper down belongs to the app, not to the queue.
      if (isQueueTaskPath(doc.ref.path)) void bulk.update(doc);
      else bulk.skipped(doc.ref.path, "not a queue task");
    }
    if (page.size < pageSize) break;
    const last = page.docs[page.size - 1];
    after = last;
    // Let the writes catch up before reading on: BulkWriter buffers without limit, and the deadline must bound
    // the writes too, not only the reads.
    await bulk.flush();
    if (Date.now() > deadline) {
      bulk.tally.complete = false;
      bulk.tally.cursor = last.ref.path;
      break;
    }
  }
  return bulk.close();
}
