// How fast the queue drains, next to the plain design it improves on: N identical no-op tasks written at once (one
// unthrottled BulkWriter), timed until every one is `completed`, through
//   - engine:  the engine's claimed path (`demo.noop` through `dispatchTask`: create, claim, outcome),
//   - express: the engine's express path (`demo.expressNoop`, declared idempotent: create, outcome),
//   - plain:   the plain design (functions/src/bench/plain-design.ts: an onDocumentWritten trigger that runs the
//              handler and writes `completed`; its own write wakes it once more).
// Times come from the documents' own server timestamps (`createdAt` set by the create, `completedAt` by the
// completing write), so polling does not blur them. What each drain cost is counted as bench/counts.ts counts it:
// invocations from the Functions emulator's log (every execution that began between the first write and the quiet
// after the last completion), writes and reads from the functions' request meter (the drains' collections are
// metered), attributed by document path, plus the client's creates.
import { Timestamp, type CollectionReference } from "firebase-admin/firestore";
import { adminDb, sleep } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { DRAIN_COLLECTION, ENGINE_TRIGGER, PLAIN_COLLECTION, PLAIN_SUBCOLLECTION, PLAIN_TRIGGER } from "./config";
import { executionsByFunction, reloads, sweeperPasses, type EmulatorLog } from "./emulator-log";
import { bulkCreate, waitForCount } from "./firestore";
import { cumulativeCurve, percentile, round } from "./stats";

export type DrainVariant = "engine" | "express" | "plain";

export const DRAIN_VARIANTS: DrainVariant[] = ["plain", "engine", "express"];

export const VARIANT_LABELS: Record<DrainVariant, string> = {
  engine: "engine, claimed path (demo.noop)",
  express: "engine, express path (demo.expressNoop)",
  plain: `plain design (${PLAIN_TRIGGER})`,
};

/** The order of the variants in the `k`-th round: rotated by one each round. */
export function variantOrder(k: number): DrainVariant[] {
  const n = DRAIN_VARIANTS.length;
  return DRAIN_VARIANTS.map((_, i) => DRAIN_VARIANTS[(i + k) % n]);
}

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
  /** Function executions per task, from the Functions emulator's log. */
  invocationsPerTask: { total: number; byFunction: Record<string, number> };
  /** Client creates + the functions' metered writes to this drain's tasks, per task. */
  writesPerTask: { client: number; functions: number; total: number };
  /** The functions' metered read requests on this drain's tasks, per task. */
  readsPerTask: number;
  /** Every task got the same number of function writes (a task run twice would get more). */
  sameWritesForEveryTask?: boolean;
  /** The drain's tasks collection. */
  collectionPath?: string;
  /** The log was quiet before the drain and after it (false: the invocation count may include something else). */
  isolated: boolean;
  /**
   * Times the Functions emulator reloaded the functions during the drain (another suite rebuilt functions/lib in
   * the same working tree, say): each reload stops the workers, so such a round is slower than it should be.
   */
  reloads: number;
  /**
   * Passes of the emulator suite's sweeper that began during the drain: its queries scan every task in the emulator
   * (it has no real indexes), the bench's thousands included, which can stall the drain for a second or two.
   */
  sweeperPasses?: number;
}

function tasksOf(variant: DrainVariant, parentId: string): CollectionReference {
  const db = adminDb();
  return variant === "plain"
    ? db.collection(PLAIN_COLLECTION).doc(parentId).collection(PLAIN_SUBCOLLECTION)
    : db.collection(DRAIN_COLLECTION).doc(parentId).collection("tasks");
}

/** The trigger that runs the variant's tasks, and how often it runs per task at the least (a wait hint only). */
const TRIGGER: Record<DrainVariant, { fn: string; runsPerTask: number }> = {
  engine: { fn: ENGINE_TRIGGER, runsPerTask: 1 },
  express: { fn: ENGINE_TRIGGER, runsPerTask: 1 },
  plain: { fn: PLAIN_TRIGGER, runsPerTask: 2 },
};

const millis = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : Number.NaN);
const perTask = (value: number, tasks: number) => round(value / tasks, 3);

/**
 * Waits until the variant's trigger has finished at least `runs` times since `mark` (its last executions may be
 * logged a while after the last task completed: the plain design's second run, or events still queued in the
 * Functions emulator), or until the timeout. This only decides when to stop waiting: the counts are what the log
 * shows.
 */
async function waitForRuns(log: EmulatorLog, mark: number, fn: string, runs: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (log.since(mark).filter((e) => e.type === "finish" && e.fn === fn).length >= runs) return true;
    await sleep(200);
  }
  return false;
}

export async function measureDrain(
  variant: DrainVariant,
  tasks: number,
  runId: string,
  round_: number,
  log: EmulatorLog,
  timeoutMs: number,
): Promise<DrainResult> {
  const collection = tasksOf(variant, `${runId}-${variant}-${tasks}-${round_}`);
  const prefix = `${collection.path}/`;
  // The same document for all three, but the express path's handler name.
  const action = variant === "express" ? "expressNoop" : "noop";
  const task = () => ({ ref: collection.doc(), data: newTask({ type: "demo", action }) });
  const quietBefore = await log.waitForQuiet();
  const mark = log.mark();
  const written = await bulkCreate(tasks, task, false);
  const completed = await waitForCount(collection.where("state", "==", "completed"), tasks, timeoutMs);
  const trigger = TRIGGER[variant];
  const allRan = await waitForRuns(log, mark, trigger.fn, trigger.runsPerTask * written.written, 60_000);
  const quietAfter = await log.waitForQuiet();
  const events = log.since(mark);

  const invocations = executionsByFunction(events);
  let functionWrites = 0;
  let reads = 0;
  const writesByTask = new Map<string, number>();
  for (const event of events) {
    if (event.type !== "meter" || !event.record.paths.some((path) => path.startsWith(prefix))) continue;
    if (event.record.kind === "read") reads++;
    else {
      functionWrites += event.record.writes;
      for (const path of event.record.paths) writesByTask.set(path, (writesByTask.get(path) ?? 0) + 1);
    }
  }
  const perTaskWrites = [...writesByTask.values()];
  const totalInvocations = Object.values(invocations).reduce((a, b) => a + b, 0);

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
    invocationsPerTask: {
      total: perTask(totalInvocations, tasks),
      byFunction: Object.fromEntries(Object.entries(invocations).map(([fn, n]) => [fn, perTask(n, tasks)])),
    },
    writesPerTask: {
      client: perTask(written.written, tasks),
      functions: perTask(functionWrites, tasks),
      total: perTask(written.written + functionWrites, tasks),
    },
    readsPerTask: perTask(reads, tasks),
    sameWritesForEveryTask: perTaskWrites.length === tasks && perTaskWrites.every((n) => n === perTaskWrites[0]),
    collectionPath: collection.path,
    isolated: quietBefore && allRan && quietAfter,
    reloads: reloads(events),
    sweeperPasses: sweeperPasses(events),
  };
}

/** A reload of the functions or a sweeper pass happened during the round. */
export function disturbed(result: DrainResult): boolean {
  return result.reloads > 0 || (result.sweeperPasses ?? 0) > 0;
}
