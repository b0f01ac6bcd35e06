// Retention: the write that ends a task sets `expireAt` (the TTL policy's field) from its handler's `retainFor`,
// with no write of its own; a claim clears it, so a retried task is never deleted while it runs again. The emulator
// runs no TTL: the policy's declaration is checked in test/deploy/indexes.test.ts.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { RETENTION_DEFAULTS } from "../../../functions/src/queue/config";
import { END_FIELDS, failureThatFits, outcomeUpdate } from "../../../functions/src/queue/attempt/outcome";
import { TaskFailure } from "../../../functions/src/queue/model/errors";
import { defineHandler } from "../../../functions/src/queue/model/registry";
import { resolveRetainFor } from "../../../functions/src/queue/model/retention";
import { ENGINE_FIELD_MAX } from "../../../functions/src/queue/attempt/task-size";
import { handlers } from "../../../functions/src/handlers";
import { newParent, newTask, waitForState } from "../../support/tasks";

const DAY_MS = 86_400_000;

/** Days between the task's end (its `endedAt`, server time) and its `expireAt` (the worker's clock). */
function retainedDays(task: FirebaseFirestore.DocumentData): number {
  const ended = (task.endedAt as Timestamp).toMillis();
  return ((task.expireAt as Timestamp).toMillis() - ended) / DAY_MS;
}

describe("retention (retainFor, expireAt)", () => {
  it("sets expireAt in the ending write: 30 days for completed, 90 for failed, a handler's own retainFor", async () => {
    const parent = await newParent();
    const write = (action: string, data: object) =>
      parent.collection("tasks").add(newTask({ type: "demo", action, data }));
    const [completed, failed, custom] = await Promise.all([
      write("noop", {}),
      write("fail", {}),
      write("sleep", { ms: 1 }),
    ]);
    const done = await Promise.all(
      [completed, failed, custom].map((ref) => waitForState(ref, ["completed", "failed"])),
    );
    const [c, f, s] = done.map((snap) => snap.data()!);
    assert.equal(c.state, "completed");
    assert.equal(f.state, "failed");
    assert.equal(s.state, "completed");
    // The worker's clock and the server's agree to well within a minute on the emulators.
    const close = (actual: number, days: number) => assert.ok(Math.abs(actual - days) < 60_000 / DAY_MS, `${actual}`);
    close(retainedDays(c), RETENTION_DEFAULTS.completedDays);
    close(retainedDays(f), RETENTION_DEFAULTS.failedDays);
    const sleepRetain = handlers.resolve("demo", "sleep")!.options.retainFor.completedDays;
    assert.notEqual(sleepRetain, RETENTION_DEFAULTS.completedDays, "demo.sleep shows a retainFor of its own");
    close(retainedDays(s), sleepRetain);
    for (const task of [c, f, s]) assert.equal(typeof task.runBucket, "number");
  });

  it("keeps expireAt in every smaller form of a failure that would not fit", () => {
    const failure = new TaskFailure("handler/error", "x", false);
    const update = outcomeUpdate({ state: "failed", failure }, { attempt: 1, startedAt: Timestamp.now(), history: [] });
    const huge = { type: "demo", action: "noop", state: "running", data: { blob: "x".repeat(1_040_000) } };
    const fitted = failureThatFits("orders/o/tasks/t", huge, update);
    assert.ok(fitted.expireAt instanceof Timestamp);
    assert.ok("endedAt" in fitted);
  });

  it("counts the end fields in the size a task may grow to (task-size.ts headroom)", () => {
    for (const name of END_FIELDS) assert.ok(ENGINE_FIELD_MAX.has(name), `${name} is not in ENGINE_FIELD_MAX`);
  });

  it("validates retainFor with errors that name the fix", () => {
    assert.deepEqual(resolveRetainFor({ completedDays: 7 }), { ...RETENTION_DEFAULTS, completedDays: 7 });
    assert.throws(() => resolveRetainFor({ completedDays: 0 }), /retainFor.completedDays must be a number of days/);
    assert.throws(() => resolveRetainFor({ completed: 7 } as never), /remove completed/);
    assert.throws(() => defineHandler({ retainFor: { failedDays: 1e6 } }, () => undefined), /in \(0, 3650\]/);
  });
});
