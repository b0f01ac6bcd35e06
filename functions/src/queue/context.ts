// What a handler receives besides its data: where the task lives, which attempt this is, a key that stays the
// same across attempts (for idempotent side effects), a logger, a progress reporter, a cancellation signal and
// `enqueue` for follow-up tasks.
import { FieldValue, type DocumentReference } from "firebase-admin/firestore";
import { handlerLogger, type HandlerLogger } from "./logs";
import { hashId } from "./ids";
import type { FencedWriter } from "./fenced-writer";
import { enqueueTask, followUpTaskId, type ServerTaskRequest } from "./enqueue";

export interface TaskContext {
  /** The task document. */
  readonly taskRef: DocumentReference;
  /** The document that owns the task (`orders/o-123` for `orders/o-123/tasks/t1`). */
  readonly parentRef: DocumentReference;
  readonly params: { collection: string; parentId: string; taskId: string };
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Stable across all attempts of this task: pass it to APIs that deduplicate (payments, email). */
  readonly idempotencyKey: string;
  /** The uid that created the task, when a client did. */
  readonly createdBy?: string;
  readonly logger: HandlerLogger;
  /** Aborted when the attempt times out or loses its lease: stop work and return. */
  readonly signal: AbortSignal;
  /** Records progress 0–100 on the task (a fenced write: ignored once the lease is lost). */
  progress(percent: number): Promise<void>;
  /**
   * Enqueues a follow-up task, by default under this task's parent. Typed from the handler registry; any handler
   * may be enqueued, client-enqueueable or not. Each call gets an id derived from this task and the call's order,
   * so a retried attempt that enqueues the same follow-ups in the same order does not enqueue them twice.
   */
  enqueue(
    request: ServerTaskRequest,
    options?: { parent?: DocumentReference; id?: string },
  ): Promise<DocumentReference>;
}

export function idempotencyKeyFor(taskPath: string): string {
  return hashId(taskPath);
}

export function createContext(args: {
  writer: FencedWriter;
  attempt: number;
  maxAttempts: number;
  createdBy?: unknown;
  controller: AbortController;
}): TaskContext {
  const { writer, attempt, maxAttempts, controller } = args;
  const taskRef = writer.ref;
  const parentRef = taskRef.parent.parent as DocumentReference;
  let enqueued = 0;
  return {
    taskRef,
    parentRef,
    params: { collection: parentRef.parent.id, parentId: parentRef.id, taskId: taskRef.id },
    attempt,
    maxAttempts,
    idempotencyKey: idempotencyKeyFor(taskRef.path),
    createdBy: typeof args.createdBy === "string" ? args.createdBy : undefined,
    logger: handlerLogger(taskRef.path, attempt),
    signal: controller.signal,
    async progress(percent: number) {
      const value = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
      const written = await writer.update({ progress: value, updatedAt: FieldValue.serverTimestamp() });
      if (!written) controller.abort(new Error("lease lost"));
    },
    enqueue(request, options = {}) {
      const id = options.id ?? followUpTaskId(taskRef.path, enqueued++, `${request.type}.${request.action}`);
      return enqueueTask(options.parent ?? parentRef, request, { id, enqueuedBy: taskRef.path });
    },
  };
}
