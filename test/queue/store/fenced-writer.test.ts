// The fenced writer on the emulator, with faults injected into a real DocumentReference: a transient error is tried
// again, and a write that landed although its caller was told otherwise (an UNAVAILABLE answer, or the SDK's own retry
// of a commit that had succeeded, which then fails its precondition) is recognised as ours, never taken for a lost
// lease. A write that someone else's overtook stays lost.
import { strict as assert } from "node:assert";
import { FieldValue, Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { FencedWriter } from "../../../functions/src/queue/store/fenced-writer";
import { LIMITS } from "../../../functions/src/queue/config";
import { taskIn, unwatchedTask } from "../../support/tasks";
import { adminDb, uniqueId } from "../../support/emulators";
import {
  DEADLINE_EXCEEDED,
  failsBeforeLanding,
  faultyRef,
  landsThenFails,
  landsThenSdkRetries,
  type Fault,
} from "./faults";

const OWNER = "worker-1"; // taskIn("running") leases the task to worker-1

async function runningTask(): Promise<{ ref: DocumentReference; updateTime: Timestamp }> {
  const ref = await unwatchedTask(taskIn("running"));
  return { ref, updateTime: (await ref.get()).updateTime! };
}

async function writerWith(faults: Record<number, Fault>) {
  const { ref, updateTime } = await runningTask();
  const faulty = faultyRef(ref, faults);
  return { ref, writer: new FencedWriter(faulty.ref, updateTime, OWNER), calls: faulty.calls };
}

const progress = (value: number) => ({ progress: value, updatedAt: FieldValue.serverTimestamp() });
const completed = () => ({
  state: "completed",
  completedAt: FieldValue.serverTimestamp(),
  updatedAt: FieldValue.serverTimestamp(),
  lease: FieldValue.delete(),
  history: [{ attempt: 1, startedAt: Timestamp.now(), endedAt: Timestamp.now(), outcome: "completed" }],
});

describe("fenced writer: transient errors and ambiguous commits", () => {
  it("tries a write that failed UNAVAILABLE before landing again", async () => {
    const { ref, writer, calls } = await writerWith({ 1: failsBeforeLanding() });
    assert.equal(await writer.update(completed()), true);
    assert.equal(calls(), 2);
    assert.equal((await ref.get()).get("state"), "completed");
  });

  it("recognises a write that landed before a DEADLINE_EXCEEDED answer as ours, and fences on it", async () => {
    const { ref, writer } = await writerWith({ 1: landsThenFails(DEADLINE_EXCEEDED) });
    assert.equal(await writer.update(progress(40)), true);
    assert.equal(await writer.update(completed()), true, "the next write is conditioned on the one that landed");
    const task = await ref.get();
    assert.equal(task.get("state"), "completed");
    assert.equal(task.get("progress"), 40);
  });

  it("recognises a write the SDK retried after it landed (FAILED_PRECONDITION) as ours", async () => {
    const { ref, writer } = await writerWith({ 1: landsThenSdkRetries });
    assert.equal(await writer.update(completed()), true);
    assert.equal((await ref.get()).get("state"), "completed");
  });

  it("takes a write that landed and was then overwritten by the sweeper for lost", async () => {
    const { ref, updateTime } = await runningTask();
    const sweeperWrites: Fault = async (update) => {
      const landed = await update();
      // The sweeper recovers the task between our write and our retry: it deletes our lease.
      await ref.update(
        { state: "scheduled", lease: FieldValue.delete(), updatedAt: FieldValue.serverTimestamp() },
        { lastUpdateTime: landed.writeTime },
      );
      return update();
    };
    const writer = new FencedWriter(faultyRef(ref, { 1: sweeperWrites }).ref, updateTime, OWNER);
    assert.equal(await writer.update(progress(40)), false);
    assert.equal(await writer.update(completed()), false, "fenced for good");
    assert.equal((await ref.get()).get("state"), "scheduled");
  });

  it("takes a write that lost its precondition to another writer for lost", async () => {
    const { ref, updateTime } = await runningTask();
    await ref.update({ state: "scheduled", lease: FieldValue.delete(), updatedAt: FieldValue.serverTimestamp() });
    const writer = new FencedWriter(ref, updateTime, OWNER);
    assert.equal(await writer.update(completed()), false);
    assert.equal((await ref.get()).get("state"), "scheduled");
  });

  it(`gives up after ${LIMITS.writeAttempts} transient failures, with the last error`, async () => {
    const faults = Object.fromEntries(
      Array.from({ length: LIMITS.writeAttempts }, (_, i) => [i + 1, failsBeforeLanding()]),
    );
    const { ref, writer, calls } = await writerWith(faults);
    await assert.rejects(writer.update(completed()), (error: { code?: number }) => error.code === 14);
    assert.equal(calls(), LIMITS.writeAttempts);
    assert.equal((await ref.get()).get("state"), "running");
  });
});

describe("fenced writer: side writes (`also`) commit with the outcome", () => {
  /** A fan-in count to merge and a dedup lock to delete, as run-attempt.ts combines them. */
  async function sideDocs() {
    const count = adminDb().collection("_testSideWrites").doc(uniqueId("count"));
    const lock = adminDb().collection("_testSideWrites").doc(uniqueId("lock"));
    await lock.set({ task: "somewhere" });
    const also = [
      { ref: count, data: { ended: FieldValue.increment(1) } },
      { ref: lock, delete: true as const },
    ];
    return { count, lock, also };
  }

  it("merges one and deletes the other in the outcome's batch", async () => {
    const { ref, updateTime } = await runningTask();
    const { count, lock, also } = await sideDocs();
    assert.equal(await new FencedWriter(ref, updateTime, OWNER).update(completed(), { final: true, also }), true);
    assert.equal((await ref.get()).get("state"), "completed");
    assert.equal((await count.get()).get("ended"), 1);
    assert.equal((await lock.get()).exists, false);
  });

  it("writes neither when the outcome is fenced out", async () => {
    const { ref, updateTime } = await runningTask();
    const { count, lock, also } = await sideDocs();
    await ref.update({ progress: 1 }); // someone else wrote the task first
    assert.equal(await new FencedWriter(ref, updateTime, OWNER).update(completed(), { final: true, also }), false);
    assert.equal((await count.get()).exists, false);
    assert.equal((await lock.get()).exists, true);
  });
});
