// The client library apps use to enqueue and follow tasks (Firebase JS SDK, modular). It writes exactly the
// fields the security rules accept, so an app never has to know them, and checks `data` against the handler's
// schema first. Runs in the browser and in Node; imports from the engine only types and import-free modules, and
// from the handlers only their schemas. Usage: README, "Writing tasks from your app".
import { getAuth } from "firebase/auth";
import {
  Timestamp,
  collection,
  doc,
  onSnapshot,
  serverTimestamp,
  setDoc,
  updateDoc,
  runTransaction,
  type DocumentData,
  type DocumentReference,
  type FirestoreError,
  type Transaction,
  type Unsubscribe,
  type WriteBatch,
} from "firebase/firestore";
import type { Handlers } from "../handlers";
import { taskSchemas } from "../handlers/schemas";
import type { CLIENT_LOCK_FIELDS, CLIENT_TASK_FIELDS, TaskRequest } from "../queue/model/request";
import { dedupLockId } from "../queue/model/dedup-key";
import { DEDUP } from "../queue/config";
import type { TaskDocument, TaskState } from "../queue/model/task";
import { checkData, schemaAt, type DataCheck, type StandardSchemaV1 } from "../queue/model/schema";
import { taskShard } from "../queue/model/index-shard";

export { MAX_DATA_KEYS, MAX_RUN_AT_DAYS } from "../queue/config";

/** A task to enqueue from an app: `data` is checked against the handler that `type`/`action` name. */
export type ClientTaskRequest<H = Handlers> = TaskRequest<H, Date | Timestamp>;

export type { TaskState };

/** A task document as an app reads it (docs/design.md, "Data model"), with its id and path. */
export interface TaskView extends TaskDocument<Timestamp> {
  id: string;
  path: string;
}

export const FINAL_STATES: readonly TaskState[] = ["completed", "failed", "cancelled"];

export interface ClientEnqueueOptions {
  /** The signed-in user's uid (the rules require `createdBy == request.auth.uid`); defaults to Firebase Auth's. */
  uid?: string;
  /** A document id for the task; by default Firestore picks one. */
  id?: string;
  /**
   * Deduplication: the task is written together with the lock of this key (1 to 200 characters), in one batch.
   * While a task of the same handler under the same parent with this key is `scheduled` or `running`, or within
   * `dedupSeconds` of its enqueue, the security rules refuse the write: `permission-denied`, nothing written.
   */
  dedupKey?: string;
  /** With `dedupKey`: the key stays taken this long after the enqueue (by this client's clock), even once the task ended. */
  dedupSeconds?: number;
}

/**
 * Thrown, before anything is written, when `data` does not fit the handler's schema. The message names the first
 * bad field (`data.items[2].sku: ...`); `issues` holds every problem, for a form to show next to its fields.
 */
export class TaskDataError extends Error {
  readonly code = "enqueue/invalid-data";
  constructor(
    message: string,
    readonly issues: readonly StandardSchemaV1.Issue[],
  ) {
    super(message);
    this.name = "TaskDataError";
  }
}

/** The check of `data` against the schema of the handler at `type`/`action`; none without a schema. */
function checkRequest(request: { type: string; action: string; data?: object }): DataCheck | Promise<DataCheck> {
  const schema = schemaAt(taskSchemas, request.type, request.action);
  return schema ? checkData(schema, request.data ?? {}) : { value: request.data };
}

function throwIfInvalid(request: { type: string; action: string }, check: DataCheck): void {
  if (check.problem !== undefined) {
    throw new TaskDataError(`cannot enqueue ${request.type}.${request.action}: ${check.problem}`, check.issues);
  }
}

/** A write that can carry a task: a `WriteBatch` or a `Transaction`. */
export type TaskWriter = WriteBatch | Transaction;

function currentUid(ref: DocumentReference, uid: string | undefined): string {
  const found = uid ?? getAuth(ref.firestore.app).currentUser?.uid;
  if (!found) throw new Error("enqueueTask: sign in first (the security rules only accept tasks from signed-in users)");
  return found;
}

function taskRefUnder(parent: DocumentReference, id: string | undefined): DocumentReference {
  const tasks = collection(parent, "tasks");
  return id ? doc(tasks, id) : doc(tasks);
}

/** The task document exactly as the security rules accept it on create. */
export function taskFields<H = Handlers>(
  request: ClientTaskRequest<H>,
  uid: string,
  taskId: string,
  dedupKey?: string,
): DocumentData {
  const { type, action, data, runAt } = request as { type: string; action: string; data?: object; runAt?: unknown };
  // Typed by the engine's list of client fields, so the library cannot write a field the security rules refuse.
  const fields: { [field in (typeof CLIENT_TASK_FIELDS)[number]]?: unknown } = {
    type,
    action,
    state: "scheduled",
    data: data ?? {},
    createdAt: serverTimestamp(),
    createdBy: uid,
    // Its index shard, from the id: the sharded queries (docs/scale.md) find it from its first write on.
    shard: taskShard(taskId),
  };
  if (runAt instanceof Date) fields.runAt = Timestamp.fromDate(runAt);
  else if (runAt !== undefined) fields.runAt = runAt;
  // Due now: written anyway, so the sweeper's overdue query (on `runAt`) sees the task if its event is lost.
  else fields.runAt = serverTimestamp();
  if (dedupKey !== undefined) fields.dedupKey = dedupKey;
  return fields;
}

/** The dedup lock of a task with `options.dedupKey`, exactly as the security rules accept it with the task. */
export function lockFields(
  task: DocumentReference,
  request: { type: string; action: string },
  options: ClientEnqueueOptions,
): DocumentData {
  const fields: { [field in (typeof CLIENT_LOCK_FIELDS)[number]]?: unknown } = {
    task: task.path,
    type: request.type,
    action: request.action,
    key: options.dedupKey,
    createdAt: serverTimestamp(),
  };
  if (options.dedupSeconds) fields.expiresAt = Timestamp.fromMillis(Date.now() + options.dedupSeconds * 1000);
  return fields;
}

function checkDedup(options: ClientEnqueueOptions): void {
  const { dedupKey, dedupSeconds = 0 } = options;
  if (dedupKey === undefined) return;
  if (typeof dedupKey !== "string" || dedupKey.length === 0 || dedupKey.length > DEDUP.keyMaxChars) {
    throw new TypeError(
      `dedupKey must be a string of 1 to ${DEDUP.keyMaxChars} characters, got ${JSON.stringify(dedupKey)}`,
    );
  }
  if (typeof dedupSeconds !== "number" || !(dedupSeconds >= 0 && dedupSeconds <= DEDUP.maxSeconds)) {
    throw new TypeError(
      `dedupSeconds must be a number from 0 to ${DEDUP.maxSeconds}, got ${JSON.stringify(dedupSeconds)}`,
    );
  }
}

/**
 * Writes the task together with the lock of its key, in a transaction: the lock is read first, so the commit carries
 * the lock's version as read (or its absence) as a precondition, and of concurrent enqueues of one key exactly one
 * commits. The rules refuse the lock write when the key is held: `permission-denied`.
 */
async function enqueueDeduplicated(
  ref: DocumentReference,
  request: { type: string; action: string },
  fields: DocumentData,
  options: ClientEnqueueOptions & { dedupKey: string },
): Promise<void> {
  const parent = ref.parent.parent as DocumentReference;
  const lockId = dedupLockId(parent.path, request.type, request.action, options.dedupKey);
  const lockRef = doc(ref.firestore, DEDUP.locksCollection, lockId);
  await runTransaction(ref.firestore, async (transaction) => {
    await transaction.get(lockRef);
    // set, not create: the rules take it as a create, or as the takeover of a lock that is free.
    transaction.set(ref, fields).set(lockRef, lockFields(ref, request, options));
  });
}

/**
 * Enqueues a task under `parent` (a document the signed-in user owns: `parent.ownerId == uid`) and resolves
 * with its reference once Firestore accepted it. Rejects with a `TaskDataError` when `data` does not fit the
 * handler's schema (nothing is written), and with `permission-denied` when the rules refuse it.
 */
export async function enqueueTask<H = Handlers>(
  parent: DocumentReference,
  request: ClientTaskRequest<H>,
  options: ClientEnqueueOptions = {},
): Promise<DocumentReference> {
  const untyped = request as { type: string; action: string; data?: object };
  checkDedup(options);
  throwIfInvalid(untyped, await checkRequest(untyped));
  const ref = taskRefUnder(parent, options.id);
  const fields = taskFields(request, currentUid(parent, options.uid), ref.id, options.dedupKey);
  if (options.dedupKey === undefined) {
    await setDoc(ref, fields);
    return ref;
  }
  await enqueueDeduplicated(ref, untyped, fields, { ...options, dedupKey: options.dedupKey });
  return ref;
}

/**
 * Adds a task to the caller's batch or transaction, so it commits together with the caller's own writes (the
 * outbox pattern: the order and its confirmation email task, or neither). The parent may be created in the same
 * batch. Returns the task's reference; nothing is written until the caller commits. Throws a `TaskDataError`,
 * adding nothing, when `data` does not fit the handler's schema (which must check synchronously, as zod does
 * without async refinements). No `dedupKey` here: a deduplicated enqueue is its own transaction (`enqueueTask`).
 */
export function enqueueTaskIn<H = Handlers>(
  writer: TaskWriter,
  parent: DocumentReference,
  request: ClientTaskRequest<H>,
  options: Omit<ClientEnqueueOptions, "dedupKey" | "dedupSeconds"> = {},
): DocumentReference {
  if ((options as ClientEnqueueOptions).dedupKey !== undefined) {
    // A deduplicated enqueue reads the key's lock first; a batch cannot, and a transaction is the caller's.
    throw new TypeError("enqueueTaskIn does not take a dedupKey: use enqueueTask");
  }
  const untyped = request as { type: string; action: string; data?: object };
  const check = checkRequest(untyped);
  if (check instanceof Promise) {
    check.catch(() => undefined); // not awaited: its outcome cannot matter any more
    throw new TypeError(
      `enqueueTaskIn: the schema of ${untyped.type}.${untyped.action} checks asynchronously; use enqueueTask, ` +
        "or a schema without async refinements",
    );
  }
  throwIfInvalid(untyped, check);
  const ref = taskRefUnder(parent, options.id);
  const fields = taskFields(request, currentUid(parent, options.uid), ref.id);
  // Both have set(ref, data); the cast only picks one of their identical overload sets.
  (writer as WriteBatch).set(ref, fields);
  return ref;
}

function toView(ref: DocumentReference, data: DocumentData): TaskView {
  return { ...(data as Omit<TaskView, "id" | "path">), id: ref.id, path: ref.path };
}

/**
 * Calls `onChange` with the task now and on every change (state, progress, result, error); `undefined` when the
 * task does not exist. Returns the function that stops watching.
 */
export function watchTask(
  ref: DocumentReference,
  onChange: (task: TaskView | undefined) => void,
  onError?: (error: FirestoreError) => void,
): Unsubscribe {
  return onSnapshot(ref, (snap) => onChange(snap.exists() ? toView(ref, snap.data()) : undefined), onError);
}

/** Resolves with the task once it reaches one of `states` (by default a final one). */
export function waitForTask(
  ref: DocumentReference,
  { states = FINAL_STATES, timeoutMs = 60_000 }: { states?: readonly TaskState[]; timeoutMs?: number } = {},
): Promise<TaskView> {
  return new Promise((resolve, reject) => {
    let last: TaskView | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      unsubscribe();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${ref.path} did not reach ${states.join("|")} within ${timeoutMs} ms (last: ${last?.state})`));
    }, timeoutMs);
    const unsubscribe = watchTask(
      ref,
      (task) => {
        last = task;
        if (task && states.includes(task.state)) {
          stop();
          resolve(task);
        }
      },
      (error) => {
        stop();
        reject(error);
      },
    );
  });
}

/**
 * Admins only: puts a `failed` task back to `scheduled` (optionally at `runAt`), recording who and when. The
 * rules refuse it unless the task is still `failed` when the write lands, so two admins cannot retry it twice.
 */
export async function retryTask(
  ref: DocumentReference,
  options: { runAt?: Date | Timestamp; uid?: string } = {},
): Promise<void> {
  const update: DocumentData = {
    state: "scheduled",
    retriedBy: currentUid(ref, options.uid),
    retriedAt: serverTimestamp(),
  };
  if (options.runAt) update.runAt = options.runAt instanceof Date ? Timestamp.fromDate(options.runAt) : options.runAt;
  await updateDoc(ref, update);
}

/**
 * Admins only: cancels a task that is still `scheduled` when the write lands, recording who and when. A client write
 * cannot know the handler's retention, so the task gets no `expireAt` and is kept: the admin page's cancel (the
 * `cancelTasks` callable) sets it.
 */
export async function cancelTask(ref: DocumentReference, options: { uid?: string } = {}): Promise<void> {
  await updateDoc(ref, {
    state: "cancelled",
    cancelledBy: currentUid(ref, options.uid),
    cancelledAt: serverTimestamp(),
  });
}
