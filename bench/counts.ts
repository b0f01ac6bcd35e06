// What one task costs: writes, function invocations and reads, per task, for a task that succeeds at once (on the
// claimed path and on the express path), one that succeeds on its third attempt, and two that fail. Each scenario
// runs alone: the log is quiet before it starts and after its tasks are done, so every execution the Functions
// emulator logs in between is the scenario's. Writes and reads come from the functions' request meter, attributed
// to each task by document path; the client's create is counted from the bench's own BulkWriter.
import { adminDb, sleep } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { ENGINE_TRIGGER, METERED_COLLECTION } from "./config";
import { executionsByFunction, type EmulatorLog } from "./emulator-log";
import { bulkCreate, waitForCount } from "./firestore";
import { round } from "./stats";

export interface CountScenario {
  id: string;
  label: string;
  type: string;
  action: string;
  data: Record<string, unknown>;
  expectedState: "completed" | "failed";
}

export const COUNT_SCENARIOS: CountScenario[] = [
  {
    id: "success",
    label: "succeeds on attempt 1 (demo.noop)",
    type: "demo",
    action: "noop",
    data: {},
    expectedState: "completed",
  },
  {
    id: "express",
    label: "succeeds on attempt 1, express path (demo.expressNoop)",
    type: "demo",
    action: "expressNoop",
    data: {},
    expectedState: "completed",
  },
  {
    id: "limited",
    label: "succeeds on attempt 1, rate-limited handler (demo.throttled20)",
    type: "demo",
    action: "throttled20",
    data: {},
    expectedState: "completed",
  },
  {
    id: "thirdAttempt",
    label: "succeeds on attempt 3 (demo.flaky, 2 failures)",
    type: "demo",
    action: "flaky",
    data: { failTimes: 2 },
    expectedState: "completed",
  },
  {
    id: "permanentFailure",
    label: "fails permanently (demo.fail)",
    type: "demo",
    action: "fail",
    data: {},
    expectedState: "failed",
  },
  {
    id: "exhausted",
    label: "fails 3 attempts (demo.flaky, retries exhausted)",
    type: "demo",
    action: "flaky",
    data: { failTimes: 3 },
    expectedState: "failed",
  },
];

export interface CountResult {
  id: string;
  label: string;
  tasks: number;
  /** Tasks that ended in the expected state. */
  reachedExpectedState: number;
  expectedState: string;
  writesPerTask: { client: number; functions: number; total: number };
  invocationsPerTask: { total: number; byFunction: Record<string, number> };
  /** Firestore read requests (document gets, queries) per task, by the function that made them. */
  readsPerTask: { total: number; byFunction: Record<string, number> };
  /**
   * Invocations per task that read Firestore, at most: per function, min(invocations, read requests); a read
   * request belongs to one invocation, so this cannot undercount.
   */
  readingInvocationsPerTask: number;
  /** Invocations per task that returned without any Firestore read, at least. */
  invocationsWithoutReadPerTask: number;
  /** Every task had the same number of function writes: the counts are deterministic. */
  sameWritesForEveryTask: boolean;
  /** Metered requests in the window that belong to other documents (should be 0: nothing else was running). */
  foreignRequests: number;
  /** The log went quiet before and after the scenario (false: a count may include something else). */
  isolated: boolean;
  /** 2 when the first measurement was disturbed and repeated. */
  attempt: number;
}

const perTask = (value: number, tasks: number) => round(value / tasks, 3);

/**
 * The trigger fires once per task created, and may log its last executions a little after the tasks reached their
 * final state (on a loaded machine they can queue for seconds in the Functions emulator without a log line), so
 * "quiet" alone could end the window early: first wait until the trigger has finished once per task. (This only
 * decides when to stop waiting; the numbers reported are the executions counted in the log.)
 */
async function waitForTriggers(log: EmulatorLog, mark: number, created: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const finished = log.since(mark).filter((e) => e.type === "finish" && e.fn === ENGINE_TRIGGER).length;
    if (finished >= created) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

export async function measureCounts(
  scenario: CountScenario,
  tasks: number,
  runId: string,
  log: EmulatorLog,
  attempt: number,
): Promise<CountResult> {
  const db = adminDb();
  const parent = db.collection(METERED_COLLECTION).doc(`${runId}-${scenario.id}-${attempt}`);
  const prefix = `${parent.path}/`;
  const quietBefore = await log.waitForQuiet();
  const mark = log.mark();

  const created = await bulkCreate(
    tasks,
    () => ({
      ref: parent.collection("tasks").doc(),
      data: newTask({ type: scenario.type, action: scenario.action, data: scenario.data }),
    }),
    true,
  );
  const finalQuery = parent.collection("tasks").where("state", "==", scenario.expectedState);
  const reached = await waitForCount(finalQuery, tasks, 90_000);
  const allTriggersRan = await waitForTriggers(log, mark, created.written, 90_000);
  const quietAfter = await log.waitForQuiet();
  const events = log.since(mark);

  const invocations = executionsByFunction(events);
  const readsByFunction: Record<string, number> = {};
  const writesByTask = new Map<string, number>();
  let functionWrites = 0;
  let foreignRequests = 0;
  for (const event of events) {
    if (event.type !== "meter") continue;
    const { record } = event;
    if (!record.paths.some((path) => path.startsWith(prefix))) {
      foreignRequests++;
      continue;
    }
    if (record.kind === "read") {
      // The meter names a function by its entry point (`limited.demo.throttled20`), the log by its id (hyphens).
      const fn = record.fn.replaceAll(".", "-");
      readsByFunction[fn] = (readsByFunction[fn] ?? 0) + 1;
    } else {
      functionWrites += record.writes;
      for (const path of record.paths) writesByTask.set(path, (writesByTask.get(path) ?? 0) + 1);
    }
  }
  const totalInvocations = Object.values(invocations).reduce((a, b) => a + b, 0);
  const totalReads = Object.values(readsByFunction).reduce((a, b) => a + b, 0);
  const reading = Object.entries(readsByFunction).reduce(
    (sum, [fn, reads]) => sum + Math.min(reads, invocations[fn] ?? 0),
    0,
  );
  const perTaskWrites = [...writesByTask.values()];

  return {
    id: scenario.id,
    label: scenario.label,
    tasks,
    reachedExpectedState: reached,
    expectedState: scenario.expectedState,
    writesPerTask: {
      client: perTask(created.written, tasks),
      functions: perTask(functionWrites, tasks),
      total: perTask(created.written + functionWrites, tasks),
    },
    invocationsPerTask: {
      total: perTask(totalInvocations, tasks),
      byFunction: Object.fromEntries(Object.entries(invocations).map(([fn, n]) => [fn, perTask(n, tasks)])),
    },
    readsPerTask: {
      total: perTask(totalReads, tasks),
      byFunction: Object.fromEntries(Object.entries(readsByFunction).map(([fn, n]) => [fn, perTask(n, tasks)])),
    },
    readingInvocationsPerTask: perTask(reading, tasks),
    invocationsWithoutReadPerTask: perTask(totalInvocations - reading, tasks),
    sameWritesForEveryTask: perTaskWrites.length === tasks && perTaskWrites.every((n) => n === perTaskWrites[0]),
    foreignRequests,
    isolated: quietBefore && allTriggersRan && quietAfter,
    attempt,
  };
}
