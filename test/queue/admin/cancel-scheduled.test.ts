// "Cancel all matching" across calls: cancelScheduledTasks stops after its time budget and says where it stopped,
// and the next call goes on from there, without reading again what the previous call handled.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { cancelScheduledTasks } from "../../../functions/src/queue/admin/cancel-scheduled";
import { defineHandler, defineHandlers } from "../../../functions/src/queue/model/registry";
import type { CancelTasksResult } from "../../../functions/src/queue/model/admin";
import { uniqueId } from "../../support/emulators";
import { newParent, writeTask } from "../../support/tasks";

const DAY_MS = 86_400_000;
// Cancelled tasks of demo.noop are kept 7 days; the other handlers' by default.
const registry = defineHandlers({
  demo: { noop: defineHandler({ retainFor: { cancelledDays: 7 } }, () => undefined) },
});

describe("cancelScheduledTasks: cancel all matching, across calls", () => {
  it("returns a cursor when its budget runs out and goes on after it, until every match is cancelled", async () => {
    const collection = uniqueId("cancelcursor").replace("-", "_");
    const parent = await newParent(collection);
    const runAt = Timestamp.fromMillis(Date.now() + 3_600_000);
    const tasks = await Promise.all(
      Array.from({ length: 5 }, () => writeTask(parent, { type: "demo", action: "noop", runAt })),
    );
    const byName = [...tasks].sort((a, b) => (a.path < b.path ? -1 : 1));
    const calls: CancelTasksResult[] = [];
    let cursor: string | undefined;
    for (let call = 0; call < 6; call++) {
      // No time at all: each call cancels one page of 2, then stops.
      const options = { pageSize: 2, budgetMs: 0, cursor };
      const result = await cancelScheduledTasks({ collection }, "admin-1", registry, options);
      calls.push(result);
      if (result.complete) break;
      assert.equal(result.cursor, byName[2 * call + 1].path, "the last document read");
      cursor = result.cursor;
    }
    assert.deepEqual(
      calls.map((c) => [c.cancelled, c.skipped, c.complete]),
      [
        [2, 0, false],
        [2, 0, false],
        [1, 0, true],
      ],
    );
    const stored = await Promise.all(tasks.map((task) => task.get()));
    assert.deepEqual(
      stored.map((s) => [s.get("state"), s.get("cancelledBy")]),
      tasks.map(() => ["cancelled", "admin-1"]),
    );
  });

  it("sets expireAt from the handler's retainFor.cancelledDays, or the default (90 days) without one", async () => {
    const collection = uniqueId("cancelexpire").replace("-", "_");
    const parent = await newParent(collection);
    const runAt = Timestamp.fromMillis(Date.now() + 3_600_000);
    const kept7 = await writeTask(parent, { type: "demo", action: "noop", runAt });
    const unknown = await writeTask(parent, { type: "demo", action: "record", runAt });
    const before = Date.now();
    const result = await cancelScheduledTasks({ collection }, "admin-1", registry);
    const after = Date.now();
    assert.equal(result.cancelled, 2);
    for (const [task, days] of [
      [kept7, 7],
      [unknown, 90],
    ] as const) {
      const expireAt = (await task.get()).get("expireAt");
      assert.ok(expireAt instanceof Timestamp, `${task.path} has expireAt`);
      assert.ok(
        expireAt.toMillis() >= before + days * DAY_MS && expireAt.toMillis() <= after + days * DAY_MS,
        task.path,
      );
    }
  });
});
