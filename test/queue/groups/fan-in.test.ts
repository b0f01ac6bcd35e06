// Fan-out and fan-in on the emulators: a handler's `ctx.fanOut` writes its children, and the continuation is
// enqueued once, when every child has ended, and runs once, with exact counts per final state: for 1, 20 and 500
// children, when some fail, when a child's event is delivered twice or its run happens twice, when the fanning-out
// attempt is retried. The children run through the deployed trigger, except where a test runs them itself.
import assert from "node:assert/strict";
import type { DocumentReference, DocumentSnapshot } from "firebase-admin/firestore";
import { FANOUT, MAX_PARENT_DEPTH } from "../../../functions/src/queue/config";
import { fanOut, groupId } from "../../../functions/src/queue/groups/fan-out";
import { fanInOf } from "../../../functions/src/queue/groups/fan-in";
import { checkGroups } from "../../../functions/src/queue/groups/check-groups";
import { runAttempt } from "../../../functions/src/queue/attempt/run-attempt";
import { handleTaskCreated, type TaskCreatedEvent } from "../../../functions/src/queue/triggers/dispatch-task";
import { handlers } from "../../../functions/src/handlers";
import { adminDb, uniqueId } from "../../support/emulators";
import { newParent, newParentAt, waitForState, writeTask } from "../../support/tasks";

/** The group's children under `parent`, by their `group` field. */
async function childrenOf(parent: DocumentReference, group: string): Promise<DocumentSnapshot[]> {
  return (await parent.collection("tasks").where("group", "==", group).get()).docs;
}

/** Every continuation of `group` under `parent`: exactly one is the guarantee. */
async function continuationsOf(parent: DocumentReference, group: string): Promise<DocumentSnapshot[]> {
  return (await parent.collection("tasks").where("fanIn.group", "==", group).get()).docs;
}

/** Runs a `demo.fanOut` task through the trigger; resolves to its group and finished continuation. */
async function fanOutTask(children: number, data: Record<string, unknown> = {}, timeoutMs = 50_000) {
  const parent = await newParent();
  const task = await writeTask(parent, { type: "demo", action: "fanOut", data: { children, ...data } });
  const done = await waitForState(task, ["completed", "failed"], 30_000);
  assert.equal(done.get("state"), "completed", JSON.stringify(done.get("error")));
  const { group, continuation } = done.get("result") as { group: string; continuation: string };
  const finished = await waitForState(adminDb().doc(continuation), ["completed", "failed"], timeoutMs);
  return { parent, task: done, group, continuation: finished };
}

const future = () => new Date(Date.now() + 3600_000);
const FAN_IN = { type: "demo", action: "fanIn" } as const;

describe("fan-out and fan-in: ctx.fanOut and ctx.fanIn", () => {
  for (const n of [1, 20, 500]) {
    it(`${n} children: one continuation, run once, with every child counted completed`, async function () {
      this.timeout(90_000);
      const { parent, task, group, continuation } = await fanOutTask(n);
      assert.equal(continuation.get("state"), "completed");
      assert.deepEqual(continuation.get("result"), { completed: n, failed: 0, cancelled: 0 });
      assert.equal(continuation.get("attempts"), 1, "run once");
      assert.equal(continuation.get("enqueuedBy"), task.ref.path);
      assert.deepEqual(continuation.get("fanIn"), {
        group,
        total: n,
        parent: parent.path,
        completed: n,
        failed: 0,
        cancelled: 0,
      });
      assert.equal((await continuationsOf(parent, group)).length, 1);
      const children = await childrenOf(parent, group);
      assert.equal(children.length, n);
      assert.ok(children.every((child) => child.get("state") === "completed" && child.get("groupCounted") === true));
      const record = await adminDb().collection(FANOUT.collection).doc(group).get();
      assert.equal(record.get("state"), "done");
      assert.equal(record.get("continuation"), continuation.ref.path);
      assert.equal(record.get("shardsClosed"), record.get("shards"), "every shard closed, each once");
      assert.deepEqual(record.get("counts"), { completed: n, failed: 0, cancelled: 0 });
    });
  }

  it("failed children count as failed and do not hold the continuation back", async function () {
    this.timeout(60_000);
    const { continuation } = await fanOutTask(10, { failEvery: 3 });
    assert.deepEqual(continuation.get("result"), { completed: 7, failed: 3, cancelled: 0 });
  });

  it("a retried fanning-out attempt writes no child twice and enqueues one continuation", async function () {
    this.timeout(60_000);
    const { parent, task, group, continuation } = await fanOutTask(30, { failFirstAttempt: true });
    assert.equal(task.get("attempts"), 2, "the first attempt failed after fanning out");
    assert.equal((await childrenOf(parent, group)).length, 30);
    assert.equal((await continuationsOf(parent, group)).length, 1);
    assert.deepEqual(continuation.get("result"), { completed: 30, failed: 0, cancelled: 0 });
    assert.equal(continuation.get("attempts"), 1);
  });

  it("ctx.fanIn lists the children, all or by final state", async function () {
    this.timeout(60_000);
    const { continuation } = await fanOutTask(6, { failEvery: 2 });
    const fanIn = fanInOf(continuation.get("fanIn")); // what the continuation's handler got as ctx.fanIn
    assert.ok(fanIn);
    assert.equal((await fanIn.children().count().get()).data().count, 6);
    const failed = await fanIn.children("failed").select().get();
    assert.equal(failed.size, 3);
    assert.ok(failed.docs.every((doc) => doc.ref.path.startsWith(`${continuation.ref.parent.path}/`)));
  });

  describe("children run by hand (due in an hour, so the trigger only queues them)", () => {
    /** Fans out `n` `demo.noop` children due in an hour, as a handler of an imaginary task under a fresh parent. */
    async function fanOutLater(
      n: number,
      children = Array.from({ length: n }, () => ({ type: "demo", action: "noop" })),
    ) {
      const parent = await newParent();
      const taskPath = `${parent.path}/tasks/${uniqueId("fanner")}`;
      const group = groupId(taskPath, 0);
      const requests = children.map((child) => ({ ...child, runAt: future() })) as never[];
      const result = await fanOut(taskPath, group, parent, requests, { then: { type: "demo", action: "fanIn" } });
      return { parent, taskPath, group, requests, result };
    }

    it("a child's creation event delivered twice, and its run repeated, counts it once", async function () {
      this.timeout(60_000);
      const { parent, group, result } = await fanOutLater(5);
      const children = await childrenOf(parent, group);
      for (const child of children) {
        const created = { ref: child.ref, updateTime: child.updateTime!, data: child.data()! };
        // Two concurrent runs of one attempt (a duplicate delivery), then a late third: one claim, one count.
        await Promise.all([runAttempt(created, handlers), runAttempt(created, handlers)]);
        await runAttempt(created, handlers);
        const event = { data: await child.ref.get(), params: {} } as unknown as TaskCreatedEvent;
        await handleTaskCreated(event, handlers); // a completion's snapshot delivered as an event: nothing to do
      }
      const continuation = await waitForState(result.continuation, ["completed"], 30_000);
      assert.deepEqual(continuation.get("result"), { completed: 5, failed: 0, cancelled: 0 });
      assert.equal((await continuationsOf(parent, group)).length, 1);
      const shards = await adminDb().collection(FANOUT.collection).doc(group).collection("shards").get();
      assert.equal(
        shards.docs.reduce((sum, shard) => sum + shard.get("ended"), 0),
        5,
      );
    });

    it("a child cancelled by an admin counts: the sweeper's check finishes the group", async function () {
      this.timeout(60_000);
      const { parent, group, result } = await fanOutLater(3);
      const [first, second, third] = await childrenOf(parent, group);
      for (const child of [first, second]) {
        await runAttempt({ ref: child.ref, updateTime: child.updateTime!, data: child.data()! }, handlers);
      }
      const later = new Date(Date.now() + (FANOUT.checkAfterSeconds + 60) * 1000);
      await checkGroups(later, 1000);
      assert.equal((await result.continuation.get()).exists, false, "a child is still scheduled: not finished");
      // An admin's cancel, as the rules allow it: a client write that wakes no function.
      await third.ref.update({ state: "cancelled", cancelledBy: "admin-1" });
      const summary = await checkGroups(new Date(later.getTime() + (FANOUT.checkAfterSeconds + 60) * 1000), 1000);
      assert.ok(summary.finished >= 1);
      const continuation = await waitForState(result.continuation, ["completed"], 30_000);
      assert.deepEqual(continuation.get("result"), { completed: 2, failed: 0, cancelled: 1 });
      assert.equal((await continuationsOf(parent, group)).length, 1);
    });

    it("a fan-out written again with the same group writes nothing twice", async function () {
      this.timeout(60_000);
      const { parent, taskPath, group, requests, result } = await fanOutLater(12);
      const before = await childrenOf(parent, group);
      const again = await fanOut(taskPath, group, parent, requests, { then: { type: "demo", action: "fanIn" } });
      assert.equal(again.continuation.path, result.continuation.path);
      const after = await childrenOf(parent, group);
      assert.equal(after.length, 12);
      assert.deepEqual(
        after.map((child) => child.updateTime?.toMillis()),
        before.map((child) => child.updateTime?.toMillis()),
        "no child rewritten",
      );
    });
  });

  it("refuses no children, too many, and a child whose data its schema refuses, writing nothing", async () => {
    const parent = await newParent();
    const then = { then: { type: "demo", action: "fanIn" } } as const;
    const taskPath = `${parent.path}/tasks/x`;
    await assert.rejects(fanOut(taskPath, uniqueId("g"), parent, [], then), { code: "enqueue/invalid-fan-out" });
    const many = Array.from({ length: FANOUT.maxChildren + 1 }, () => ({ type: "demo", action: "noop" }) as const);
    await assert.rejects(fanOut(taskPath, uniqueId("g"), parent, many, then), { code: "enqueue/invalid-fan-out" });
    const bad = [{ type: "demo", action: "chain", data: { steps: -1 } }] as never[];
    await assert.rejects(fanOut(taskPath, uniqueId("g"), parent, bad, then), { code: "enqueue/invalid-data" });
    assert.equal((await parent.collection("tasks").get()).size, 0);
  });

  it(`refuses a parent deeper than depth ${MAX_PARENT_DEPTH} with an error naming the depths served, writing nothing`, async () => {
    const deep = await newParentAt(MAX_PARENT_DEPTH + 1);
    const requests = [{ type: "demo", action: "noop" }] as const;
    await assert.rejects(fanOut(`${deep.path}/tasks/x`, uniqueId("g"), deep, requests, { then: FAN_IN }), {
      code: "enqueue/unsupported-parent",
      message: new RegExp(`fan out under ${deep.path}: .*depth 1 to ${MAX_PARENT_DEPTH}`),
    });
    assert.equal((await deep.collection("tasks").get()).size, 0);
  });

  it(`fans out under a parent at depth ${MAX_PARENT_DEPTH}: the children and the continuation run there`, async () => {
    const parent = await newParentAt(MAX_PARENT_DEPTH);
    const task = await writeTask(parent, { type: "demo", action: "fanOut", data: { children: 3 } });
    const done = await waitForState(task, ["completed", "failed"], 30_000);
    const { continuation } = done.get("result") as { continuation: string };
    assert.equal(adminDb().doc(continuation).parent.parent?.path, parent.path);
    const finished = await waitForState(adminDb().doc(continuation), ["completed", "failed"], 30_000);
    assert.deepEqual(finished.get("result"), { completed: 3, failed: 0, cancelled: 0 });
  });
});
