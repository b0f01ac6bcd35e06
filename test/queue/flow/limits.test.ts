// Rate and concurrency limits: the queue limits derived from a handler's options, the names of the limited queues,
// and, on the emulators, that every start of a limited handler honours them across the whole run.
import { strict as assert } from "node:assert";
import type { DocumentReference, DocumentSnapshot } from "firebase-admin/firestore";
import { checkLimits, limitedQueues, queueLimits, runQueueOf } from "../../../functions/src/queue/flow/limits";
import { defineHandler, defineHandlers } from "../../../functions/src/queue";
import { handlers } from "../../../functions/src/handlers";
import { newParent, waitForState, writeTask } from "../../support/tasks";

const noop = () => undefined;

describe("flow/limits: queue limits from a handler's options", () => {
  it("a rate limit alone: one lane per start a second, each held a second after its start", () => {
    assert.deepEqual(queueLimits({ rateLimit: { perSecond: 5 } }), {
      maxDispatchesPerSecond: 5,
      maxConcurrentDispatches: 5,
      spacingMs: 1000,
    });
  });

  it("a rate limit above the concurrency: fewer lanes, each starting several times a second", () => {
    assert.deepEqual(queueLimits({ rateLimit: { perSecond: 20 }, maxConcurrent: 5 }), {
      maxDispatchesPerSecond: 20,
      maxConcurrentDispatches: 5,
      spacingMs: 250,
    });
    // 5 a second over 2 lanes: 2 starts a lane (4 a second), never 3 (6 a second would break the limit).
    assert.deepEqual(queueLimits({ rateLimit: { perSecond: 5 }, maxConcurrent: 2 }), {
      maxDispatchesPerSecond: 5,
      maxConcurrentDispatches: 2,
      spacingMs: 500,
    });
  });

  it("a concurrency limit alone: that many lanes, released when the attempt ends", () => {
    assert.deepEqual(queueLimits({ maxConcurrent: 3 }), {
      maxDispatchesPerSecond: 500,
      maxConcurrentDispatches: 3,
      spacingMs: 0,
    });
  });

  it("no limits: no queue of its own (the one-invocation path)", () => {
    assert.equal(queueLimits({}), undefined);
    assert.equal(runQueueOf(handlers, "demo", "noop"), "runTask");
    assert.equal(runQueueOf(handlers, "demo", "throttled"), "limited-demo-throttled");
    assert.equal(runQueueOf(handlers, "demo", "missing"), "runTask");
    assert.equal(runQueueOf(handlers, 42, undefined), "runTask");
  });

  it("refuses limits Cloud Tasks cannot hold, naming the bound", () => {
    assert.throws(() => checkLimits({ rateLimit: { perSecond: 501 } }), /1 to 500 \(Cloud Tasks' ceiling per queue\)/);
    assert.throws(() => checkLimits({ rateLimit: { perSecond: 0 } }), /integer from 1 to 500/);
    assert.throws(() => checkLimits({ rateLimit: { perSecond: 2.5 } }), /integer from 1 to 500/);
    assert.throws(() => checkLimits({ maxConcurrent: 0 }), /integer >= 1/);
    assert.throws(() => checkLimits({ maxConcurrent: 5001 }), /at most 5000/);
    assert.throws(() => defineHandler({ rateLimit: { perSecond: 1000 } }, noop), RangeError);
  });

  it("names each limited handler's queue after it, and refuses names that cannot be a queue", () => {
    const registry = defineHandlers({
      mail: { send: defineHandler({ rateLimit: { perSecond: 10 } }, noop), other: defineHandler({}, noop) },
      reports: { monthly: { build: defineHandler({ maxConcurrent: 2 }, noop) } },
    });
    assert.deepEqual(
      limitedQueues(registry).map(({ name, exportPath }) => ({ name, exportPath })),
      [
        { name: "limited-mail-send", exportPath: ["limited", "mail", "send"] },
        { name: "limited-reports-monthly-build", exportPath: ["limited", "reports", "monthly", "build"] },
      ],
    );
    const limitedNoop = defineHandler({ maxConcurrent: 1 }, noop);
    assert.throws(() => limitedQueues(defineHandlers({ mail: { send_now: limitedNoop } })), /only letters and digits/);
    assert.throws(
      () => limitedQueues(defineHandlers({ mail: { "send-now": limitedNoop } })),
      /only letters and digits/,
    );
    assert.throws(() => limitedQueues(defineHandlers({ mail: { ["x".repeat(60)]: limitedNoop } })), /63 characters/);
  });
});

/** Writes `count` tasks of `action` at once and waits until every one has ended; returns their final snapshots. */
async function runAll(action: string, count: number, data: object = {}, timeoutMs = 60_000) {
  const parent = await newParent("limits");
  const tasks: DocumentReference[] = await Promise.all(
    Array.from({ length: count }, () => writeTask(parent, { type: "demo", action, data })),
  );
  return Promise.all(tasks.map((task) => waitForState(task, ["completed", "failed"], timeoutMs)));
}

const millis = (snapshot: DocumentSnapshot, field: string) => snapshot.get(field).toMillis() as number;

/** The most starts (by `startedAt`) in any one-second window: each start opens one, as the worst case does. */
function mostStartsInOneSecond(snapshots: DocumentSnapshot[]): number {
  const starts = snapshots.map((s) => millis(s, "startedAt")).sort((a, b) => a - b);
  return Math.max(...starts.map((from) => starts.filter((t) => t >= from && t < from + 1000).length));
}

describe("flow/limits on the emulators: every start honours the handler's limits", () => {
  it("50 demo.throttled tasks (5 a second) written at once: never more than 5 starts in a second, all complete", async function () {
    this.timeout(90_000);
    const done = await runAll("throttled", 50);
    assert.deepEqual(
      done.map((s) => s.get("state")),
      done.map(() => "completed"),
    );
    const most = mostStartsInOneSecond(done);
    assert.ok(most <= 5, `${most} starts within one second`);
    // The limit holds without starving the handler: 50 starts at 5 a second take about 10 s.
    const starts = done.map((s) => millis(s, "startedAt"));
    const span = Math.max(...starts) - Math.min(...starts);
    assert.ok(span >= 9000, `50 starts within ${span} ms`);
  });

  it("10 demo.serial tasks (one at a time) of 300 ms: no two overlap, all complete", async function () {
    this.timeout(60_000);
    const done = await runAll("serial", 10, { ms: 300 });
    assert.deepEqual(
      done.map((s) => s.get("state")),
      done.map(() => "completed"),
    );
    const runs = done
      .map((s) => ({ from: millis(s, "startedAt"), to: millis(s, "completedAt") }))
      .sort((a, b) => a.from - b.from);
    for (let i = 1; i < runs.length; i++) {
      assert.ok(
        runs[i].from >= runs[i - 1].to,
        `run ${i} started ${runs[i - 1].to - runs[i].from} ms before ${i - 1} ended`,
      );
    }
    for (const run of runs) assert.ok(run.to - run.from >= 300, "each run waited its 300 ms");
  });
});
