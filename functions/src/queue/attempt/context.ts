// What a handler receives besides its data: where the task lives, which attempt this is, a key that stays the
// same across attempts (for idempotent side effects), a logger, a progress reporter, a cancellation signal and
// `enqueue` for follow-up tasks.
import { FieldValue, type DocumentReference } from "firebase-admin/firestore";
import { handlerLogger } from "../logs";
import { hashId } from "../store/ids";
import type { FencedWriter } from "../store/fenced-writer";
import { enqueueTask, followUpTaskId } from "../store/enqueue-task";
import type { TaskContext } from "../model/handler";

function idempotencyKeyFor(taskPath: string): string {
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
