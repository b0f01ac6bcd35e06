// One attempt, run in this process on a task the deployed trigger does not watch, with faults injected into the
// task's DocumentReference: a claim or an outcome whose commit landed although the answer said otherwise is
// recognised as ours (the handler runs once and the task ends), and an outcome write that failed transiently is tried
// again, instead of leaving the task `running` until its lease expires.
import { strict as assert } from "node:assert";
import type { DocumentData } from "firebase-admin/firestore";
import { runAttempt } from "../../../functions/src/queue/attempt/run-attempt";
import { handlers } from "../../../functions/src/handlers";
import { runsOf, unwatchedTask, waitForState } from "../../support/tasks";
import {
  DEADLINE_EXCEEDED,
  failsBeforeLanding,
  faultyRef,
  landsThenFails,
  landsThenSdkRetries,
  type Fault,
} from "../store/faults";

/** Runs one attempt of a new task with `fields`, its `update` calls faulted as `faults` say. */
async function attemptWith(faults: Record<number, Fault>, fields: DocumentData = { type: "demo", action: "record" }) {
  const ref = await unwatchedTask(fields);
  const snapshot = await ref.get();
  const faulty = faultyRef(ref, faults);
  await runAttempt({ ref: faulty.ref, updateTime: snapshot.updateTime!, data: snapshot.data()! }, handlers);
  const task = await ref.get();
  return { ref, task, runs: await runsOf(ref), updates: faulty.calls() };
}

function assertCompletedOnce(result: Awaited<ReturnType<typeof attemptWith>>) {
  assert.equal(result.task.get("state"), "completed", JSON.stringify(result.task.get("error")));
  assert.equal(result.task.get("attempts"), 1);
  assert.equal(result.task.get("lease"), undefined);
  assert.equal(result.task.get("history").length, 1);
  assert.equal(result.runs, 1, "the handler ran once");
}

describe("an ambiguous claim commit is recognised as ours", () => {
  it("a claim that landed but answered UNAVAILABLE: the handler runs once and the task completes", async () => {
    assertCompletedOnce(await attemptWith({ 1: landsThenFails() }));
  });

  it("a claim the SDK retried after it landed (FAILED_PRECONDITION): the handler runs once, the task completes", async () => {
    assertCompletedOnce(await attemptWith({ 1: landsThenSdkRetries }));
  });

  it("a claim that lost to another delivery's stays lost: the handler does not run again", async () => {
    const ref = await unwatchedTask({ type: "demo", action: "record" });
    const snapshot = await ref.get();
    const decided = { ref, updateTime: snapshot.updateTime!, data: snapshot.data()! };
    await runAttempt(decided, handlers);
    await runAttempt(decided, handlers);
    const task = await ref.get();
    assert.equal(task.get("state"), "completed");
    assert.equal(task.get("attempts"), 1);
    assert.equal(await runsOf(ref), 1);
  });
});

describe("a transient error on the outcome write is tried again", () => {
  it("UNAVAILABLE before the outcome landed: the task completes", async () => {
    assertCompletedOnce(await attemptWith({ 2: failsBeforeLanding() }));
  });

  it("DEADLINE_EXCEEDED after the outcome landed: the retry's lost precondition is recognised as ours", async () => {
    const result = await attemptWith({ 2: landsThenFails(DEADLINE_EXCEEDED) });
    assertCompletedOnce(result);
    assert.equal(result.updates, 3, "the claim, the outcome, its retry; nothing after");
  });

  it("a retry outcome that landed before UNAVAILABLE is recognised as ours: the next attempt is dispatched", async () => {
    // Only an outcome the attempt knows it wrote queues the next attempt's run (the deployed runTask runs it).
    const result = await attemptWith(
      { 2: landsThenFails() },
      { type: "demo", action: "flaky", data: { failTimes: 1 } },
    );
    assert.equal(result.task.get("state"), "scheduled");
    const done = await waitForState(result.ref, ["completed", "failed"], 30_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 2);
  });

  it("the express path's outcome, retried by the SDK after it landed, is recognised as ours", async () => {
    const result = await attemptWith({ 1: landsThenSdkRetries }, { type: "demo", action: "expressRecord" });
    assertCompletedOnce(result);
  });
});
