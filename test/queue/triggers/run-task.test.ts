// Retries with backoff, permanent errors and delayed tasks, end to end through the deployed trigger and the
// Cloud Tasks queue function.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { handlers } from "../../../functions/src/handlers";
import { sweep } from "../../../functions/src/queue/triggers/sweep-tasks";
import { sleep } from "../../support/emulators";
import { newParent, waitForState, writeTask } from "../../support/tasks";

const millis = (value: unknown) => (value as Timestamp).toMillis();

describe("retries and delayed tasks", () => {
  it("demo.flaky with failTimes 2 completes on attempt 3, two errors in its history, growing gaps", async () => {
    const task = await writeTask(await newParent(), { type: "demo", action: "flaky", data: { failTimes: 2 } });
    const done = await waitForState(task, ["completed", "failed"], 30_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 3);
    assert.deepEqual(done.get("result"), { succeededOnAttempt: 3 });
    const history = done.get("history") as Array<Record<string, unknown>>;
    assert.deepEqual(
      history.map((h) => h.outcome),
      ["retry", "retry", "completed"],
    );
    assert.deepEqual(
      history.slice(0, 2).map((h) => (h.error as { code: string }).code),
      ["handler/error", "handler/error"],
    );
    assert.equal(done.get("error.attempt"), 2, "the last error is kept");
    // The planned backoff (retryAt - endedAt) grows; no attempt starts before its retryAt.
    const backoff1 = millis(history[0].retryAt) - millis(history[0].endedAt);
    const backoff2 = millis(history[1].retryAt) - millis(history[1].endedAt);
    assert.ok(backoff1 >= 500 && backoff1 <= 1000, `first backoff ${backoff1} ms in [0.5 s, 1 s]`);
    assert.ok(backoff2 >= 1000 && backoff2 <= 2000, `second backoff ${backoff2} ms in [1 s, 2 s]`);
    assert.ok(backoff2 > backoff1, `backoff grows: ${backoff1} ms then ${backoff2} ms`);
    for (const i of [0, 1]) {
      const early = millis(history[i].retryAt) - millis(history[i + 1].startedAt);
      assert.ok(early <= 0, `attempt ${i + 2} started ${early} ms before its retryAt`);
    }
  });

  it("demo.fail ends failed after one attempt: a permanent error skips the retries", async () => {
    const task = await writeTask(await newParent(), { type: "demo", action: "fail" });
    const done = await waitForState(task);
    assert.equal(done.get("state"), "failed");
    assert.equal(done.get("attempts"), 1);
    assert.equal(done.get("maxAttempts"), 3);
  });

  it("a handler that always throws a plain error ends failed after maxAttempts", async function () {
    this.timeout(60_000);
    const task = await writeTask(await newParent(), { type: "demo", action: "chaos", data: { failRate: 1 } });
    const done = await waitForState(task, ["completed", "failed"], 55_000);
    assert.equal(done.get("state"), "failed");
    assert.equal(done.get("attempts"), 10);
    assert.equal(done.get("maxAttempts"), 10);
    assert.equal(done.get("error.code"), "handler/error");
    assert.equal(done.get("history").length, 10, "history keeps the last 10 attempts");
  });

  it("a task with runAt 3 s ahead does not start before it and completes within 5 s after it", async () => {
    const runAt = Timestamp.fromMillis(Date.now() + 3000);
    const task = await writeTask(await newParent(), { type: "demo", action: "noop", runAt });
    const done = await waitForState(task, ["completed", "failed"], 15_000);
    assert.equal(done.get("state"), "completed");
    const started = millis(done.get("startedAt"));
    const completed = millis(done.get("completedAt"));
    assert.ok(started >= runAt.toMillis(), `started ${started - runAt.toMillis()} ms after runAt, never before`);
    assert.ok(completed - runAt.toMillis() < 5000, `completed ${completed - runAt.toMillis()} ms after runAt`);
  });

  it("a retry made by hand (the console, the SDK) runs on the sweeper's next pass, with a fresh round of attempts", async function () {
    this.timeout(40_000);
    const task = await writeTask(await newParent(), { type: "demo", action: "flaky", data: { failTimes: 3 } });
    const failed = await waitForState(task, ["completed", "failed"], 30_000);
    assert.equal(failed.get("state"), "failed");
    assert.equal(failed.get("attempts"), 3);
    await task.update({ state: "scheduled", retriedBy: "admin-1", retriedAt: Timestamp.now() });
    await sleep(1000);
    assert.equal((await task.get()).get("state"), "scheduled", "a write to a task does not wake the engine");
    // The sweeper's next pass (without its grace period, which only spares dispatches in flight) finds it due.
    await sweep(handlers, { overdueGraceSeconds: 0 });
    const done = await waitForState(task, ["completed", "failed"], 30_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 4);
    assert.equal(done.get("maxAttempts"), 6);
    assert.equal(done.get("failedAt"), undefined);
  });
});
