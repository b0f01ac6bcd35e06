// What a handler receives besides its data: where the task lives, which attempt this is, a key that stays the
// same across attempts (for idempotent side effects), a logger, a progress reporter, a cancellation signal,
// `enqueue` for follow-up tasks, `fanOut` for a group of them, and a continuation's `fanIn`.
import { FieldValue, type DocumentReference } from "firebase-admin/firestore";
import { handlerLogger } from "../logs";
import { LIMITS } from "../config";
import { hashId } from "../store/ids";
import type { FencedWriter } from "../store/fenced-writer";
import { enqueueTask, followUpTaskId } from "../store/enqueue-task";
import type { TaskContext } from "../model/handler";
import { fanInOf } from "../groups/fan-in";
import { fanOut, groupId } from "../groups/fan-out";

function idempotencyKeyFor(taskPath: string): string {
  return hashId(taskPath);
}

/** A caller that waited out the interval with a timer may wake this much early (timers run on a cached clock). */
const EARLY_TIMER_MS = 5;

/**
 * `ctx.progress`, coalesced: at most one write per `LIMITS.progressIntervalMs`, the last value reported in between
 * winning. A call that writes at once resolves after its write; a call whose value waits for the next write, or
 * repeats the value written, resolves at once. So a handler reporting in a tight loop costs a write a second, and its
 * outcome never queues behind progress writes (the outcome drops a pending one: store/fenced-writer.ts). A write
 * refused because somebody else wrote the task aborts `ctx.signal`: the lease is lost.
 */
function progressReporter(writer: FencedWriter, controller: AbortController): (percent: number) => Promise<void> {
  let pending: number | undefined; // the latest value, not written yet
  let last: number | undefined; // the last value sent
  let nextWriteAt = 0;
  let timer: NodeJS.Timeout | undefined;

  const write = async (): Promise<void> => {
    timer = undefined;
    if (pending === undefined || writer.ending || controller.signal.aborted) return;
    const value = pending;
    pending = undefined;
    if (value === last) return;
    last = value;
    nextWriteAt = Date.now() + LIMITS.progressIntervalMs;
    const written = await writer.update({ progress: value, updatedAt: FieldValue.serverTimestamp() });
    if (!written && !writer.ending) controller.abort(new Error("lease lost"));
  };

  return async (percent: number) => {
    const value = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
    if (timer === undefined && value === last) return; // nothing new to write
    pending = value;
    if (timer !== undefined) return; // the write already scheduled takes this value
    const wait = nextWriteAt - Date.now();
    if (wait <= EARLY_TIMER_MS) return write();
    // Nobody awaits a deferred write: its failure is the outcome write's to meet (it is retried, or recorded).
    timer = setTimeout(() => write().catch(() => undefined), wait);
    timer.unref(); // a write the attempt no longer needs keeps nothing alive
  };
}

export function createContext(args: {
  writer: FencedWriter;
  attempt: number;
  maxAttempts: number;
  createdBy?: unknown;
  /** The task's `fanIn` field: a continuation's group counts. */
  fanIn?: unknown;
  controller: AbortController;
}): TaskContext {
  const { writer, attempt, maxAttempts, controller } = args;
  const taskRef = writer.ref;
  const parentRef = taskRef.parent.parent as DocumentReference;
  let enqueued = 0;
  let fannedOut = 0;
  return {
    taskRef,
    parentRef,
    params: {
      collection: parentRef.parent.id,
      parentId: parentRef.id,
      taskId: taskRef.id,
      parentPath: parentRef.path,
      depth: parentRef.path.split("/").length / 2,
    },
    attempt,
    maxAttempts,
    idempotencyKey: idempotencyKeyFor(taskRef.path),
    createdBy: typeof args.createdBy === "string" ? args.createdBy : undefined,
    logger: handlerLogger(taskRef.path, attempt),
    signal: controller.signal,
    progress: progressReporter(writer, controller),
    enqueue(request, options = {}) {
      const id = options.id ?? followUpTaskId(taskRef.path, enqueued++, `${request.type}.${request.action}`);
      const { dedupKey, dedupSeconds } = options;
      return enqueueTask(options.parent ?? parentRef, request, {
        id,
        enqueuedBy: taskRef.path,
        dedupKey,
        dedupSeconds,
      });
    },
    fanOut(children, options) {
      const group = groupId(taskRef.path, fannedOut++);
      return fanOut(taskRef.path, group, options.parent ?? parentRef, children, options);
    },
    fanIn: fanInOf(args.fanIn),
  };
}
