// The bench's own connection to the emulators: an admin Firestore (the same default app the tests use), bulk
// writes that report their rate, polling a count until a set of tasks is done, and switching the Functions
// emulator's background triggers off and on through the emulator hub.
import { getApps, initializeApp } from "firebase-admin/app";
import {
  getFirestore,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type Query,
} from "firebase-admin/firestore";

export const PROJECT_ID = process.env.GCLOUD_PROJECT ?? "demo-taskqueue";

export function benchDb(): Firestore {
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error(
      "FIRESTORE_EMULATOR_HOST is not set: run the bench with `npm run bench` (it starts the emulators).",
    );
  }
  if (!getApps().some((app) => app.name === "[DEFAULT]")) initializeApp({ projectId: PROJECT_ID });
  return getFirestore();
}

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
  const writer = benchDb().bulkWriter(throttled ? undefined : { throttling: false });
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const hub = process.env.FIREBASE_EMULATOR_HUB;
  if (!hub) throw new Error("FIREBASE_EMULATOR_HUB is not set: cannot switch the emulator's triggers.");
  const path = enabled ? "enableBackgroundTriggers" : "disableBackgroundTriggers";
  const response = await fetch(`http://${hub}/functions/${path}`, { method: "PUT" });
  if (!response.ok) throw new Error(`emulator hub ${path}: HTTP ${response.status} ${await response.text()}`);
}

/** Deletes whole bench collections (and everything below them). Run with the triggers off. */
export async function deleteCollections(names: string[]): Promise<void> {
  const db = benchDb();
  for (const name of names) await db.recursiveDelete(db.collection(name));
}
