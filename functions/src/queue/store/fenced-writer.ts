// Fenced writes: after a claim, every write to the task carries the update time of our previous write as a
// precondition. If anything else wrote the task meanwhile (the sweeper recovering an expired lease, a newer
// attempt), Firestore rejects ours, so a worker that outlived its lease can never overwrite a newer outcome.
//
// An attempt's own writes (the claim, progress, the outcome) are also made sure: a transient error is tried again
// after a short backoff, and a lost precondition is checked against the task before it is taken for lost. A commit
// can land although its caller is told otherwise: the answer is lost (UNAVAILABLE, DEADLINE_EXCEEDED), and a retry of
// it, ours or the SDK's own (it retries commits on UNAVAILABLE), then fails its precondition because the first try
// moved the update time. If the task holds exactly what we wrote, the write is ours and its update time the new fence.
import {
  DocumentReference,
  FieldValue,
  GeoPoint,
  Timestamp,
  type DocumentSnapshot,
  type UpdateData,
} from "firebase-admin/firestore";
import { LIMITS } from "../config";
import { isPreconditionFailure, isTransient } from "./status-codes";
import { taskLog } from "../logs";
import { SHARD_FIELD, taskShard } from "../model/index-shard";

type Fields = UpdateData<FirebaseFirestore.DocumentData>;

/**
 * A write to another document that commits atomically with the task's conditioned update, or not at all: a fan-in
 * shard's counter (groups/fan-in.ts), merged into the document (`set` with `merge`, so it may create it), or the
 * dedup lock an ending task releases (store/dedup-lock.ts), deleted (`delete: true`; a missing document is no error).
 */
export type SideWrite =
  { ref: DocumentReference; data: Record<string, unknown> } | { ref: DocumentReference; delete: true };

/**
 * The task's update, conditioned on `lastUpdateTime`, with `also` in the same atomic batch; the task's write time.
 * Every one carries the task's index shard: a task written without one (by hand, in the console) is invisible to
 * the sharded queries until a write gives it one, and this way the engine's first write does, at no extra cost.
 */
async function commit(
  ref: DocumentReference,
  lastUpdateTime: Timestamp,
  unsharded: Fields,
  also: SideWrite[] = [],
): Promise<Timestamp> {
  const data = { ...unsharded, [SHARD_FIELD]: taskShard(ref.id) };
  if (also.length === 0) return (await ref.update(data, { lastUpdateTime })).writeTime;
  const batch = ref.firestore.batch().update(ref, data, { lastUpdateTime });
  for (const side of also) {
    if ("delete" in side) batch.delete(side.ref);
    else batch.set(side.ref, side.data, { merge: true });
  }
  return (await batch.commit())[0].writeTime;
}

/**
 * A compare-and-set update: commits only if the document was last written at `lastUpdateTime`.
 * Resolves to the new update time, or undefined when someone else wrote first.
 */
export async function updateIfUnchanged(
  ref: DocumentReference,
  lastUpdateTime: Timestamp,
  data: Fields,
  also?: SideWrite[],
): Promise<Timestamp | undefined> {
  try {
    return await commit(ref, lastUpdateTime, data, also);
  } catch (error) {
    if (isPreconditionFailure(error)) return undefined;
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `updateIfUnchanged` for an attempt's own writes. A transient error is tried again, up to `LIMITS.writeAttempts`
 * tries in all, `LIMITS.writeBackoffMs` doubling between them (then the last error is thrown). A lost precondition
 * reads the task: if it holds this very write (see `holdsWrite`), the write landed on an earlier try and its update
 * time is returned; otherwise someone else wrote first: undefined. `also` commits with the update, in one batch (a
 * fan-in count, the dedup lock an outcome releases): a batch found landed landed whole.
 */
export async function updateAsOurs(
  ref: DocumentReference,
  lastUpdateTime: Timestamp,
  data: Fields,
  leaseOwner?: string,
  also?: SideWrite[],
): Promise<Timestamp | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await commit(ref, lastUpdateTime, data, also);
    } catch (error) {
      if (isPreconditionFailure(error)) {
        const task = await readTask(ref);
        if (!holdsWrite(task, data, lastUpdateTime, leaseOwner)) return undefined;
        taskLog.writeRecognised(ref.path);
        return task.updateTime;
      }
      if (!isTransient(error) || attempt >= LIMITS.writeAttempts) throw error;
      taskLog.writeRetried(ref.path, (error as { code?: unknown }).code, attempt);
      await sleep(LIMITS.writeBackoffMs * 2 ** (attempt - 1));
    }
  }
}

async function readTask(ref: DocumentReference): Promise<DocumentSnapshot> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ref.get();
    } catch (error) {
      if (!isTransient(error) || attempt >= LIMITS.writeAttempts) throw error;
      await sleep(LIMITS.writeBackoffMs * 2 ** (attempt - 1));
    }
  }
}

const isDelete = (value: unknown) => value instanceof FieldValue && value.isEqual(FieldValue.delete());
const isServerTimestamp = (value: unknown) =>
  value instanceof FieldValue && value.isEqual(FieldValue.serverTimestamp());

/** Milliseconds: server timestamps have millisecond precision, update times microseconds. */
const millis = (time: Timestamp) => time.seconds * 1000 + Math.floor(time.nanoseconds / 1e6);

/**
 * Whether `task`, which was at version `since` when `data` was sent, now holds `data` as its last write: each deleted
 * field is gone; the server timestamps are one time (one request sets them all alike), after `since` and not after
 * the task's update time; every other field holds what was written; and, when `data` leaves the lease alone, the
 * lease is still `leaseOwner`'s (the sweeper deletes it, a newer claim replaces it). Anybody else who writes a task
 * changes something an attempt wrote (its state, lease, history or `runAt`), so their write leaves a task that does
 * not match.
 */
export function holdsWrite(
  task: DocumentSnapshot,
  data: Fields,
  since: Timestamp,
  leaseOwner?: string,
): task is DocumentSnapshot & { updateTime: Timestamp } {
  if (!task.exists || !task.updateTime) return false;
  const latest = millis(task.updateTime);
  let serverTime: number | undefined;
  const same = (actual: unknown, expected: unknown): boolean => {
    if (isDelete(expected)) return actual === undefined;
    if (isServerTimestamp(expected)) {
      if (!(actual instanceof Timestamp)) return false;
      serverTime ??= millis(actual);
      return millis(actual) === serverTime && serverTime >= millis(since) && serverTime <= latest;
    }
    if (expected instanceof Timestamp) return actual instanceof Timestamp && actual.isEqual(expected);
    if (expected instanceof Date) return actual instanceof Timestamp && actual.toMillis() === expected.getTime();
    if (expected instanceof GeoPoint || expected instanceof DocumentReference)
      return (expected as { isEqual(other: unknown): boolean }).isEqual(actual);
    if (expected instanceof FieldValue) return false; // a transform we cannot check
    if (Array.isArray(expected)) {
      return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
    }
    if (expected instanceof Uint8Array) {
      return actual instanceof Uint8Array && Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0;
    }
    if (typeof expected === "object" && expected !== null) {
      if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
      const entries = Object.entries(expected).filter(([, value]) => value !== undefined);
      const kept = entries.filter(([, value]) => !isDelete(value));
      return (
        Object.keys(actual).length === kept.length &&
        entries.every(([key, value]) => same((actual as Record<string, unknown>)[key], value))
      );
    }
    return actual === expected || Object.is(actual, expected);
  };
  for (const [path, value] of Object.entries(data as Record<string, unknown>)) {
    if (value !== undefined && !same(task.get(path), value)) return false;
  }
  if (leaseOwner && !("lease" in data) && task.get("lease.owner") !== leaseOwner) return false;
  return true;
}

export class FencedWriter {
  /** Somebody else wrote the task: every further write is refused. */
  private fenced = false;
  /** The attempt is over (close()). */
  private closed = false;
  /** The outcome has been sent: writes queued after it, or behind it and not started, are dropped. */
  private finishing = false;
  // Writes go out one after another: two writes in flight would carry the same precondition, and the one that
  // lost would wrongly take the lease for lost (a handler calling ctx.progress without awaiting it, say).
  private queue: Promise<unknown> = Promise.resolve();

  /** `leaseOwner`: the claim's lease, which every later write of the attempt expects to find (none on the express path). */
  constructor(
    readonly ref: DocumentReference,
    private lastUpdateTime: Timestamp,
    private readonly leaseOwner?: string,
  ) {}

  /**
   * Writes `data` if the task is still ours; false once anybody else has written it, or after close(). A `final`
   * write (the outcome) waits for the write in flight, if any, but drops those queued behind it, and every later
   * write but another final one (the outcome's fallback). `also` commits atomically with it (store/fenced-writer.ts).
   */
  update(data: Fields, options: { final?: boolean; also?: SideWrite[] } = {}): Promise<boolean> {
    if (options.final) this.finishing = true;
    const write = this.queue.then(async () => {
      if (this.fenced || this.closed || (this.finishing && !options.final)) return false;
      const writeTime = await updateAsOurs(this.ref, this.lastUpdateTime, data, this.leaseOwner, options.also);
      if (!writeTime) {
        this.fenced = true;
        return false;
      }
      this.lastUpdateTime = writeTime;
      return true;
    });
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** After the outcome is recorded the attempt is over: a handler still running in the background writes nothing. */
  close(): void {
    this.closed = true;
  }

  /** Whether the attempt's outcome is being written or was: a write refused now says nothing about the lease. */
  get ending(): boolean {
    return this.finishing || this.closed;
  }
}
