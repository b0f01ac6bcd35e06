// How close to its `runAt` a delayed task starts: N no-op tasks, each due a few seconds after it is written
// (spread over a second so they are not one burst), scheduled through the Cloud Tasks queue as in production.
// The delay is `startedAt - runAt`, both server timestamps; a negative delay would be a task run too early.
import { Timestamp } from "firebase-admin/firestore";
import { adminDb } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { DELAY_COLLECTION } from "./config";
import { waitForCount } from "./firestore";
import { percentile, round } from "./stats";

export interface DelayResult {
  tasks: number;
  completed: number;
  /** `startedAt - runAt` in ms. */
  delayMs: { min: number; p50: number; p95: number; max: number };
  /** Tasks that started before their runAt (must be 0). */
  early: number;
}

const LEAD_MS = 3000;
const SPREAD_MS = 1000;

export async function measureDelay(tasks: number, runId: string): Promise<DelayResult> {
  const collection = adminDb().collection(DELAY_COLLECTION).doc(runId).collection("tasks");
  const now = Date.now();
  const batch = adminDb().batch();
  for (let i = 0; i < tasks; i++) {
    const runAt = Timestamp.fromMillis(now + LEAD_MS + Math.round((i * SPREAD_MS) / tasks));
    batch.set(collection.doc(), newTask({ type: "demo", action: "noop", runAt }));
  }
  await batch.commit();
  const completed = await waitForCount(collection.where("state", "==", "completed"), tasks, 120_000);
  const docs = (await collection.select("runAt", "startedAt").get()).docs;
  const millis = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);
  const delays = docs
    .map((d) => millis(d.get("startedAt")) - millis(d.get("runAt")))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return {
    tasks,
    completed,
    delayMs: {
      min: delays[0],
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      max: delays[delays.length - 1],
    },
    early: delays.filter((d) => d < 0).length,
  };
}

export function formatDelay(result: DelayResult): string {
  const { delayMs: d } = result;
  return (
    `Delayed tasks: ${result.completed}/${result.tasks} with runAt ${LEAD_MS / 1000}–${(LEAD_MS + SPREAD_MS) / 1000} s ` +
    `ahead started ${round(d.p50)} ms after runAt at the median (min ${d.min}, p95 ${d.p95}, worst ${d.max} ms); ` +
    `${result.early} started early`
  );
}
