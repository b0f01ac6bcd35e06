// How fast the queue drains: N no-op tasks written at once (one unthrottled BulkWriter), timed until every one is
// `completed`, through the engine (`dispatchTask`) and through the minimal trigger (`benchMinimalTask`: one
// unconditional write, no claim, no lease) in the same run. Times come from the documents' own server timestamps
// (`createdAt` set by the create, `completedAt` by the completing write), so polling does not blur them.
import { Timestamp, type CollectionReference } from "firebase-admin/firestore";
import { adminDb } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { DRAIN_COLLECTION, MINIMAL_COLLECTION, MINIMAL_SUBCOLLECTION } from "./config";
import { bulkCreate, waitForCount } from "./firestore";
import { cumulativeCurve, percentile, round } from "./stats";

export type DrainVariant = "engine" | "minimal";

export interface DrainResult {
  variant: DrainVariant;
  round: number;
  tasks: number;
  completed: number;
  /** Writing the tasks (client side). */
  writeSeconds: number;
  /** First `createdAt` to last `completedAt`. */
  seconds: number;
  tasksPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Completed tasks over time, seconds from the first `createdAt`. */
  curve: Array<[number, number]>;
}

function tasksOf(variant: DrainVariant, parentId: string): CollectionReference {
  const db = adminDb();
  return variant === "engine"
    ? db.collection(DRAIN_COLLECTION).doc(parentId).collection("tasks")
    : db.collection(MINIMAL_COLLECTION).doc(parentId).collection(MINIMAL_SUBCOLLECTION);
}

const millis = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);

export async function measureDrain(
  variant: DrainVariant,
  tasks: number,
  runId: string,
  round_: number,
  timeoutMs: number,
): Promise<DrainResult> {
  const collection = tasksOf(variant, `${runId}-${variant}-${round_}`);
  // The same document for both: what a client would write for a no-op task.
  const noop = () => ({ ref: collection.doc(), data: newTask({ type: "demo", action: "noop" }) });
  const written = await bulkCreate(tasks, noop, false);
  const completed = await waitForCount(collection.where("state", "==", "completed"), tasks, timeoutMs);

  const snapshot = await collection.select("createdAt", "completedAt").get();
  const created = snapshot.docs.map((d) => millis(d.get("createdAt"))).filter(Number.isFinite);
  const start = Math.min(...created);
  const done = snapshot.docs
    .map((d) => ({ created: millis(d.get("createdAt")), completed: millis(d.get("completedAt")) }))
    .filter((t) => Number.isFinite(t.created) && Number.isFinite(t.completed));
  const latencies = done.map((t) => t.completed - t.created).sort((a, b) => a - b);
  const end = Math.max(...done.map((t) => t.completed));
  const seconds = (end - start) / 1000;
  return {
    variant,
    round: round_,
    tasks,
    completed,
    writeSeconds: round(written.seconds),
    seconds: round(seconds),
    tasksPerSecond: round(done.length / seconds, 1),
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? Number.NaN,
    },
    curve: cumulativeCurve(
      done.map((t) => (t.completed - start) / 1000),
      0.5,
    ),
  };
}
