// What the admin page does with admin rights, through callables: retry every failed task that matches a filter
// (thousands of writes, paged through and committed by a BulkWriter) and run a scheduled task now (the security
// rules let a client change a scheduled task only to cancel it). Callables bypass the security rules, so each one
// checks the caller's `admin` claim itself. Single retries and cancels are client writes, governed by the rules.
import {
  FieldPath,
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type Query,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import { HttpsError, type CallableRequest } from "firebase-functions/https";
import { db } from "./firebase";
import { updateIfUnchanged } from "./fenced-writer";
import { isNotFound, isPreconditionFailure } from "./firestore-errors";
import { TASKS_COLLECTION, isQueueTaskPath } from "./task";

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
  /** False when the time budget ran out first: call again to continue with the remaining tasks. */
  complete: boolean;
}

export interface RunNowResult {
  /** True when the task was scheduled and is now due. */
  ran: boolean;
  /** The task's state as the write found it. */
  state: string;
}

export const ADMIN_LIMITS = {
  /** Tasks read per page while retrying; each page's writes are flushed before the next page is read. */
  retryPageSize: 500,
  /** Stop after the page that ends past this, leaving room within the callable's 540 s timeout to finish. */
  retryBudgetMs: 420_000,
  filterValueChars: 1500,
};

/** What a failed BulkWriter operation reports (the class is not re-exported by firebase-admin). */
interface BulkWriterError {
  code: number;
  message: string;
  failedAttempts: number;
}

const FILTER_KEYS = ["collection", "type", "action", "errorCode"] as const;
/** DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
const TRANSIENT_CODES = new Set<number>([4, 8, 10, 13, 14]);
const MAX_WRITE_ATTEMPTS = 10;

const adminLog = {
  denied: (uid: string | undefined, action: string) => logger.warn("admin action denied", { uid, action }),
  retried: (uid: string, filter: TaskFilter, result: RetryTasksResult, ms: number) =>
    logger.info("failed tasks retried", { uid, filter, ...result, ms }),
  retryWriteFailed: (path: string, code: unknown, message: string) =>
    logger.error("retry write failed", { path, code, message }),
  ranNow: (uid: string, path: string, ran: boolean, state: string) => logger.info("run now", { uid, path, ran, state }),
};

/** The caller's uid, when the caller is signed in and carries the `admin` custom claim. */
export function requireAdmin(request: CallableRequest<unknown>, action: string): string {
  if (!request.auth) {
    adminLog.denied(undefined, action);
    throw new HttpsError("unauthenticated", "Sign in first.");
  }
  if (request.auth.token.admin !== true) {
    adminLog.denied(request.auth.uid, action);
    throw new HttpsError("permission-denied", "Only admins (custom claim `admin`) may do this.");
  }
  return request.auth.uid;
}

/** Validates a filter sent by a client: known keys, strings, no `/` in the collection. Empty values are dropped. */
export function parseFilter(input: unknown): TaskFilter {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new HttpsError("invalid-argument", "`filter` must be an object.");
  }
  const filter: TaskFilter = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new HttpsError("invalid-argument", `Unknown filter "${key}"; use ${FILTER_KEYS.join(", ")}.`);
    }
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" || value.length > ADMIN_LIMITS.filterValueChars) {
      throw new HttpsError("invalid-argument", `Filter "${key}" must be a string.`);
    }
    if (key === "collection" && value.includes("/")) {
      throw new HttpsError("invalid-argument", "Filter `collection` is a collection id, without `/`.");
    }
    filter[key as keyof TaskFilter] = value;
  }
  return filter;
}

/**
 * The range of document names of every task under the top-level collection `collection`. A collection-group query
 * cannot filter on the parent's collection, but it can filter on the full document name: every `c/...` path sorts
 * after `c/\0` and before `c\0/\0` (a collection id that differs only by a trailing NUL), and nothing else does.
 */
export function collectionRange(collection: string): { from: string; to: string } {
  return { from: `${collection}/\u0000`, to: `${collection}\u0000/\u0000` };
}

/** Every task in `state` that matches `filter`, across all parents (collection-group query). */
export function matchingTasks(state: string, filter: TaskFilter): Query<DocumentData> {
  let query: Query<DocumentData> = db().collectionGroup(TASKS_COLLECTION).where("state", "==", state);
  if (filter.type) query = query.where("type", "==", filter.type);
  if (filter.action) query = query.where("action", "==", filter.action);
  if (filter.errorCode) query = query.where("error.code", "==", filter.errorCode);
  if (filter.collection) {
    const { from, to } = collectionRange(filter.collection);
    query = query.where(FieldPath.documentId(), ">=", from).where(FieldPath.documentId(), "<", to);
  }
  return query;
}

/**
 * Retries every failed task matching `filter`, as the page's single retry does: `scheduled` again, with who and
 * when. Each write is conditioned on the update time the query saw, so a task that changed meanwhile (retried by
 * someone else, say) is skipped, never retried twice. Pages are ordered by document name, which the writes do not
 * change, so paging stays stable while the matched set shrinks.
 */
export async function retryFailedTasks(
  filter: TaskFilter,
  uid: string,
  options: { pageSize?: number; budgetMs?: number } = {},
): Promise<RetryTasksResult> {
  const pageSize = options.pageSize ?? ADMIN_LIMITS.retryPageSize;
  const deadline = Date.now() + (options.budgetMs ?? ADMIN_LIMITS.retryBudgetMs);
  const result: RetryTasksResult = { retried: 0, skipped: 0, errors: 0, complete: true };
  const writer = db().bulkWriter();
  // Transient errors are tried again, with BulkWriter's backoff: its default handler covers ABORTED and
  // UNAVAILABLE; a busy backend also answers DEADLINE_EXCEEDED (seen on a loaded emulator at 10,000 tasks). Trying
  // again is safe: if the first try did commit after all, the update-time precondition fails the second one, and
  // `settleAmbiguous` finds our own write. A lost precondition is otherwise final (the task changed).
  const triedAgain = new Set<string>();
  writer.onWriteError((error) => {
    const again = TRANSIENT_CODES.has(error.code) && error.failedAttempts < MAX_WRITE_ATTEMPTS;
    if (again) triedAgain.add(error.documentRef.path);
    return again;
  });
  const retry = { state: "scheduled", retriedBy: uid, retriedAt: FieldValue.serverTimestamp() };
  const startedAt = Date.now() - 1000; // a second of slack for the server's clock
  /** A write tried again lost its precondition: retried by this call's first try, or changed by someone else? */
  const settleAmbiguous = async (ref: DocumentReference) => {
    const task = await ref.get();
    const retriedAt = task.get("retriedAt");
    const ours = task.get("retriedBy") === uid && retriedAt instanceof Timestamp && retriedAt.toMillis() >= startedAt;
    if (ours) result.retried++;
    else result.skipped++;
  };
  const writes: Promise<void>[] = [];
  const base = matchingTasks("failed", filter).orderBy(FieldPath.documentId()).select().limit(pageSize);

  let last: QueryDocumentSnapshot | undefined;
  for (;;) {
    const page = await (last ? base.startAfter(last) : base).get();
    for (const doc of page.docs) {
      if (!isQueueTaskPath(doc.ref.path)) {
        result.skipped++; // a `tasks` collection deeper down belongs to the app, not to the queue
        continue;
      }
      const write = writer.update(doc.ref, retry, { lastUpdateTime: doc.updateTime }).then(
        () => void result.retried++,
        async (error: BulkWriterError) => {
          if (isPreconditionFailure(error) && triedAgain.has(doc.ref.path)) {
            await settleAmbiguous(doc.ref);
          } else if (isPreconditionFailure(error) || isNotFound(error)) {
            result.skipped++;
          } else {
            result.errors++;
            adminLog.retryWriteFailed(doc.ref.path, error.code, error.message);
          }
        },
      );
      writes.push(write);
    }
    if (page.size < pageSize) break;
    last = page.docs[page.size - 1];
    // Let the writes catch up before reading on: BulkWriter buffers without limit, and the deadline must bound
    // the writes too, not only the reads.
    await writer.flush();
    if (Date.now() > deadline) {
      result.complete = false;
      break;
    }
  }
  await writer.close();
  await Promise.all(writes);
  return result;
}

/**
 * Makes a scheduled task due now: `runAt` becomes the commit time, and that write re-triggers the dispatcher, which
 * runs it at once. Also un-sticks a scheduled task whose trigger event was lost. The Cloud Task that was waiting
 * for the old `runAt` later finds the attempt already taken and does nothing.
 */
export async function runTaskNow(path: string): Promise<RunNowResult> {
  const ref = db().doc(path);
  const snapshot = await ref.get();
  if (!snapshot.exists || !snapshot.updateTime) throw new HttpsError("not-found", `No task at ${path}.`);
  const state = String(snapshot.get("state"));
  if (state !== "scheduled") return { ran: false, state };
  const written = await updateIfUnchanged(ref, snapshot.updateTime, {
    runAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
  });
  if (written) return { ran: true, state };
  // Something wrote the task between our read and our write; report what it is now.
  return { ran: false, state: String((await ref.get()).get("state")) };
}

/** Callable `retryTasks({ filter })` → `{ retried, skipped, errors, complete }`. */
export async function handleRetryTasks(request: CallableRequest<unknown>): Promise<RetryTasksResult> {
  const uid = requireAdmin(request, "retryTasks");
  const filter = parseFilter((request.data as { filter?: unknown } | null)?.filter);
  const started = Date.now();
  const result = await retryFailedTasks(filter, uid);
  adminLog.retried(uid, filter, result, Date.now() - started);
  return result;
}

/** Callable `runTaskNow({ path })` → `{ ran, state }`. */
export async function handleRunTaskNow(request: CallableRequest<unknown>): Promise<RunNowResult> {
  const uid = requireAdmin(request, "runTaskNow");
  const path = (request.data as { path?: unknown } | null)?.path;
  if (!isQueueTaskPath(path)) {
    throw new HttpsError("invalid-argument", "`path` must be a task path: {collection}/{parentId}/tasks/{taskId}.");
  }
  const result = await runTaskNow(path);
  adminLog.ranNow(uid, path, result.ran, result.state);
  return result;
}
