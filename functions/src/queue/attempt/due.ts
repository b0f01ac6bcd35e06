// When a task is due: its `runAt`, compared with the clock or with the commit time of the write that set it.
import { Timestamp } from "firebase-admin/firestore";

/**
 * Is the task due? A `runAt` no later than now, or than the write that set it (`serverTimestamp()`: "now" in the
 * database's clock, which may run a little ahead of this worker's), is due.
 */
export function isDue(task: { runAt?: unknown }, writeTime: Timestamp | undefined, now = Date.now()): boolean {
  return runAtMillis(task) <= Math.max(now, writeTime?.toMillis() ?? 0);
}

/** `runAt` as milliseconds; a task without one (or with a malformed one) is due at once. */
export function runAtMillis(task: { runAt?: unknown }): number {
  return task.runAt instanceof Timestamp ? task.runAt.toMillis() : 0;
}
