// What the bench does to the emulators beyond what the tests do (the connection itself is the tests', in
// test/support/emulators.ts): bulk writes that report their rate, polling a count until a set of tasks is done,
// switching the Functions emulator's background triggers off and on through the emulator hub, and cleaning up.
import { FieldPath, type DocumentData, type DocumentReference, type Query } from "firebase-admin/firestore";
import { adminDb, emulatorVariable, sleep } from "../test/support/emulators";

export interface BulkResult {
  written: number;
  failed: number;
  seconds: number;
  writesPerSecond: number;
}

/**
 * Creates `count` documents with one BulkWriter. `throttled` keeps the BulkWriter's default ramp (500 ops/s to
 * start, +50% every 5 minutes: what production code such as `retryTasks` gets); unthrottled shows what the
 * emulator itself takes.
 */
export async function bulkCreate(
  count: number,
  doc: (i: number) => { ref: DocumentReference; data: DocumentData },
  throttled: boolean,
): Promise<BulkResult> {
  const writer = adminDb().bulkWriter(throttled ? undefined : { throttling: false });
  let written = 0;
  let failed = 0;
  writer.onWriteResult(() => void written++);
  writer.onWriteError(() => {
    failed++;
    return false;
  });
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const { ref, data } = doc(i);
    writer.create(ref, data).catch(() => undefined); // counted by onWriteError
  }
  await writer.close();
  const seconds = (performance.now() - started) / 1000;
  return { written, failed, seconds, writesPerSecond: written / seconds };
}

/** A new task under the `i % parents`-th parent of `collection` (`p000`, `p001`, ...): bench data spread out. */
export function spreadTaskRef(collection: string, i: number, parents = 100): DocumentReference {
  const parent = adminDb()
    .collection(collection)
    .doc(`p${String(i % parents).padStart(3, "0")}`);
  return parent.collection("tasks").doc();
}

/** How many tasks under `collection`'s parents are in `state` (a collection-group query bounded by path). */
export async function countTasks(collection: string, state: string): Promise<number> {
  const query = adminDb()
    .collectionGroup("tasks")
    .where("state", "==", state)
    .where(FieldPath.documentId(), ">=", `${collection}/\u0000`)
    .where(FieldPath.documentId(), "<", `${collection}\u0000/\u0000`);
  return (await query.count().get()).data().count;
}

/** Polls `query`'s count until it reaches `expected`; resolves with the last count (short of it on timeout). */
export async function waitForCount(
  query: Query,
  expected: number,
  timeoutMs: number,
  intervalMs = 250,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = (await query.count().get()).data().count;
    if (count >= expected || Date.now() > deadline) return count;
    await sleep(intervalMs);
  }
}

/**
 * Turns the Functions emulator's background (Firestore) triggers off or on for every function. Used around bulk
 * setup and cleanup, so thousands of bench writes do not each start a function. Turning them on reloads the
 * functions, which takes a few seconds.
 */
export async function setBackgroundTriggers(enabled: boolean): Promise<void> {
  const hub = emulatorVariable("FIREBASE_EMULATOR_HUB");
  const path = enabled ? "enableBackgroundTriggers" : "disableBackgroundTriggers";
  const response = await fetch(`http://${hub}/functions/${path}`, { method: "PUT" });
  if (!response.ok) throw new Error(`emulator hub ${path}: HTTP ${response.status} ${await response.text()}`);
}

/** Deletes whole bench collections (and everything below them). Run with the triggers off. */
export async function deleteCollections(names: string[]): Promise<void> {
  const db = adminDb();
  for (const name of names) await db.recursiveDelete(db.collection(name));
}
