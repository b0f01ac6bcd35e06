// Enqueuing from server code: a handler chaining follow-up work (`ctx.enqueue`), a callable function, a script.
// The server may enqueue any registered handler, client-enqueueable or not; the security rules only govern clients.
// `data` is checked against the handler's schema before anything is written.
import { FieldValue, Timestamp, type DocumentReference, type DocumentSnapshot } from "firebase-admin/firestore";
import { PermanentError } from "../model/errors";
import { DEDUP, MAX_PARENT_DEPTH } from "../config";
import { TASKS_COLLECTION, isQueueParentPath, isQueueTaskPath } from "../model/task";
import { hashId } from "./ids";
import { dedupKeyProblem, dedupLockRef, dedupSecondsProblem, isHeld, isLive, lockFields } from "./dedup-lock";
import { taskLog } from "../logs";
import { taskShard } from "../model/index-shard";
import { isAlreadyExists, isPreconditionFailure } from "./status-codes";
import { checkData } from "../model/schema";
import type { ServerTaskRequest } from "../model/request";
import type { Registry } from "../model/handler";

export interface EnqueueOptions {
  /**
   * The task's document id. With an id, enqueuing is idempotent: if server code already enqueued a task of the same
   * handler there, nothing is written and its reference is returned. An id taken by anything else (a client's task,
   * another handler's) is an error: `enqueue/id-taken`.
   */
  id?: string;
  /** Path of the task whose handler enqueued this one (recorded as `enqueuedBy`, for tracing chains). */
  enqueuedBy?: string;
  /**
   * Deduplication: while a task of the same handler under the same parent with this key is live (`scheduled` or
   * `running`), or within `dedupSeconds` of its enqueue, nothing is written and that task's reference is returned.
   * 1 to 200 characters. With a handler's `debounceSeconds`, the burst runs once instead (see HandlerOptions).
   */
  dedupKey?: string;
  /** With `dedupKey`: the key stays taken this long after the enqueue, even once the task ended. Default 0. */
  dedupSeconds?: number;
}

/** The errors enqueueTask throws for a request it cannot honour; PermanentErrors, since trying again cannot help. */
export const ENQUEUE_ERROR_CODES = {
  /** The parent is deeper than MAX_PARENT_DEPTH, or the id is not one path segment: the task would never run. */
  unsupportedParent: "enqueue/unsupported-parent",
  /** The id is taken by a task server code did not enqueue, or by another handler's task. */
  idTaken: "enqueue/id-taken",
  /** `data` does not fit the handler's schema: the message names the first bad field. */
  invalidData: "enqueue/invalid-data",
  /** `dedupKey` or `dedupSeconds` out of bounds. */
  invalidDedup: "enqueue/invalid-dedup",
  /** A fan-out of no children or more than `FANOUT.maxChildren`, or a retried one that differs from the first. */
  invalidFanOut: "enqueue/invalid-fan-out",
} as const;

let registered: Registry | undefined;

/**
 * The application's handlers, whose schemas `enqueueTask` and `ctx.enqueue` check `data` against: the runtime side
 * of `Register` (functions/src/handlers/index.ts calls it). Enqueuing before it is called is an error, not a write
 * nobody checked.
 */
export function registerHandlers(registry: Registry): void {
  registered = registry;
}

/** Throws, writing nothing, when `data` does not fit the schema of the handler at `type`/`action`. */
export async function checkRequestData(type: string, action: string, data: object): Promise<void> {
  if (!registered) {
    throw new Error(
      `cannot enqueue ${type}.${action}: no handlers registered; import the module that calls registerHandlers ` +
        "(functions/src/handlers) first, so data is checked against their schemas",
    );
  }
  const schema = registered.resolve(type, action)?.schema;
  if (!schema) return; // no schema, or no such handler: the engine fails the task with handler/not-found
  const check = await checkData(schema, data);
  if (check.problem !== undefined) {
    throw new PermanentError(`cannot enqueue ${type}.${action}: ${check.problem}`, ENQUEUE_ERROR_CODES.invalidData);
  }
}

/** The error for a parent the queue does not serve (`what`: "enqueue demo.noop", "fan out"). */
export function unsupportedParent(what: string, parentPath: string): PermanentError {
  return new PermanentError(
    `cannot ${what} under ${parentPath}: tasks run only under a document at depth 1 to ${MAX_PARENT_DEPTH} ` +
      "(such as orders/o-1 or users/u/orders/o-1); a task under a deeper document would never run",
    ENQUEUE_ERROR_CODES.unsupportedParent,
  );
}

/**
 * Writes a `scheduled` task under `parent` (its `tasks` sub-collection) and returns its reference. `parent` must be
 * a document at depth 1 to MAX_PARENT_DEPTH (`orders/o-1`, `users/u/orders/o-1`): the trigger watches nothing deeper.
 */
export async function enqueueTask(
  parent: DocumentReference,
  request: ServerTaskRequest,
  options: EnqueueOptions = {},
): Promise<DocumentReference> {
  return (await createTask(parent, request, options)).ref;
}

export interface CreateTaskOptions extends EnqueueOptions {
  /** More fields for the new task (a schedule's `schedule` and `slot`); the task's own fields win over them. */
  fields?: Record<string, unknown>;
}

/**
 * `enqueueTask`, telling whether this call wrote the task (`created`) or found the same enqueue done before at
 * `options.id` (`created: false`); the engine's own enqueues (a schedule's slots) count the two apart.
 */
export async function createTask(
  parent: DocumentReference,
  request: ServerTaskRequest,
  options: CreateTaskOptions = {},
): Promise<{ ref: DocumentReference; created: boolean }> {
  const { type, action, data } = request as { type: string; action: string; data?: object };
  if (!isQueueParentPath(parent.path)) throw unsupportedParent(`enqueue ${type}.${action}`, parent.path);
  if (
    options.id &&
    (options.id.includes("/") || !isQueueTaskPath(`${parent.path}/${TASKS_COLLECTION}/${options.id}`))
  ) {
    throw new PermanentError(
      `cannot enqueue ${type}.${action} with id "${options.id}": a task id is one path segment, ` +
        `tasks run only at {parent}/${TASKS_COLLECTION}/{taskId}`,
      ENQUEUE_ERROR_CODES.unsupportedParent,
    );
  }
  const dedupProblem =
    options.dedupKey === undefined
      ? undefined
      : (dedupKeyProblem(options.dedupKey) ?? dedupSecondsProblem("dedupSeconds", options.dedupSeconds ?? 0));
  if (dedupProblem) {
    throw new PermanentError(`cannot enqueue ${type}.${action}: ${dedupProblem}`, ENQUEUE_ERROR_CODES.invalidDedup);
  }
  await checkRequestData(type, action, data ?? {});
  const tasks = parent.collection(TASKS_COLLECTION);
  const ref = options.id ? tasks.doc(options.id) : tasks.doc();
  const task = newTaskDocument(ref.id, request, options);
  if (options.dedupKey !== undefined) {
    const done = await createDeduplicated(ref, task, { type, action, key: options.dedupKey }, options);
    if (done) return done;
  }
  try {
    await ref.create(task);
    return { ref, created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  // The id is taken. It is this enqueue, done before (a retried attempt, a script run twice), only if server code
  // wrote it for the same handler; a client can create a task at a predictable id first, with data of its choosing.
  const existing = await ref.get();
  // The engine never deletes a task, but someone with the admin SDK may have: the create may be tried again.
  if (!existing.exists) throw new Error(`cannot enqueue ${type}.${action} at ${ref.path}: try again, it was deleted`);
  const clash = clashWith(existing, `${type}.${action}`);
  if (clash) {
    throw new PermanentError(
      `cannot enqueue ${type}.${action} at ${ref.path}: the id is taken by ${clash}`,
      ENQUEUE_ERROR_CODES.idTaken,
    );
  }
  return { ref, created: false };
}

/**
 * Writes `task` at `ref` together with the lock of its key, or finds the key held and returns the task that holds
 * it (`created: false`). A debounced handler's enqueue within a window supersedes the window's task instead: the new
 * task, due at the window's end, takes the lock, and the one it replaces ends `cancelled` when it comes due. Each
 * try is one batch whose lock write is conditioned on the lock as read, so of concurrent enqueues of a key exactly
 * one takes it. Undefined when `ref`'s id is taken (a retried `ctx.enqueue`): the caller checks whose task it is.
 */
async function createDeduplicated(
  ref: DocumentReference,
  task: Record<string, unknown>,
  request: { type: string; action: string; key: string },
  options: EnqueueOptions,
): Promise<{ ref: DocumentReference; created: boolean } | undefined> {
  const db = ref.firestore;
  const lockRef = dedupLockRef(
    db,
    (ref.parent.parent as DocumentReference).path,
    request.type,
    request.action,
    request.key,
  );
  const debounceSeconds = registered?.resolve(request.type, request.action)?.options.debounceSeconds ?? 0;
  task.dedupKey = request.key;
  if (options.id && (await ref.get()).exists) return undefined;
  for (let attempt = 1; attempt <= DEDUP.acquireAttempts; attempt++) {
    const now = Timestamp.now();
    const lock = await lockRef.get();
    const holderPath = lock.get("task");
    const holder = typeof holderPath === "string" ? await db.doc(holderPath).get() : undefined;
    const times: { expiresAt?: Timestamp; windowEndsAt?: Timestamp } = {};
    const written = { ...task };
    if (options.dedupSeconds) times.expiresAt = Timestamp.fromMillis(now.toMillis() + options.dedupSeconds * 1000);
    let lockUpdate: Record<string, unknown> | undefined;
    if (debounceSeconds > 0 && isLive(holder) && holder?.get("state") === "scheduled" && lock.get("windowEndsAt")) {
      // Within the window: this task replaces the window's task, and runs at the window's end in its place.
      written.runAt = lock.get("windowEndsAt");
      lockUpdate = { task: ref.path };
    } else if (debounceSeconds > 0) {
      // A new window (the key was free, or its task is already running: this burst runs after it).
      const requested = written.runAt instanceof Timestamp ? written.runAt.toMillis() : 0;
      times.windowEndsAt = Timestamp.fromMillis(Math.max(requested, now.toMillis() + debounceSeconds * 1000));
      written.runAt = times.windowEndsAt;
    } else if (typeof holderPath === "string" && isHeld(lock, holder, now)) {
      taskLog.deduplicated(request.key, holderPath);
      return { ref: db.doc(holderPath), created: false };
    }
    const batch = db.batch().create(ref, written);
    const fields = lockUpdate ?? lockFields(ref.path, request, times);
    if (!lock.exists) {
      batch.create(lockRef, Object.fromEntries(Object.entries(fields).filter(([, v]) => !isDelete(v))));
    } else {
      batch.update(lockRef, fields, { lastUpdateTime: lock.updateTime as Timestamp });
    }
    try {
      await batch.commit();
      return { ref, created: true };
    } catch (error) {
      // Another enqueue changed the lock first (or took the id): read again and decide again.
      if (!isAlreadyExists(error) && !isPreconditionFailure(error)) throw error;
      if (options.id && (await ref.get()).exists) return undefined;
    }
  }
  throw new Error(`cannot enqueue ${request.type}.${request.action}: its dedup lock kept changing; try again`);
}

const isDelete = (value: unknown) => value instanceof FieldValue && value.isEqual(FieldValue.delete());

/**
 * The document a server enqueue creates with id `taskId`: `options.fields`, then the request's fields,
 * `state: "scheduled"`, the server's `createdAt` and `runAt` (the create's time when the request has none), the
 * index shard of its id, and `enqueuedBy`.
 */
export function newTaskDocument(
  taskId: string,
  request: ServerTaskRequest,
  options: CreateTaskOptions = {},
): Record<string, unknown> {
  const { type, action, data, runAt } = request as { type: string; action: string; data?: object; runAt?: unknown };
  const task: Record<string, unknown> = {
    ...options.fields,
    type,
    action,
    state: "scheduled",
    data: data ?? {},
    createdAt: FieldValue.serverTimestamp(),
    shard: taskShard(taskId),
  };
  if (runAt instanceof Date) task.runAt = Timestamp.fromDate(runAt);
  else if (runAt !== undefined) task.runAt = runAt;
  // Due now: written anyway, so the sweeper's overdue query (on `runAt`) sees the task if its event is lost.
  else task.runAt = FieldValue.serverTimestamp();
  if (options.enqueuedBy) task.enqueuedBy = options.enqueuedBy;
  return task;
}

/**
 * Why the task found at an enqueue's id is not that enqueue, or undefined when it is. Every client create carries
 * `createdBy` (the rules force it, and let no client write `enqueuedBy`); server code never writes it. `data` is not
 * compared: Firestore does not store it as given (a Date becomes a Timestamp, `serverTimestamp()` a time).
 */
export function clashWith(existing: DocumentSnapshot, address: string): string | undefined {
  const createdBy = existing.get("createdBy");
  if (createdBy !== undefined) return `a task not enqueued by server code (created by ${JSON.stringify(createdBy)})`;
  const found = `${existing.get("type")}.${existing.get("action")}`;
  if (found !== address) return `a ${found} task`;
  return undefined;
}

/**
 * The id of the `n`-th task enqueued by the handler of `taskPath`, for handler `address`. The same on every attempt
 * of that task, so an attempt that enqueued follow-ups and then failed does not enqueue them again when it is
 * retried; the address is part of it, so a retry that enqueues something else instead is not mistaken for it.
 */
export function followUpTaskId(taskPath: string, n: number, address: string): string {
  return hashId(`${taskPath}#${n}#${address}`, 20);
}
