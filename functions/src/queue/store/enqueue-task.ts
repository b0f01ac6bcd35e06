// Enqueuing from server code: a handler chaining follow-up work (`ctx.enqueue`), a callable function, a script.
// The server may enqueue any registered handler, client-enqueueable or not; the security rules only govern clients.
import { FieldValue, Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { TASKS_COLLECTION } from "../model/task";
import { hashId } from "./ids";
import { isAlreadyExists } from "./status-codes";
import type { ServerTaskRequest } from "../model/request";

export interface EnqueueOptions {
  /**
   * The task's document id. With an id, enqueuing is idempotent: if that task already exists, nothing is written
   * and its reference is returned.
   */
  id?: string;
  /** Path of the task whose handler enqueued this one (recorded as `enqueuedBy`, for tracing chains). */
  enqueuedBy?: string;
}

/** Writes a `scheduled` task under `parent` (its `tasks` sub-collection) and returns its reference. */
export async function enqueueTask(
  parent: DocumentReference,
  request: ServerTaskRequest,
  options: EnqueueOptions = {},
): Promise<DocumentReference> {
  const tasks = parent.collection(TASKS_COLLECTION);
  const ref = options.id ? tasks.doc(options.id) : tasks.doc();
  const { type, action, data, runAt } = request as { type: string; action: string; data?: object; runAt?: unknown };
  const task: Record<string, unknown> = {
    type,
    action,
    state: "scheduled",
    data: data ?? {},
    createdAt: FieldValue.serverTimestamp(),
  };
  if (runAt instanceof Date) task.runAt = Timestamp.fromDate(runAt);
  else if (runAt !== undefined) task.runAt = runAt;
  // Due now: written anyway, so the sweeper's overdue query (on `runAt`) sees the task if its event is lost.
  else task.runAt = FieldValue.serverTimestamp();
  if (options.enqueuedBy) task.enqueuedBy = options.enqueuedBy;
  try {
    await ref.create(task);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  return ref;
}

/**
 * The id of the `n`-th task enqueued by the handler of `taskPath`, for handler `address`. The same on every attempt
 * of that task, so an attempt that enqueued follow-ups and then failed does not enqueue them again when it is
 * retried; the address is part of it, so a retry that enqueues something else instead is not mistaken for it.
 */
export function followUpTaskId(taskPath: string, n: number, address: string): string {
  return hashId(`${taskPath}#${n}#${address}`, 20);
}
