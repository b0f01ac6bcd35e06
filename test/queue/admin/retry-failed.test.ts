// "Retry all matching" across calls: retryFailedTasks stops after its time budget and says where it stopped, and
// the next call goes on from there, so a task is retried once per "Retry all" however many calls it takes.
import { strict as assert } from "node:assert";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { retryFailedTasks } from "../../../functions/src/queue/admin/retry-failed";
import type { RetryTasksResult } from "../../../functions/src/queue/model/admin";
import { handlers } from "../../../functions/src/handlers";
import { sleep, uniqueId } from "../../support/emulators";
import { newParent, taskIn, writeTask } from "../../support/tasks";

/** Resolves once every task in `tasks` is `failed` after `attempts` attempts. */
async function failedAfter(tasks: DocumentReference[], attempts: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(tasks.map((t) => t.get()));
    if (states.every((s) => s.get("state") === "failed" && s.get("attempts") === attempts)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `not all failed after ${attempts}: ${states.map((s) => `${s.get("state")}/${s.get("attempts")}`)}`,
      );
    }
    await sleep(200);
  }
}

describe("retryFailedTasks: retry all matching, across calls", () => {
  it("returns a cursor when its budget runs out and goes on after it, so no task is retried twice", async () => {
    // demo.fail fails again at once: a call that started again at the first document would retry those again.
    const collection = uniqueId("retrycursor").replace("-", "_");
    const parent = await newParent(collection);
    const tasks = await Promise.all(
      Array.from({ length: 5 }, () => writeTask(parent, taskIn("failed", { action: "fail", attempts: 1 }))),
    );
    const byName = [...tasks].sort((a, b) => (a.path < b.path ? -1 : 1));
    const calls: RetryTasksResult[] = [];
    let cursor: string | undefined;
    for (let call = 0; call < 6; call++) {
      // No time at all: each call retries one page of 2, then stops.
      const result = await retryFailedTasks({ collection }, "admin-1", handlers, { pageSize: 2, budgetMs: 0, cursor });
      calls.push(result);
      if (result.complete) break;
      assert.equal(result.cursor, byName[2 * call + 1].path, "the last document read");
      cursor = result.cursor;
      // The retried tasks fail again before the next call: they match the filter again.
      await failedAfter(byName.slice(2 * call, 2 * call + 2), 2);
    }
    assert.deepEqual(
      calls.map((c) => [c.retried, c.complete]),
      [
        [2, false],
        [2, false],
        [1, true],
      ],
    );
    assert.equal(calls[2].cursor, undefined, "complete: nothing to go on from");
    await failedAfter(tasks, 2); // every task retried exactly once
  });

  it("a retried task is live again: its end fields (endedAt, runBucket, expireAt) go", async () => {
    const collection = uniqueId("retryends").replace("-", "_");
    const parent = await newParent(collection);
    const ended = Timestamp.now();
    const task = await writeTask(
      parent,
      taskIn("failed", {
        attempts: 3,
        runAt: Timestamp.fromMillis(Date.now() + 3_600_000), // waits in the queue once retried
        endedAt: ended,
        runBucket: 2,
        expireAt: Timestamp.fromMillis(ended.toMillis() + 90 * 86_400_000),
      }),
    );
    const result = await retryFailedTasks({ collection }, "admin-1", handlers);
    assert.equal(result.retried, 1);
    const stored = (await task.get()).data() ?? {};
    assert.equal(stored.state, "scheduled");
    assert.deepEqual(
      ["endedAt", "runBucket", "expireAt"].filter((field) => field in stored),
      [],
      "no end field is left on a live task",
    );
  });
});
