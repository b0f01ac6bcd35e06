// Crashes, lost events and leases: the sweeper recovers what the trigger could not, and fenced writes keep a
// worker that outlived its lease from overwriting a newer attempt.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { sweep } from "../../../functions/src/queue/triggers/sweep-tasks";
import { claimTask } from "../../../functions/src/queue/attempt/claim";
import { createContext } from "../../../functions/src/queue/attempt/context";
import { runTaskNow } from "../../../functions/src/queue/admin/run-now";
import { runTaskId } from "../../../functions/src/queue/store/cloud-tasks";
import { REGION, RUN_TASK_FUNCTION } from "../../../functions/src/queue/config";
import { handlers } from "../../../functions/src/handlers";
import { sleep } from "../../support/emulators";
import { crashedTask, newParent, runsOf, unwatchedTask, waitForState, writeTask } from "../../support/tasks";

/** A `demo.record` task its worker claimed a minute ago and then abandoned (the process died). */
function abandoned(attempts: number, maxAttempts = 3) {
  const createdAt = Timestamp.fromMillis(Date.now() - 60_000);
  return crashedTask({ type: "demo", action: "record", createdAt, attempts, maxAttempts });
}

/** A `demo.record` task delayed by an hour, claimed by hand: the test plays its worker, nothing else runs it. */
async function claimedByHand() {
  const task = await writeTask(await newParent(), {
    type: "demo",
    action: "record",
    runAt: Timestamp.fromMillis(Date.now() + 3600_000),
  });
  const snap = await task.get();
  const claim = await claimTask(
    { ref: task, updateTime: snap.updateTime!, data: snap.data()! },
    handlers.resolve("demo", "record")!.options,
  );
  assert.ok(claim, "claimed");
  return { task, claim };
}

describe("sweeper and leases", () => {
  it("recovers a crashed attempt: the attempt counts and the task is retried to completion", async () => {
    const task = await writeTask(await newParent(), abandoned(1));
    const summary = await sweep(handlers);
    assert.ok(summary.recovered >= 1);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 2);
    assert.equal(done.get("history")[0].error.code, "handler/lease-expired");
    assert.equal(await runsOf(task), 1);
  });

  it("fails a crashed last attempt with handler/lease-expired", async () => {
    const task = await writeTask(await newParent(), abandoned(3, 3));
    await sweep(handlers);
    const done = await waitForState(task, ["completed", "failed"]);
    assert.equal(done.get("state"), "failed");
    assert.equal(done.get("error.code"), "handler/lease-expired");
    assert.equal(done.get("lease"), undefined);
  });

  it("two sweeps at once recover a crashed task once", async () => {
    const task = await writeTask(await newParent(), abandoned(1));
    const [a, b] = await Promise.all([sweep(handlers), sweep(handlers)]);
    assert.ok(a.recovered + b.recovered >= 1);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("attempts"), 2, "the crashed attempt was counted once");
    assert.equal(done.get("history").length, 2);
    assert.equal(await runsOf(task), 1);
  });

  it("re-dispatches a scheduled task whose Cloud Task was lost, through the Cloud Tasks queue", async () => {
    // A delayed task: the trigger hands it to the queue for runAt. Then that Cloud Task is lost.
    const runAt = Timestamp.fromMillis(Date.now() + 1500);
    const task = await writeTask(await newParent(), { type: "demo", action: "record", runAt });
    await loseCloudTask(task.path, 1);
    await sleep(2500);
    assert.equal((await task.get()).get("state"), "scheduled", "nothing ran it");
    const [a, b] = await Promise.all([
      sweep(handlers, { overdueGraceSeconds: 0 }),
      sweep(handlers, { overdueGraceSeconds: 0 }),
    ]);
    assert.ok(a.redispatched + b.redispatched >= 1);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(await runsOf(task), 1, "two sweeps, one run");
  });

  it("ignores `tasks` collections deeper than the queue's path (they may be the app's own)", async () => {
    const task = await unwatchedTask({
      type: "demo",
      action: "record",
      createdAt: Timestamp.fromMillis(Date.now() - 120_000),
    });
    await sweep(handlers);
    await sleep(1000);
    assert.equal((await task.get()).get("state"), "scheduled");
    assert.equal(await runsOf(task), 0);
  });

  it("leaves a delayed task alone until its runAt is overdue", async () => {
    const task = await writeTask(await newParent(), {
      type: "demo",
      action: "record",
      createdAt: Timestamp.fromMillis(Date.now() - 120_000),
      runAt: Timestamp.fromMillis(Date.now() + 3600_000),
    });
    await sweep(handlers);
    assert.equal((await task.get()).get("state"), "scheduled");
  });

  it("a worker that outlived its lease cannot overwrite the newer attempt's outcome", async () => {
    const { task, claim: slow } = await claimedByHand(); // attempt 1, whose worker this test plays
    const controller = new AbortController();
    const ctx = createContext({ ...slow, controller });
    await ctx.progress(40);
    assert.equal((await task.get()).get("progress"), 40, "progress is written while the lease is held");

    // Attempt 1's worker stalls past its lease; the sweeper recovers the task; attempt 2 runs and completes.
    const leaseEnd = (await task.get()).get("lease.expiresAt").toMillis();
    await sweep(handlers, { now: new Date(leaseEnd + 1000) });
    assert.equal((await task.get()).get("state"), "scheduled");
    await runTaskNow(task.path); // due now: "Run now" dispatches attempt 2
    const second = await waitForState(task, ["completed", "failed"]);
    assert.equal(second.get("state"), "completed");
    assert.equal(second.get("attempts"), 2);

    // The stale worker wakes up: its progress and its outcome are both refused.
    await ctx.progress(90);
    assert.equal(ctx.signal.aborted, true, "the stale worker is told to stop");
    const wrote = await slow.writer.update({ state: "failed", error: { code: "stale", message: "stale" } });
    assert.equal(wrote, false);
    const final = await task.get();
    assert.equal(final.get("state"), "completed");
    assert.equal(final.get("attempts"), 2);
    assert.notEqual(final.get("progress"), 90);
  });

  it("serialises a handler's concurrent progress writes, so none of them takes the lease for lost", async () => {
    const { task, claim } = await claimedByHand();
    const ctx = createContext({ ...claim, controller: new AbortController() });
    await Promise.all([10, 20, 30, 40, 50].map((p) => ctx.progress(p)));
    assert.equal(ctx.signal.aborted, false);
    assert.equal((await task.get()).get("progress"), 50);
    claim.writer.close();
    assert.equal(await claim.writer.update({ progress: 99 }), false, "closed: nothing more is written");
  });
});

/** Deletes the queued run of `attempt` for `path` from the Cloud Tasks emulator, once the trigger has queued it. */
async function loseCloudTask(path: string, attempt: number): Promise<void> {
  const queue = `projects/${process.env.GCLOUD_PROJECT}/locations/${REGION}/queues/${RUN_TASK_FUNCTION}`;
  const url = `http://${process.env.CLOUD_TASKS_EMULATOR_HOST}/${queue}/tasks/${runTaskId(path, attempt)}`;
  for (let i = 0; i < 100; i++) {
    if ((await fetch(url, { method: "DELETE" })).ok) return;
    await sleep(50);
  }
  throw new Error(`the trigger never queued a run for ${path}`);
}
