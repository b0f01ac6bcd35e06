// How close to its `runAt` a delayed task starts: for each delay, N no-op tasks due that many seconds after they are
// written (spread over a second so they are not one burst), scheduled through the Cloud Tasks queue as in
// production (on the emulator suite the task scheduler holds each Cloud Task until its time). All delays are
// written at once and run side by side. Lateness is `startedAt - runAt`, both server timestamps; a negative one
// would be a task run too early.
import { Timestamp } from "firebase-admin/firestore";
import { adminDb } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { DELAY_COLLECTION } from "./config";
import { waitForCount } from "./firestore";
import { percentile, round } from "./stats";

export interface DelayResult {
  /** How far ahead `runAt` was when the tasks were written (the first of them; the last is 1 s later). */
  delaySeconds: number;
  tasks: number;
  completed: number;
  /** Lateness, `startedAt - runAt`, in ms. */
  latenessMs: { min: number; p50: number; p95: number; max: number };
  /** Tasks that started before their runAt (must be 0). */
  early: number;
  /** Times the Functions emulator reloaded the functions while the delays ran (the caller fills it in). */
  reloads?: number;
}

const SPREAD_MS = 1000;
/** How long after the last runAt the bench waits for the tasks to complete. */
const GRACE_MS = 120_000;

export async function measureDelays(delaySeconds: number[], tasks: number, runId: string): Promise<DelayResult[]> {
  const db = adminDb();
  const collections = delaySeconds.map((s) =>
    db.collection(DELAY_COLLECTION).doc(`${runId}-${s}s`).collection("tasks"),
  );
  const now = Date.now();
  const batch = db.batch();
  delaySeconds.forEach((s, d) => {
    for (let i = 0; i < tasks; i++) {
      const runAt = Timestamp.fromMillis(now + s * 1000 + Math.round((i * SPREAD_MS) / tasks));
      batch.set(collections[d].doc(), newTask({ type: "demo", action: "noop", runAt }));
    }
  });
  await batch.commit();
  const timeoutMs = Math.max(...delaySeconds) * 1000 + SPREAD_MS + GRACE_MS;
  const deadline = Date.now() + timeoutMs;
  const results: DelayResult[] = [];
  for (const [d, collection] of collections.entries()) {
    const wait = Math.max(0, deadline - Date.now());
    const completed = await waitForCount(collection.where("state", "==", "completed"), tasks, wait, 500);
    const docs = (await collection.select("runAt", "startedAt").get()).docs;
    const millis = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);
    const lateness = docs
      .map((doc) => millis(doc.get("startedAt")) - millis(doc.get("runAt")))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    results.push({
      delaySeconds: delaySeconds[d],
      tasks,
      completed,
      latenessMs: {
        min: lateness[0] ?? Number.NaN,
        p50: percentile(lateness, 50),
        p95: percentile(lateness, 95),
        max: lateness[lateness.length - 1] ?? Number.NaN,
      },
      early: lateness.filter((ms) => ms < 0).length,
    });
  }
  return results;
}

export function formatDelay(result: DelayResult): string {
  const { latenessMs: l } = result;
  return (
    `runAt ${result.delaySeconds}–${result.delaySeconds + SPREAD_MS / 1000} s ahead: ${result.completed}/` +
    `${result.tasks} completed; started ${round(l.p50)} ms after runAt at the median (min ${l.min}, p95 ${l.p95}, ` +
    `max ${l.max} ms); ${result.early} started early` +
    (result.reloads ? ` (the functions were reloaded ${result.reloads} time(s) meanwhile: cold workers)` : "")
  );
}
