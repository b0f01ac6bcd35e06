// Dedup locks: at most one live task per parent, handler and `dedupKey`. A lock document at an id derived from the
// four (the security rules derive the same id) names the task that holds the key. It is written in one batch with
// that task, by server enqueues here and by clients through the rules, and is replaced only once it is free: its
// task is no longer live (`scheduled` or `running`: it ended, was cancelled or deleted by hand) and its `expiresAt`
// (the end of the enqueue's `dedupSeconds`) has passed. Freedom is read from the task, so a lock the engine could
// not release, or one left by an admin's cancel, never blocks a key: the next enqueue of the key replaces it.
// The engine deletes a lock in the commit of its task's outcome; a debounced handler's lock stays, naming the
// window's last task, so the tasks it superseded know it when they come due (one document per key, not per task).
import {
  FieldValue,
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
} from "firebase-admin/firestore";
import { DEDUP } from "../config";
import { taskLog } from "../logs";
import type { TaskState } from "../model/task";
import { dedupLockId } from "../model/dedup-key";

/** The states in which a task holds its key. */
export const LIVE_STATES: readonly TaskState[] = ["scheduled", "running"];

/** A lock document as stored (`_taskLocks/{id}`). */
export interface DedupLock {
  /** Path of the task that holds the key. */
  task: string;
  type: string;
  action: string;
  key: string;
  createdAt: Timestamp;
  /** The key stays taken until then even after the task ended (`dedupSeconds`). */
  expiresAt?: Timestamp;
  /** Debounced handlers: the end of the window, when the window's last task runs. */
  windowEndsAt?: Timestamp;
}

export function dedupLockRef(
  db: Firestore,
  parentPath: string,
  type: string,
  action: string,
  key: string,
): DocumentReference {
  return db.collection(DEDUP.locksCollection).doc(dedupLockId(parentPath, type, action, key));
}

/** Whether `lock` still holds its key at `now`, given its task as read (`holder`, undefined when deleted). */
export function isHeld(lock: DocumentSnapshot, holder: DocumentSnapshot | undefined, now: Timestamp): boolean {
  if (!lock.exists) return false;
  const expiresAt = lock.get("expiresAt");
  if (expiresAt instanceof Timestamp && expiresAt.toMillis() > now.toMillis()) return true;
  return isLive(holder);
}

export function isLive(task: DocumentSnapshot | undefined): boolean {
  return task !== undefined && task.exists && LIVE_STATES.includes(task.get("state"));
}

/** `key`'s checks, shared with the rules: a non-empty string of at most `DEDUP.keyMaxChars` characters. */
export function dedupKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string" || key.length === 0 || key.length > DEDUP.keyMaxChars) {
    return `dedupKey must be a string of 1 to ${DEDUP.keyMaxChars} characters, got ${JSON.stringify(key)}`;
  }
  return undefined;
}

/** `seconds` (dedupSeconds, debounceSeconds) checked: a number from 0 up to `DEDUP.maxSeconds`. */
export function dedupSecondsProblem(name: string, seconds: unknown): string | undefined {
  if (typeof seconds !== "number" || !(seconds >= 0 && seconds <= DEDUP.maxSeconds)) {
    return `${name} must be a number from 0 to ${DEDUP.maxSeconds}, got ${JSON.stringify(seconds)}`;
  }
  return undefined;
}

/**
 * The lock an ending task releases, to delete in the same commit as its outcome: its key's lock, if that names the
 * task and holds no `dedupSeconds` window still open. Undefined otherwise, and on a failed read (logged): a lock left
 * behind is free anyway (its task is not live), and the next enqueue of its key replaces it.
 *
 * The delete is not conditioned on the version read: while the task is live, nothing may replace its lock (the
 * rules and `enqueueTask` take only a free lock). Debounced handlers keep their locks (see run-attempt.ts).
 */
export async function lockToRelease(
  task: DocumentReference,
  fields: { type?: unknown; action?: unknown; dedupKey?: unknown },
): Promise<DocumentReference | undefined> {
  const { type, action, dedupKey } = fields;
  if (typeof dedupKey !== "string" || typeof type !== "string" || typeof action !== "string") return undefined;
  const parent = task.parent.parent;
  if (!parent) return undefined;
  try {
    const lockRef = dedupLockRef(task.firestore, parent.path, type, action, dedupKey);
    const lock = await lockRef.get();
    if (!lock.exists || lock.get("task") !== task.path) return undefined;
    const expiresAt = lock.get("expiresAt");
    if (expiresAt instanceof Timestamp && expiresAt.toMillis() > Date.now()) return undefined; // the window holds it
    return lockRef;
  } catch (error) {
    taskLog.lockReleaseFailed(task.path, String((error as Error)?.message ?? error));
    return undefined;
  }
}

/**
 * The task that holds the lock of a debounced task's key, or undefined when no lock names any (it was released):
 * a task that is not the holder was superseded by a later enqueue of its key.
 */
export async function dedupLockHolder(
  task: DocumentReference,
  fields: { type: string; action: string; dedupKey: string },
): Promise<string | undefined> {
  const parent = task.parent.parent as DocumentReference;
  const lock = await dedupLockRef(task.firestore, parent.path, fields.type, fields.action, fields.dedupKey).get();
  const holder = lock.get("task");
  return typeof holder === "string" ? holder : undefined;
}

/** The fields of a lock held by `taskPath`, as server code writes it. */
export function lockFields(
  taskPath: string,
  request: { type: string; action: string; key: string },
  times: { expiresAt?: Timestamp; windowEndsAt?: Timestamp },
): Record<string, unknown> {
  return {
    task: taskPath,
    type: request.type,
    action: request.action,
    key: request.key,
    createdAt: FieldValue.serverTimestamp(),
    expiresAt: times.expiresAt ?? FieldValue.delete(),
    windowEndsAt: times.windowEndsAt ?? FieldValue.delete(),
  };
}
