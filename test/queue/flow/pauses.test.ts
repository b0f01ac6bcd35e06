// Pause and resume through the `setPaused` callable, on the emulators: a paused handler's tasks (new, delayed, of
// a limited handler) stay `scheduled` and run no handler code; a resume runs each of them exactly once, within the
// handler's limits. Every test resumes what it paused, whatever happens, so the rest of the suite runs unpaused.
import { strict as assert } from "node:assert";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import type { PauseTarget, QueueStatus, SetPausedResult } from "../../../functions/src/queue/model/queue-status";
import { callAs, createUser, sleep, type TestUser } from "../../support/emulators";
import { newParent, newParentAt, runsOf, waitForState, writeTask } from "../../support/tasks";

let admin: TestUser;

async function setPaused(target: PauseTarget, paused: boolean): Promise<SetPausedResult> {
  let result = await callAs<SetPausedResult>(admin, "setPaused", { target, paused });
  while (!result.complete) result = await callAs(admin, "setPaused", { target, paused, cursor: result.cursor });
  return result;
}

/** Runs `body` with `target` paused, and resumes it afterwards even if `body` fails. */
async function whilePaused(target: PauseTarget, body: () => Promise<void>): Promise<void> {
  await setPaused(target, true);
  try {
    await body();
  } finally {
    await setPaused(target, false);
  }
}

async function statesOf(tasks: DocumentReference[]): Promise<string[]> {
  return Promise.all(tasks.map(async (task) => String((await task.get()).get("state"))));
}

describe("flow/pauses: pause and resume", function () {
  this.timeout(90_000);

  before(async () => {
    admin = await createUser({ admin: true });
  });

  it("a paused handler's new and delayed tasks stay scheduled and run nothing; resumed, each runs once", async () => {
    const parent = await newParent("pauses");
    let tasks: DocumentReference[] = [];
    const target = { type: "demo", action: "record" };
    await setPaused(target, true);
    try {
      const status = await callAs<QueueStatus>(admin, "queueStatus", {});
      const record = status.handlers.find((h) => h.type === "demo" && h.action === "record");
      assert.equal(record?.paused?.by, admin.uid, "queueStatus shows who paused the handler");
      assert.ok(!Number.isNaN(Date.parse(record!.paused!.at)), "and since when");

      tasks = await Promise.all([
        ...Array.from({ length: 3 }, () => writeTask(parent, { type: "demo", action: "record" })),
        // Its Cloud Task fires during the pause.
        writeTask(parent, { type: "demo", action: "record", runAt: Timestamp.fromMillis(Date.now() + 1500) }),
      ]);
      await sleep(4000);
      assert.deepEqual(await statesOf(tasks), ["scheduled", "scheduled", "scheduled", "scheduled"]);
      assert.deepEqual(await Promise.all(tasks.map(runsOf)), [0, 0, 0, 0], "no handler code ran while paused");
      for (const task of tasks) {
        assert.ok((await task.get()).get("runAt") instanceof Timestamp, "a held task has a runAt for the resume");
      }
    } finally {
      const resumed = await setPaused(target, false);
      assert.ok(resumed.dispatched! >= tasks.length, `the resume dispatched ${resumed.dispatched}`);
    }
    const done = await Promise.all(tasks.map((task) => waitForState(task)));
    assert.deepEqual(
      done.map((s) => s.get("state")),
      ["completed", "completed", "completed", "completed"],
    );
    await sleep(1500); // a second run, if any, would record itself by now
    assert.deepEqual(await Promise.all(tasks.map(runsOf)), [1, 1, 1, 1], "each task ran exactly once");
  });

  it("holds a task under a parent at depth 3 like any other; resumed, it runs once", async () => {
    const parent = await newParentAt(3);
    let task: DocumentReference | undefined;
    await whilePaused({ type: "demo", action: "record" }, async () => {
      task = await writeTask(parent, { type: "demo", action: "record" });
      await sleep(3000);
      assert.equal((await task.get()).get("state"), "scheduled");
      assert.equal(await runsOf(task), 0);
    });
    assert.equal((await waitForState(task!)).get("state"), "completed");
    assert.equal(await runsOf(task!), 1);
  });

  it("pausing the whole queue holds every handler; the status says who paused it", async () => {
    const parent = await newParent("pauses");
    let task: DocumentReference | undefined;
    await whilePaused({ queue: true }, async () => {
      const status = await callAs<QueueStatus>(admin, "queueStatus", {});
      assert.equal(status.paused?.by, admin.uid);
      task = await writeTask(parent, { type: "demo", action: "noop" });
      await sleep(3000);
      assert.equal((await task.get()).get("state"), "scheduled");
    });
    assert.equal((await waitForState(task!)).get("state"), "completed");
    assert.equal((await callAs<QueueStatus>(admin, "queueStatus", {})).paused, undefined);
  });

  it("a paused limited handler's tasks, resumed, run within its rate limit", async () => {
    const parent = await newParent("pauses");
    let tasks: DocumentReference[] = [];
    await whilePaused({ type: "demo", action: "throttled" }, async () => {
      tasks = await Promise.all(
        Array.from({ length: 12 }, () => writeTask(parent, { type: "demo", action: "throttled" })),
      );
      await sleep(3000);
      assert.ok((await statesOf(tasks)).every((state) => state === "scheduled"));
    });
    const done = await Promise.all(tasks.map((task) => waitForState(task, ["completed"], 40_000)));
    const starts = done.map((s) => s.get("startedAt").toMillis() as number).sort((a, b) => a - b);
    const most = Math.max(...starts.map((from) => starts.filter((t) => t >= from && t < from + 1000).length));
    assert.ok(most <= 5, `${most} starts within one second after the resume`);
  });

  it("pauses and resumes a schedule by name; queueStatus lists the schedules with who paused them", async () => {
    await whilePaused({ schedule: "demo-heartbeat" }, async () => {
      const status = await callAs<QueueStatus>(admin, "queueStatus", {});
      const heartbeat = status.schedules.find((s) => s.name === "demo-heartbeat");
      assert.equal(heartbeat?.cron, "* * * * *");
      assert.equal(heartbeat?.paused?.by, admin.uid);
      assert.ok(heartbeat?.nextSlot, "the next slot is given");
    });
    const after = await callAs<QueueStatus>(admin, "queueStatus", {});
    assert.equal(after.schedules.find((s) => s.name === "demo-heartbeat")?.paused, undefined);
    await assert.rejects(
      callAs(admin, "setPaused", { target: { schedule: "no-such-schedule" }, paused: true }),
      /NOT_FOUND.*no-such-schedule/,
    );
  });

  it("refuses a caller without the admin claim, an unknown handler and a malformed request", async () => {
    const user = await createUser({ admin: false });
    await assert.rejects(callAs(user, "setPaused", { target: { queue: true }, paused: true }), /PERMISSION_DENIED/);
    await assert.rejects(callAs(user, "queueStatus", {}), /PERMISSION_DENIED/);
    await assert.rejects(
      callAs(admin, "setPaused", { target: { type: "demo", action: "missing" }, paused: true }),
      /NOT_FOUND.*"demo" \/ "missing"/,
    );
    await assert.rejects(callAs(admin, "setPaused", { target: { queue: true }, paused: "yes" }), /INVALID_ARGUMENT/);
    await assert.rejects(callAs(admin, "setPaused", { target: {}, paused: true }), /INVALID_ARGUMENT/);
  });
});
