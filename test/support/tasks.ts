// Task fixtures for the suites and the bench: a fresh parent with a unique id, a task document with defaults that
// the caller overrides (as a client enqueues it, or as the engine leaves it in a given state), written with the
// admin SDK or returned as data; and waiting until a task reaches a state (live, with onSnapshot).
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
} from "firebase-admin/firestore";
import type { TaskState } from "../../functions/src/queue/model/task";
import { MAX_PARENT_DEPTH } from "../../functions/src/queue/config";
import { adminDb, uniqueId } from "./emulators";

/** A fresh parent document (an order owned by `owner-1`, unless `fields` say otherwise) so tests never share data. */
export async function newParent(collection = "orders", fields: DocumentData = {}): Promise<DocumentReference> {
  const ref = adminDb().collection(collection).doc(uniqueId(collection));
  await ref.set({ ownerId: "owner-1", customerEmail: "customer@example.com", ...fields });
  return ref;
}

/** The collections of a parent at each depth, the last one `orders`: `shops/s/users/u/orders/o` at depth 3. */
const NESTING = ["regions", "shops", "users", "orders"];

/**
 * A fresh order at `depth` (1 is top-level: `orders/o`; 2 `users/u/orders/o`; 3 `shops/s/users/u/orders/o`), with
 * unique ids and `fields` as `newParent`'s; `root` renames the top-level collection (a test's own, for filters). Its
 * ancestors are not written: a parent's own document is all it needs.
 */
export async function newParentAt(depth: number, fields: DocumentData = {}, root?: string): Promise<DocumentReference> {
  if (depth < 1 || depth > NESTING.length) throw new Error(`no parent fixture at depth ${depth}`);
  const collections = NESTING.slice(-depth);
  if (root) collections[0] = root;
  const path = collections.map((collection) => `${collection}/${uniqueId(collection)}`).join("/");
  const ref = adminDb().doc(path);
  await ref.set({ ownerId: "owner-1", customerEmail: "customer@example.com", ...fields });
  return ref;
}

/**
 * The index shard of a task a test writes: 0, what `taskShard` gives every id with the default `SHARDS.count` of 1.
 * Any shard below SHARDS.max is found by the sharded queries; a task written without one is not (docs/scale.md).
 */
export const TEST_SHARD = 0;

/**
 * A task as a client enqueues it: `scheduled`, empty `data`, the server's `createdAt`, its shard, then `fields`
 * (`type` and `action` among them; they have no default, so a test can leave them out or get them wrong on purpose).
 */
export function newTask(fields: DocumentData = {}): DocumentData {
  return { state: "scheduled", data: {}, createdAt: FieldValue.serverTimestamp(), shard: TEST_SHARD, ...fields };
}

/** Attempts a task has had when a test does not say: none before it runs, one run, or the whole round of 3. */
const ATTEMPTS_IN: Record<TaskState, number> = { scheduled: 0, cancelled: 0, running: 1, completed: 1, failed: 3 };
/** Its last attempt started (or ended) this long after `createdAt`. */
const RUN_DELAY_MS = 500;

/**
 * A `demo.noop` task as the engine leaves it in `state`, then `fields` (which replace, never merge). Times follow
 * `fields.createdAt` (default: just now): `running` holds a lease for another minute, `completed` completed,
 * `failed` used up its attempts (`fields.attempts`, default 3) and keeps the last error, stack and history entry.
 */
export function taskIn(state: TaskState, fields: DocumentData = {}): DocumentData {
  const createdAt =
    fields.createdAt instanceof Timestamp ? fields.createdAt : Timestamp.fromMillis(Date.now() - RUN_DELAY_MS);
  const at = Timestamp.fromMillis(createdAt.toMillis() + RUN_DELAY_MS);
  const attempts = typeof fields.attempts === "number" ? fields.attempts : ATTEMPTS_IN[state];
  const task: DocumentData = {
    type: "demo",
    action: "noop",
    state,
    data: {},
    createdAt,
    createdBy: "someone",
    shard: TEST_SHARD,
    attempts,
    maxAttempts: state === "failed" ? attempts : 3,
  };
  if (state === "running") {
    Object.assign(task, {
      startedAt: at,
      lease: { owner: "worker-1", expiresAt: Timestamp.fromMillis(Date.now() + 60_000) },
    });
  }
  if (state === "completed") Object.assign(task, { startedAt: at, completedAt: at, updatedAt: at });
  if (state === "failed") {
    const code = "handler/error";
    const message = "upstream answered 503 Service Unavailable";
    Object.assign(task, {
      startedAt: at,
      failedAt: at,
      updatedAt: at,
      error: {
        code,
        message,
        stack: `Error: ${message}\n    at callUpstream (handlers/demo/index.ts:12:11)\n    at run (queue/attempt.ts:40:5)`,
        attempt: attempts,
        at,
      },
      history: [{ attempt: attempts, startedAt: at, endedAt: at, outcome: "failed", error: { code, message } }],
    });
  }
  return { ...task, ...fields };
}

/** A task whose worker claimed it and died: `running`, its lease expired a second ago; `fields` on top. */
export function crashedTask(fields: DocumentData = {}): DocumentData {
  const lease = { owner: "crashed-worker", expiresAt: Timestamp.fromMillis(Date.now() - 1000) };
  return taskIn("running", { lease, ...fields });
}

/**
 * Writes a task under `parent` with the admin SDK, as a server would: `fields` on top of `newTask()`, so either a
 * client's fields or a whole document from `taskIn`.
 */
export async function writeTask(parent: DocumentReference, fields: DocumentData): Promise<DocumentReference> {
  const ref = parent.collection("tasks").doc();
  await ref.set(newTask(fields));
  return ref;
}

/**
 * A task under a parent one level deeper than the queue serves (MAX_PARENT_DEPTH + 1: `sandbox/x/a/1/b/2/c/3/tasks/t`):
 * the deployed triggers, the sweeper and the admin actions leave it alone, so a test can drive the engine's
 * functions on it by hand.
 */
export async function unwatchedTask(fields: DocumentData): Promise<DocumentReference> {
  let parent = adminDb().collection("sandbox").doc(uniqueId());
  for (const [i, collection] of ["a", "b", "c", "d", "e"].slice(0, MAX_PARENT_DEPTH).entries()) {
    parent = parent.collection(collection).doc(String(i + 1));
  }
  return writeTask(parent, fields);
}

/** How often `demo.record` ran for `task` (it writes one `taskRuns` document per run). */
export async function runsOf(task: DocumentReference): Promise<number> {
  const runs = await adminDb().collection("taskRuns").where("taskPath", "==", task.path).count().get();
  return runs.data().count;
}

export const FINAL_STATES = ["completed", "failed", "cancelled"];

/** Resolves with the first snapshot whose state is one of `states`; rejects after `timeoutMs`. */
export function waitForState(
  ref: DocumentReference,
  states: string[] = FINAL_STATES,
  timeoutMs = 20_000,
): Promise<DocumentSnapshot> {
  return new Promise((resolve, reject) => {
    let last: DocumentData | undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(`${ref.path} did not reach ${states.join("|")} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`),
      );
    }, timeoutMs);
    const unsubscribe = ref.onSnapshot((snap) => {
      last = snap.data();
      if (states.includes(snap.get("state"))) {
        clearTimeout(timer);
        unsubscribe();
        resolve(snap);
      }
    }, reject);
  });
}
