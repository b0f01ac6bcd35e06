import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { outcomeUpdate, storableResult } from "../../../functions/src/queue/attempt/outcome";
import { attemptBudget } from "../../../functions/src/queue/attempt/claim";
import { TaskFailure } from "../../../functions/src/queue/model/errors";

describe("outcome records", () => {
  const info = (history: unknown) => ({ attempt: 11, startedAt: Timestamp.now(), history });

  it("keeps only the last 10 attempts in history", () => {
    const previous = Array.from({ length: 10 }, (_, i) => ({ attempt: i + 1, outcome: "retry" }));
    const failure = new TaskFailure("handler/error", "boom", true);
    const update = outcomeUpdate({ state: "failed", failure }, info(previous));
    const history = update.history as Array<{ attempt: number }>;
    assert.equal(history.length, 10);
    assert.equal(history[0].attempt, 2);
    assert.equal(history[9].attempt, 11);
  });

  it("never writes `data`", () => {
    const update = outcomeUpdate({ state: "completed", result: 1 }, info([]), 1);
    assert.equal("data" in update, false);
  });

  it("stores small JSON results and drops large, unserialisable or unstorable ones, saying why", () => {
    assert.deepEqual(storableResult({ a: 1, when: new Date(0) }).value, { a: 1, when: "1970-01-01T00:00:00.000Z" });
    assert.match(storableResult("x".repeat(20_000)).problem!, /more than 16384/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.match(storableResult(cyclic).problem!, /not JSON-serialisable/);
    assert.match(storableResult({ rows: [[1, 2]] }).problem!, /array directly inside an array/);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 25; i++) deep = { deep };
    assert.match(storableResult(deep).problem!, /20 levels/);
    assert.deepEqual(storableResult({ rows: [{ cells: [1, 2] }] }).value, { rows: [{ cells: [1, 2] }] });
    assert.deepEqual(storableResult(undefined), {});
  });
});

describe("attempt budget", () => {
  it("a new task gets the handler's maxAttempts", () => {
    assert.deepEqual(attemptBudget({}, 3), { attempt: 1, maxAttempts: 3 });
  });
  it("a retried attempt keeps the limit that applied", () => {
    assert.deepEqual(attemptBudget({ attempts: 2, maxAttempts: 3 }, 5), { attempt: 3, maxAttempts: 3 });
  });
  it("an admin retry of a failed task starts a fresh round", () => {
    assert.deepEqual(attemptBudget({ attempts: 3, maxAttempts: 3, failedAt: Timestamp.now() }, 3), {
      attempt: 4,
      maxAttempts: 6,
    });
  });
});
