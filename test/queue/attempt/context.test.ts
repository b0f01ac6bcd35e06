// ctx.enqueue end to end: a handler's follow-up tasks run through the deployed trigger, and a retried attempt
// enqueues the same follow-ups again (their ids come from the enqueuing task's path), not new ones.
import assert from "node:assert/strict";
import { Timestamp } from "firebase-admin/firestore";
import { createContext } from "../../../functions/src/queue/attempt/context";
import { followUpTaskId } from "../../../functions/src/queue/store/enqueue-task";
import type { FencedWriter } from "../../../functions/src/queue/store/fenced-writer";
import { adminDb, uniqueId } from "../../support/emulators";
import { newParent, waitForState, writeTask } from "../../support/tasks";

describe("ctx.enqueue: handlers chain follow-up tasks", () => {
  it("demo.chain enqueues the next link under the same parent until the chain ends", async () => {
    const parent = await newParent();
    const first = await writeTask(parent, { type: "demo", action: "chain", data: { steps: 2 } });
    const paths = [first.path];
    // chain(2) → chain(1) → chain(0) → noop; each follow-up's id comes from its creator's path.
    for (let i = 0; i < 4; i++) {
      const ref = adminDb().doc(paths[i]);
      const done = await waitForState(ref, ["completed", "failed"], 30_000);
      assert.equal(done.get("state"), "completed", JSON.stringify(done.get("error")));
      if (i > 0) assert.equal(done.get("enqueuedBy"), paths[i - 1]);
      const next = i < 2 ? "demo.chain" : "demo.noop";
      if (i < 3) paths.push(parent.collection("tasks").doc(followUpTaskId(ref.path, 0, next)).path);
    }
    assert.equal((await adminDb().doc(paths[3]).get()).get("action"), "noop");
    assert.equal((await parent.collection("tasks").get()).size, 4);
  });

  it("a retried attempt enqueues the same follow-ups, not new ones", async () => {
    const parent = await newParent();
    // Far in the future: the follow-ups stay scheduled, so the test can count them undisturbed.
    const runAt = Timestamp.fromMillis(Date.now() + 24 * 3600_000);
    const taskRef = parent.collection("tasks").doc(uniqueId("origin"));
    for (const attempt of [1, 2]) {
      const ctx = createContext({
        writer: { ref: taskRef } as unknown as FencedWriter,
        attempt,
        maxAttempts: 3,
        controller: new AbortController(),
      });
      await ctx.enqueue({ type: "demo", action: "sleep", data: { ms: 1 }, runAt });
      await ctx.enqueue({ type: "demo", action: "noop", runAt });
    }
    const followUps = await parent.collection("tasks").get();
    assert.deepEqual(followUps.docs.map((d) => d.id).sort(), [
      ...[followUpTaskId(taskRef.path, 0, "demo.sleep"), followUpTaskId(taskRef.path, 1, "demo.noop")].sort(),
    ]);
    assert.ok(followUps.docs.every((d) => d.get("enqueuedBy") === taskRef.path && d.get("state") === "scheduled"));
  });

  it("a retried attempt that enqueues a different handler gets a task of its own, not the earlier one", async () => {
    const parent = await newParent();
    const runAt = Timestamp.fromMillis(Date.now() + 24 * 3600_000);
    const taskRef = parent.collection("tasks").doc(uniqueId("origin"));
    const enqueued = [];
    for (const action of ["sleep", "noop"] as const) {
      const ctx = createContext({
        writer: { ref: taskRef } as unknown as FencedWriter,
        attempt: 1,
        maxAttempts: 3,
        controller: new AbortController(),
      });
      enqueued.push(await ctx.enqueue({ type: "demo", action, runAt }));
    }
    assert.notEqual(enqueued[0].path, enqueued[1].path);
    assert.equal((await enqueued[1].get()).get("action"), "noop");
  });
});
