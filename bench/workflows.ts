// What the workflow features cost, measured from the outside like the counting scenarios (bench/counts.ts), each
// next to what an app gets without them, in the same run:
// - a fan-out of n `demo.noop` children with a `demo.fanIn` continuation, against n independent `demo.noop` tasks
//   (the "success" counting scenario): the extra writes, reads and invocations of counting the children;
// - 10 concurrent server enqueues of one `dedupKey`, against the same 10 enqueues without a key;
// - 5 enqueues of one key to a debounced handler (2 s) within 2 s, against the same 5 without a key.
// Function writes and reads come from the request meter (the groups' and the locks' documents are metered too);
// the bench's own enqueues are counted from what they wrote.
import type { DocumentReference } from "firebase-admin/firestore";
// The handlers registered: enqueueTask checks each request against its handler's schema.
import "../functions/src/handlers";
import { enqueueTask, type EnqueueOptions } from "../functions/src/queue/store/enqueue-task";
import { TASKS_COLLECTION } from "../functions/src/queue/model/task";
import { adminDb, sleep } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { METERED_COLLECTION, type BenchMode } from "./config";
import { executionsByFunction, type EmulatorLog, type LogEvent } from "./emulator-log";
import { waitForCount } from "./firestore";
import { round } from "./stats";

/** Children of the measured fan-out. */
export const FAN_OUT_CHILDREN: Record<BenchMode, number> = { full: 500, quick: 20 };
const DEDUP_ENQUEUES = 10;
const DEBOUNCE_ENQUEUES = 5;
/** demo.debounced's window is 2 s: the burst is spread over 1.6 s of it. */
const DEBOUNCE_SPACING_MS = 400;

/** What one run of a workflow cost, engine and client together. */
export interface WorkflowCost {
  /** Tasks written (children and continuation, or the enqueues that were not deduplicated). */
  tasksWritten: number;
  /** Handler runs: tasks that ended `completed`. */
  runs: number;
  writes: { client: number; functions: number; total: number };
  reads: number;
  invocations: { total: number; byFunction: Record<string, number> };
  seconds: number;
  /** The log went quiet before and after: nothing else was counted. */
  isolated: boolean;
}

export interface WorkflowResults {
  fanOut: {
    children: number;
    cost: WorkflowCost;
    /** The continuation's `result`: children per final state. */
    fanIn: Record<string, number> | null;
    continuations: number;
    perChild: { writes: number; reads: number; invocations: number };
  };
  dedup: { enqueues: number; withKey: WorkflowCost; withoutKey: WorkflowCost };
  debounce: { enqueues: number; withKey: WorkflowCost; withoutKey: WorkflowCost; ranWithData: unknown };
}

/** Adds up the metered requests and the executions in `events`. */
function costOf(events: LogEvent[]) {
  let writes = 0;
  let reads = 0;
  for (const event of events) {
    if (event.type !== "meter") continue;
    if (event.record.kind === "read") reads++;
    else writes += event.record.writes;
  }
  const byFunction = executionsByFunction(events);
  const total = Object.values(byFunction).reduce((a, b) => a + b, 0);
  return { writes, reads, invocations: { total, byFunction } };
}

/** Runs `act` in a quiet window and measures it until `done` resolves and the functions are quiet again. */
async function measure(
  log: EmulatorLog,
  act: () => Promise<{ clientWrites: number }>,
  done: () => Promise<{ tasksWritten: number; runs: number }>,
): Promise<WorkflowCost> {
  const quietBefore = await log.waitForQuiet();
  const mark = log.mark();
  const started = performance.now();
  const { clientWrites } = await act();
  const { tasksWritten, runs } = await done();
  const seconds = round((performance.now() - started) / 1000, 1);
  const quietAfter = await log.waitForQuiet();
  const { writes, reads, invocations } = costOf(log.since(mark));
  return {
    tasksWritten,
    runs,
    writes: { client: clientWrites, functions: writes, total: clientWrites + writes },
    reads,
    invocations,
    seconds,
    isolated: quietBefore && quietAfter,
  };
}

const tasksOf = (parent: DocumentReference) => parent.collection(TASKS_COLLECTION);

async function countIn(parent: DocumentReference, state?: string): Promise<number> {
  const query = state ? tasksOf(parent).where("state", "==", state) : tasksOf(parent);
  return (await query.count().get()).data().count;
}

/** Waits until no task under `parent` is scheduled or running, then counts what was written and what ran. */
async function settled(parent: DocumentReference, expectedEnded: number) {
  const ended = tasksOf(parent).where("state", "in", ["completed", "failed", "cancelled"]);
  await waitForCount(ended, expectedEnded, 90_000);
  return { tasksWritten: await countIn(parent), runs: await countIn(parent, "completed") };
}

async function measureFanOut(children: number, runId: string, log: EmulatorLog) {
  const parent = adminDb().collection(METERED_COLLECTION).doc(`${runId}-fanOut`);
  const fanner = tasksOf(parent).doc("fanOut");
  const cost = await measure(
    log,
    async () => {
      await fanner.create(newTask({ type: "demo", action: "fanOut", data: { children } }));
      return { clientWrites: 1 };
    },
    // The fanning-out task, its children and the continuation.
    () => settled(parent, children + 2),
  );
  const continuations = await tasksOf(parent).where("action", "==", "fanIn").get();
  const perChild = (n: number) => round(n / children, 2);
  return {
    children,
    cost,
    fanIn: (continuations.docs[0]?.get("result") as Record<string, number> | undefined) ?? null,
    continuations: continuations.size,
    perChild: {
      writes: perChild(cost.writes.total),
      reads: perChild(cost.reads),
      invocations: perChild(cost.invocations.total),
    },
  };
}

/** `enqueues` server enqueues of demo `action` under a parent of their own, all at once or `spacingMs` apart. */
async function measureEnqueues(
  label: string,
  action: string,
  enqueues: number,
  options: EnqueueOptions,
  runId: string,
  log: EmulatorLog,
  spacingMs = 0,
) {
  const parent = adminDb().collection(METERED_COLLECTION).doc(`${runId}-${label}`);
  return measure(
    log,
    async () => {
      const sent: Promise<DocumentReference>[] = [];
      for (let i = 0; i < enqueues; i++) {
        if (i > 0 && spacingMs) await sleep(spacingMs);
        sent.push(enqueueTask(parent, { type: "demo", action, data: { n: i } }, options));
      }
      await Promise.all(sent);
      // An enqueue that took the key wrote its task and the lock; a debounced one moved the lock too.
      const written = await countIn(parent);
      return { clientWrites: options.dedupKey ? 2 * written : written };
    },
    async () => {
      const written = await countIn(parent);
      return settled(parent, written);
    },
  );
}

export async function measureWorkflows(mode: BenchMode, runId: string, log: EmulatorLog): Promise<WorkflowResults> {
  const fanOut = await measureFanOut(FAN_OUT_CHILDREN[mode], runId, log);
  const dedupKey = `bench-${runId}`;
  // A double-clicked button: the key stays taken for a minute, so no retry of a contended enqueue (the emulator
  // serialises them) can start a second task after the first has already finished.
  const dedup = {
    enqueues: DEDUP_ENQUEUES,
    withKey: await measureEnqueues("dedup", "noop", DEDUP_ENQUEUES, { dedupKey, dedupSeconds: 60 }, runId, log),
    withoutKey: await measureEnqueues("noDedup", "noop", DEDUP_ENQUEUES, {}, runId, log),
  };
  const burst = (label: string, options: EnqueueOptions) =>
    measureEnqueues(label, "debounced", DEBOUNCE_ENQUEUES, options, runId, log, DEBOUNCE_SPACING_MS);
  const withKey = await burst("debounce", { dedupKey });
  const ran = await adminDb()
    .collection(METERED_COLLECTION)
    .doc(`${runId}-debounce`)
    .collection(TASKS_COLLECTION)
    .where("state", "==", "completed")
    .get();
  const debounce = {
    enqueues: DEBOUNCE_ENQUEUES,
    withKey,
    withoutKey: await burst("noDebounce", {}),
    ranWithData: ran.docs.map((d) => d.get("data")),
  };
  return { fanOut, dedup, debounce };
}

function row(label: string, cost: WorkflowCost): string {
  const fns = Object.entries(cost.invocations.byFunction)
    .map(([fn, n]) => `${fn} ${n}`)
    .join(", ");
  return (
    `| ${label} | ${cost.tasksWritten} | ${cost.runs} | ${cost.writes.total} (${cost.writes.client} by the app) | ` +
    `${cost.reads} | ${cost.invocations.total} (${fns || "none"}) | ${cost.seconds} |` +
    (cost.isolated ? "" : " (not isolated: something else ran in the window)")
  );
}

/** The workflow rows as Markdown (docs/performance.md and the bench's report). */
export function markdownWorkflows(w: WorkflowResults): string {
  const { fanOut, dedup, debounce } = w;
  return [
    "| workflow | tasks written | runs | writes | function reads | invocations | seconds |",
    "|---|---|---|---|---|---|---|",
    row(`fan-out of ${fanOut.children} demo.noop children + demo.fanIn`, fanOut.cost),
    row(`${dedup.enqueues} concurrent enqueues, one dedupKey`, dedup.withKey),
    row(`the same ${dedup.enqueues} enqueues without a key`, dedup.withoutKey),
    row(`${debounce.enqueues} enqueues in 1.6 s, one key, debounceSeconds 2`, debounce.withKey),
    row(`the same ${debounce.enqueues} enqueues without a key`, debounce.withoutKey),
    "",
    `Fan-out: ${fanOut.continuations} continuation(s), fan-in result ${JSON.stringify(fanOut.fanIn)}; per child ` +
      `${fanOut.perChild.writes} writes, ${fanOut.perChild.reads} reads, ${fanOut.perChild.invocations} invocations ` +
      `(the fanning-out task and the continuation included). Debounced run's data: ` +
      `${JSON.stringify(debounce.ranWithData)}.`,
  ].join("\n");
}
