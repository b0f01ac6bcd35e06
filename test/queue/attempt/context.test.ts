// ctx.enqueue end to end: a handler's follow-up tasks run through the deployed trigger, and a retried attempt
// enqueues the same follow-ups again (their ids come from the enqueuing task's path), not new ones.
import assert from "node:assert/strict";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { Timestamp as ClientTimestamp, doc, serverTimestamp, setDoc } from "firebase/firestore";
import { createContext } from "../../../functions/src/queue/attempt/context";
import { followUpTaskId } from "../../../functions/src/queue/store/enqueue-task";
import type { FencedWriter } from "../../../functions/src/queue/store/fenced-writer";
import { signedInClient, type Client } from "../../support/client";
import { adminDb, uniqueId } from "../../support/emulators";
import { newParent, newParentAt, newTask, waitForState, writeTask } from "../../support/tasks";
import { MAX_PARENT_DEPTH } from "../../../functions/src/queue/config";
import "../../../functions/src/handlers"; // registers the schemas enqueueTask checks data against

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

  it("a follow-up with a dedupKey: a retried attempt gets its own task back, another task gets the live one", async () => {
    const parent = await newParent();
    const runAt = Timestamp.fromMillis(Date.now() + 24 * 3600_000);
    const key = uniqueId("key");
    const origin = parent.collection("tasks").doc(uniqueId("origin"));
    const first = await contextOf(origin, 1).enqueue({ type: "demo", action: "noop", runAt }, { dedupKey: key });
    const retried = await contextOf(origin, 2).enqueue({ type: "demo", action: "noop", runAt }, { dedupKey: key });
    const other = parent.collection("tasks").doc(uniqueId("other"));
    const fromOther = await contextOf(other).enqueue({ type: "demo", action: "noop", runAt }, { dedupKey: key });
    assert.equal(retried.path, first.path);
    assert.equal(fromOther.path, first.path, "the key is live: its task, not a second one");
    assert.equal((await first.get()).get("dedupKey"), key);
    assert.equal((await parent.collection("tasks").where("dedupKey", "==", key).get()).size, 1);
  });

  /** The context an attempt of `taskRef` gets (only its ref is needed to enqueue). */
  function contextOf(taskRef: DocumentReference, attempt = 1) {
    return createContext({
      writer: { ref: taskRef } as unknown as FencedWriter,
      attempt,
      maxAttempts: 3,
      controller: new AbortController(),
    });
  }

  /** What a parent's owner can do through the rules: create a task of their choosing at a path they predicted. */
  async function preempt(client: Client, path: string): Promise<void> {
    await setDoc(doc(client.db, path), {
      type: "order",
      action: "sendConfirmationEmail",
      state: "scheduled",
      data: { chosenBy: "the client" },
      runAt: ClientTimestamp.fromMillis(Date.now() + 24 * 3600_000), // stays scheduled while the test looks
      createdAt: serverTimestamp(),
      createdBy: client.user.uid,
    });
  }

  it("a follow-up id a client took first is an error: the client's task is not reported as the follow-up", async () => {
    const client = await signedInClient();
    try {
      const parent = await newParent("orders", { ownerId: client.user.uid });
      const taskRef = parent.collection("tasks").doc(uniqueId("origin"));
      const runAt = Timestamp.fromMillis(Date.now() + 24 * 3600_000);
      // The parent's owner predicts the id of the handler's first follow-up and writes a task of their own there,
      // through the security rules, before the handler runs.
      const predicted = followUpTaskId(taskRef.path, 0, "order.sendConfirmationEmail");
      await preempt(client, `${parent.path}/tasks/${predicted}`);
      await assert.rejects(contextOf(taskRef).enqueue({ type: "order", action: "sendConfirmationEmail", runAt }), {
        code: "enqueue/id-taken",
        message: new RegExp(`${parent.path}/tasks/${predicted}.*not enqueued by server code`),
      });
      const taken = await adminDb().doc(`${parent.path}/tasks/${predicted}`).get();
      assert.equal(taken.get("createdBy"), client.user.uid);
      assert.equal(taken.get("enqueuedBy"), undefined);
    } finally {
      await client.close();
    }
  });

  it("a handler whose follow-up id a client took first fails at once with enqueue/id-taken", async () => {
    const client = await signedInClient();
    try {
      const parent = await newParent("orders", { ownerId: client.user.uid });
      const chain = parent.collection("tasks").doc(uniqueId("chain"));
      await preempt(client, `${parent.path}/tasks/${followUpTaskId(chain.path, 0, "demo.noop")}`);
      await chain.set(newTask({ type: "demo", action: "chain", data: { steps: 0 } }));
      const done = await waitForState(chain, ["completed", "failed"], 30_000);
      assert.equal(done.get("state"), "failed", JSON.stringify(done.data()));
      assert.equal(done.get("error.code"), "enqueue/id-taken");
      assert.equal(done.get("attempts"), 1);
    } finally {
      await client.close();
    }
  });

  it("refuses a follow-up whose data its handler's schema refuses (enqueue/invalid-data, naming the field), writing nothing", async () => {
    const parent = await newParent();
    const ctx = contextOf(parent.collection("tasks").doc(uniqueId("origin")));
    // The compiler refuses it too (test/client/fixtures/typed-enqueue.ts): the cast stands for untyped callers.
    await assert.rejects(ctx.enqueue({ type: "demo", action: "chain", data: { steps: "2" } } as never), {
      name: "PermanentError",
      code: "enqueue/invalid-data",
      message: /^cannot enqueue demo\.chain: data\.steps: .*expected number, received string/,
    });
    assert.equal((await parent.collection("tasks").get()).size, 0);
  });

  it("under a parent at depth 3: params name the direct parent and its path; enqueue writes beside the task", async () => {
    const parent = await newParentAt(3);
    const ctx = contextOf(parent.collection("tasks").doc(uniqueId("origin")));
    const [collection] = parent.path.split("/").slice(-2);
    assert.equal(ctx.parentRef.path, parent.path);
    assert.deepEqual(ctx.params, {
      collection,
      parentId: parent.id,
      taskId: ctx.taskRef.id,
      parentPath: parent.path,
      depth: 3,
    });
    const next = await ctx.enqueue({ type: "demo", action: "noop", runAt: new Date(Date.now() + 86_400_000) });
    assert.equal(next.parent.parent?.path, parent.path);
  });

  it(`refuses a parent deeper than depth ${MAX_PARENT_DEPTH} (options.parent) with an error naming the depths served, and writes nothing`, async () => {
    const parent = await newParent();
    const deep = await newParentAt(MAX_PARENT_DEPTH + 1);
    const ctx = contextOf(parent.collection("tasks").doc(uniqueId("origin")));
    await assert.rejects(ctx.enqueue({ type: "demo", action: "noop" }, { parent: deep }), {
      code: "enqueue/unsupported-parent",
      message: new RegExp(`depth 1 to ${MAX_PARENT_DEPTH}`),
    });
    assert.equal((await deep.collection("tasks").get()).size, 0);
  });
});
