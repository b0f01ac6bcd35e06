// Crashes, lost events and leases: the sweeper recovers what the trigger could not, and fenced writes keep a
// worker that outlived its lease from overwriting a newer attempt.
import { strict as assert } from "node:assert";
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
} from "firebase-admin/firestore";
import { sweep } from "../../../functions/src/queue/triggers/sweep-tasks";
import { claimTask } from "../../../functions/src/queue/attempt/claim";
import { createContext } from "../../../functions/src/queue/attempt/context";
import { runTaskNow } from "../../../functions/src/queue/admin/run-now";
import { runTaskId } from "../../../functions/src/queue/store/cloud-tasks";
import { LIMITS, REGION, RUN_TASK_FUNCTION, SWEEPER } from "../../../functions/src/queue/config";
import { handlers } from "../../../functions/src/handlers";
import { adminDb, sleep, uniqueId } from "../../support/emulators";
import {
  crashedTask,
  newParent,
  newParentAt,
  newTask,
  runsOf,
  unwatchedTask,
  waitForState,
  writeTask,
} from "../../support/tasks";

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
  // The emulator suite runs the sweeper every minute too (scripts/with-emulators.mjs), so a pass of its own may
  // recover a test's task before the test's pass does: these tests assert on the task, which records every
  // recovery in `history`, not on which pass made it.
  it("recovers a crashed attempt: the attempt counts and the task is retried to completion", async () => {
    const task = await writeTask(await newParent(), abandoned(1));
    await sweep(handlers);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 2);
    assert.deepEqual(outcomes(done), ["retry handler/lease-expired", "completed"], "recovered once, then ran once");
    assert.equal(await runsOf(task), 1);
  });

  it("recovers a crashed attempt under a parent at depth 3 (shops/s/users/u/orders/o)", async () => {
    const task = await writeTask(await newParentAt(3), abandoned(1));
    await sweep(handlers);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("state"), "completed");
    assert.deepEqual(outcomes(done), ["retry handler/lease-expired", "completed"]);
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
    await Promise.all([sweep(handlers), sweep(handlers)]);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("attempts"), 2, "the crashed attempt was counted once");
    assert.deepEqual(outcomes(done), ["retry handler/lease-expired", "completed"]);
    assert.equal(await runsOf(task), 1);
  });

  it("queues no second run while the attempt's own run holds its id, and one of its own an hour after the task fell due", async () => {
    // A delayed task: the trigger hands its run to the queue. The run is then taken out of the queue; the Cloud
    // Tasks emulator, like Cloud Tasks, keeps refusing its id, as it refuses the id of a run still queued (waiting
    // behind the queue's concurrency limit, say). Nothing can run the task now but a run queued under another id.
    const runAt = Timestamp.fromMillis(Date.now() + 1500);
    const task = await writeTask(await newParent(), { type: "demo", action: "record", runAt });
    await loseCloudTask(task.path, 1);
    await sleep(2500);
    assert.equal((await task.get()).get("state"), "scheduled", "nothing ran it");
    // Overdue (no grace here): in its first hour past due the sweeper asks for the attempt's own run, which exists.
    await sweep(handlers, { overdueGraceSeconds: 0 });
    await sleep(2500);
    assert.equal((await task.get()).get("state"), "scheduled", "no second run in the first hour past due");
    assert.equal(await runsOf(task), 0);
    // An hour past due, the sweeper queues a run of its own: that one is lost if the first was. Two sweeps, one run.
    const anHourLate = { now: new Date(runAt.toMillis() + 3600_000 + 1000) };
    await Promise.all([sweep(handlers, anHourLate), sweep(handlers, anHourLate)]);
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(await runsOf(task), 1, "two sweeps, one run");
  });

  it("ignores `tasks` collections deeper than the queue's paths, depth 4 on (they may be the app's own)", async () => {
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
    const leaseWrittenAt = Date.now();
    assert.equal((await task.get()).get("progress"), 40, "progress is written while the lease is held");

    // Attempt 1's worker stalls past its lease; the sweeper recovers the task; attempt 2 runs and completes.
    const leaseEnd = (await task.get()).get("lease.expiresAt").toMillis();
    await sweep(handlers, { now: new Date(leaseEnd + 1000) });
    assert.equal((await task.get()).get("state"), "scheduled");
    await runTaskNow(task.path, handlers); // due now: "Run now" dispatches attempt 2
    const second = await waitForState(task, ["completed", "failed"]);
    assert.equal(second.get("state"), "completed");
    assert.equal(second.get("attempts"), 2);

    // The stale worker wakes up (after the progress interval, so its report is written at once, not coalesced):
    // its progress and its outcome are both refused.
    await sleep(Math.max(0, leaseWrittenAt + LIMITS.progressIntervalMs - Date.now()));
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
    // The first value is written at once, the last one (coalesced) after the progress interval.
    await sleep(LIMITS.progressIntervalMs + 500);
    assert.equal(ctx.signal.aborted, false);
    assert.equal((await task.get()).get("progress"), 50);
    claim.writer.close();
    assert.equal(await claim.writer.update({ progress: 99 }), false, "closed: nothing more is written");
  });
});

describe("sweeper: every due task that is not being run is found", () => {
  it("runs a task without runAt whose creation event was lost two hours ago", async () => {
    const task = await lostTask({
      type: "demo",
      action: "record",
      createdAt: Timestamp.fromMillis(Date.now() - 7200_000),
    });
    assert.equal((await task.get()).get("runAt"), undefined);
    const done = await sweepUntilSettled(task);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 1);
    assert.equal(await runsOf(task), 1);
  });

  it("runs a task under a parent at depth 3 whose creation event was lost", async () => {
    const task = await lostTask(
      { type: "demo", action: "record", createdAt: Timestamp.fromMillis(Date.now() - 7200_000) },
      {},
      await newParentAt(3),
    );
    const done = await sweepUntilSettled(task);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 1);
    assert.equal(await runsOf(task), 1);
  });

  it("runs a task without runAt or createdAt, written scheduled by hand, however it sorts", async () => {
    const task = await lostTask({ type: "demo", action: "record" }, { createdAt: FieldValue.delete() });
    assert.equal((await task.get()).get("createdAt"), undefined);
    const done = await sweepUntilSettled(task, { overdueGraceSeconds: 0 });
    assert.equal(done.get("state"), "completed");
    assert.equal(await runsOf(task), 1);
  });

  it("leaves an express task alone while a worker started when it fell due may still be running it", async () => {
    // demo.expressRecord runs without a claim, so nothing on the task says it is running: a worker started at its
    // runAt may run for the handler's timeout (60 s), and a second run queued meanwhile would run it twice.
    const task = await lostTask({
      type: "demo",
      action: "expressRecord",
      runAt: Timestamp.fromMillis(Date.now() - 75_000),
    });
    await sweep(handlers); // 75 s past due: past the 60 s grace, within the handler's timeout + 30 s
    await sleep(2500);
    assert.equal((await task.get()).get("state"), "scheduled");
    assert.equal(await runsOf(task), 0);
    await sweep(handlers, { now: new Date(Date.now() + 30_000) }); // 105 s past due: no worker can be running it
    const done = await waitForState(task, ["completed", "failed"], 20_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(await runsOf(task), 1);
  });
});

describe("sweeper: bounded passes", () => {
  /**
   * Scheduled tasks due in a day, never dispatched, under a top-level collection that sorts before every other one,
   * named in order: the first pages of the walk over every scheduled task by document name.
   */
  async function firstInNameOrder(count: number): Promise<DocumentReference[]> {
    const parent = adminDb().collection(`0sweep-${uniqueId()}`).doc("p");
    await parent.set({ ownerId: "owner-1" });
    const tomorrow = Timestamp.fromMillis(Date.now() + 86_400_000);
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const ref = parent.collection("tasks").doc(`t${i}`);
        await ref.set(newTask({ type: "demo", action: "record", state: "cancelled", runAt: tomorrow }));
        await ref.update({ state: "scheduled" });
        return ref;
      }),
    );
  }
  const cancel = (tasks: DocumentReference[]) => Promise.all(tasks.map((t) => t.update({ state: "cancelled" })));
  const cursorsAt = async (path: string) => (await adminDb().doc(path).get()).data() ?? {};
  const pagesRead = (summary: { pages: Record<string, number> }) =>
    Object.values(summary.pages).reduce((a, b) => a + b, 0);

  it("reads a page per walk when told so, however many tasks there are, and goes on from its cursor", async () => {
    const tasks = await firstInNameOrder(6);
    const cursorPath = `_taskQueue/test-${uniqueId()}`; // its own cursors: the suite's sweeper keeps its own
    const onePage = { cursorPath, pageSize: 2, pagesPerWalk: 1, lapPages: 1 };
    try {
      for (const expected of [tasks[1], tasks[3], tasks[5]]) {
        const summary = await sweep(handlers, onePage);
        assert.deepEqual(summary.pages, { leases: 1, overdue: 1, frontier: 1, lap: 1 });
        assert.ok(summary.documents <= 8, `${summary.documents} documents read`);
        assert.equal(summary.complete, true);
        assert.equal((await cursorsAt(cursorPath)).lap?.path, expected.path, "the walk goes on from its cursor");
      }
      // A pass that reaches the last scheduled task starts the next one at the first again.
      await sweep(handlers, { cursorPath, pageSize: 10_000, lapPages: 1 });
      assert.equal((await cursorsAt(cursorPath)).lap, undefined);
      await sweep(handlers, onePage);
      assert.equal((await cursorsAt(cursorPath)).lap?.path, tasks[1].path, "round again");
      for (const task of tasks) assert.equal((await task.get()).get("state"), "scheduled", "not due: left alone");
    } finally {
      await cancel(tasks);
      await adminDb().doc(cursorPath).delete();
    }
  });

  it("stops when its time budget runs out, and the next pass goes on with the next walk", async () => {
    const cursorPath = `_taskQueue/test-${uniqueId()}`;
    const noTime = { cursorPath, pageSize: 50, budgetMs: 0 };
    try {
      const walks: string[] = [];
      for (let pass = 0; pass < 5; pass++) {
        const summary = await sweep(handlers, noTime);
        assert.equal(pagesRead(summary), 1, "one page, then the budget is spent");
        assert.equal(summary.complete, false);
        walks.push(Object.keys(summary.pages).find((walk) => summary.pages[walk as keyof typeof summary.pages])!);
      }
      assert.deepEqual(walks, ["leases", "overdue", "frontier", "lap", "leases"], "every walk gets its turn");
      const summary = await sweep(handlers, { cursorPath });
      assert.equal(summary.complete, true);
      assert.ok(Object.values(summary.pages).every((pages) => pages >= 1 && pages <= SWEEPER.pagesPerWalk));
    } finally {
      await adminDb().doc(cursorPath).delete();
    }
  });

  it("logs a walk whose query fails, runs the other walks, and starts that one again at its beginning", async () => {
    const cursorPath = `_taskQueue/test-${uniqueId()}`;
    await adminDb()
      .doc(cursorPath)
      .set({ lap: { path: "not-a-document" } }); // edited by hand, say
    try {
      const { result: failed, output } = await capturingStderr(() => sweep(handlers, { cursorPath }));
      assert.ok(failed.errors >= 1);
      const logged = output.split("\n").filter((line) => line.includes("sweeper could not read its tasks"));
      assert.ok(
        logged.some((line) => JSON.parse(line).walk === "lap"),
        `logged: ${output}`,
      );
      assert.deepEqual(
        [failed.pages.leases >= 1, failed.pages.overdue >= 1, failed.pages.frontier >= 1],
        [true, true, true],
      );
      assert.equal((await cursorsAt(cursorPath)).lap, undefined, "the cursor that broke it is gone");
      const next = await sweep(handlers, { cursorPath });
      assert.equal(next.pages.lap, 1);
    } finally {
      await adminDb().doc(cursorPath).delete();
    }
  });

  it("logs and skips a task it cannot write, and goes on with the rest of the pass", async () => {
    // A crashed task whose document is as large as Firestore allows: the recovery adds an error and a history
    // entry, so Firestore refuses it, and so it refuses the smaller `task/unstorable` outcome.
    const longAgo = (ms: number) => Timestamp.fromMillis(Date.UTC(2000, 0, 1) + ms);
    const crashed = (ms: number) =>
      crashedTask({ type: "demo", action: "record", attempts: 1, lease: { owner: "gone", expiresAt: longAgo(ms) } });
    const unwritable = (await newParent()).collection("tasks").doc();
    await fillToTheLimit(unwritable, crashed(0));
    const task = await writeTask(await newParent(), crashed(1000)); // right after it in the walk
    try {
      const { result: summary, output } = await capturingStderr(() => sweep(handlers));
      assert.ok(summary.errors >= 1, "counted");
      const logged = output.split("\n").filter((line) => line.includes("sweeper could not move a task on"));
      assert.ok(
        logged.some((line) => JSON.parse(line).path === unwritable.path),
        `logged: ${logged.join("\n")}`,
      );
      const done = await waitForState(task, ["completed", "failed"], 20_000);
      assert.equal(done.get("state"), "completed", "the pass went on");
      assert.deepEqual(outcomes(done), ["retry handler/lease-expired", "completed"]);
      assert.equal((await unwritable.get()).get("state"), "running", "left as it was");
    } finally {
      await unwritable.delete();
    }
  });
});

/**
 * A task the trigger never dispatched: written `cancelled` (a creation the trigger ignores) with `fields`, then
 * made `scheduled` by an update (with `update`), which does not wake the engine. As if its creation event had been
 * lost.
 */
async function lostTask(
  fields: DocumentData,
  update: DocumentData = {},
  parent?: DocumentReference,
): Promise<DocumentReference> {
  const task = await writeTask(parent ?? (await newParent()), { ...fields, state: "cancelled" });
  await task.update({ ...update, state: "scheduled" });
  return task;
}

/** Sweeps until `task` settles (a walk may need a few passes to come round to it); resolves with its snapshot. */
async function sweepUntilSettled(task: DocumentReference, options: Parameters<typeof sweep>[1] = {}) {
  const settled = waitForState(task, ["completed", "failed"], 60_000);
  let done = false;
  void settled.then(
    () => (done = true),
    () => (done = true),
  );
  for (let pass = 0; pass < 30 && !done; pass++) {
    await sweep(handlers, options);
    await Promise.race([settled.catch(() => undefined), sleep(1000)]);
  }
  return settled;
}

/** `history` as "outcome code" strings, oldest first. */
function outcomes(task: DocumentSnapshot): string[] {
  return (task.get("history") as { outcome: string; error?: { code: string } }[]).map((h) =>
    h.error ? `${h.outcome} ${h.error.code}` : h.outcome,
  );
}

/** Writes `fields` at `ref` with a `data.blob` as long as Firestore still accepts: the document is full. */
async function fillToTheLimit(ref: DocumentReference, fields: DocumentData): Promise<void> {
  const write = (length: number) => ref.set({ ...fields, data: { blob: "x".repeat(length) } });
  let [fits, tooLong] = [1_000_000, 1_048_577];
  await write(fits);
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    try {
      await write(middle);
      fits = middle;
    } catch {
      tooLong = middle;
    }
  }
  await write(fits);
  await assert.rejects(write(fits + 1), "the emulator enforces Firestore's document size limit");
  await write(fits);
}

/** Runs `run`, collecting what it writes to stderr (the functions' logger writes errors there). */
async function capturingStderr<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
  const write = process.stderr.write;
  let output = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), output };
  } finally {
    process.stderr.write = write;
  }
}

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
