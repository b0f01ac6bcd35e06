// ctx.progress coalesces: at most one write a second per task, the last value wins, and the outcome never waits
// behind progress writes. A handler reporting progress in a tight loop costs a few writes, not one per call.
import { strict as assert } from "node:assert";
import type { DocumentReference } from "firebase-admin/firestore";
import { runAttempt } from "../../../functions/src/queue/attempt/run-attempt";
import { defineHandler, defineHandlers } from "../../../functions/src/queue";
import { handlers } from "../../../functions/src/handlers";
import { LIMITS } from "../../../functions/src/queue/config";
import { newParent, unwatchedTask, waitForState } from "../../support/tasks";
import { sleep } from "../../support/emulators";
import { faultyRef } from "../store/faults";

/** Runs one attempt of a new task in this process, counting the engine's writes to it (claim, progress, outcome). */
async function attemptCounting(fields: Record<string, unknown>, registry = handlers) {
  const ref = await unwatchedTask(fields);
  const snapshot = await ref.get();
  const counted = faultyRef(ref, {});
  const started = Date.now();
  await runAttempt({ ref: counted.ref, updateTime: snapshot.updateTime!, data: snapshot.data()! }, registry);
  return { task: await ref.get(), writes: counted.calls(), ms: Date.now() - started };
}

describe("ctx.progress coalesces", () => {
  it("demo.progressStorm (1,000 calls in a tight loop) completes promptly with a few writes", async () => {
    const { task, writes, ms } = await attemptCounting({ type: "demo", action: "progressStorm" });
    assert.equal(task.get("state"), "completed");
    assert.equal(task.get("progress"), 100);
    assert.ok(writes <= 3, `${writes} writes: the claim, one progress write, the outcome`);
    assert.ok(ms < LIMITS.progressIntervalMs, `took ${ms} ms: the outcome did not wait for a progress write`);
  });

  it("the last value wins, written within a second", async () => {
    const seen: unknown[] = [];
    const registry = defineHandlers({
      test: {
        steps: defineHandler({}, async (_data, ctx) => {
          for (const percent of [10, 20, 30]) await ctx.progress(percent);
          seen.push((await ctx.taskRef.get()).get("progress"));
          await sleep(LIMITS.progressIntervalMs + 300);
          seen.push((await ctx.taskRef.get()).get("progress"));
        }),
      },
    });
    const { task, writes } = await attemptCounting({ type: "test", action: "steps" }, registry);
    assert.deepEqual(seen, [10, 30], "the first value at once, the last one a second later; 20 never");
    assert.equal(writes, 4, "the claim, 10, 30, the outcome");
    assert.equal(task.get("state"), "completed");
  });

  it("through the deployed trigger: 1,000 calls make a handful of task snapshots", async () => {
    const ref: DocumentReference = (await newParent()).collection("tasks").doc();
    const versions = new Set<string>();
    const unsubscribe = ref.onSnapshot((snap) => {
      if (snap.exists) versions.add(snap.updateTime!.toDate().toISOString() + snap.updateTime!.nanoseconds);
    });
    const started = Date.now();
    await ref.set({ type: "demo", action: "progressStorm", state: "scheduled", data: {} });
    const done = await waitForState(ref, ["completed", "failed"], 30_000);
    const ms = Date.now() - started;
    await sleep(500);
    unsubscribe();
    assert.equal(done.get("state"), "completed", JSON.stringify(done.get("error")));
    assert.ok(versions.size <= 5, `${versions.size} versions seen: the create, the claim, progress, the outcome`);
    assert.ok(ms < 10_000, `completed in ${ms} ms`);
  });
});
