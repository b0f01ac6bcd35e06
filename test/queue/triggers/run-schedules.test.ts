// The scheduler's pass against the emulators: one task per due slot at the slot's id, never a slot twice (passes
// side by side, a pass run again, a lost state), the missed-slot policies after downtime, pauses, its bounds, and
// a real slot task run by the real trigger. Every test names its own schedules and keeps its own state document,
// so the emulator suite's background scheduler (which runs the app's schedules every minute) never meets them.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { defineSchedule, type ScheduleDefinition } from "../../../functions/src/queue";
import { runSchedules, type RunSchedulesOptions } from "../../../functions/src/queue/triggers/run-schedules";
import { setSchedulePaused } from "../../../functions/src/queue/admin/schedules";
import { slotId } from "../../../functions/src/queue/flow/schedules";
import { SCHEDULES } from "../../../functions/src/queue/config";
import type { MissedSlotPolicy } from "../../../functions/src/queue/model/schedule";
import { schedules as appSchedules } from "../../../functions/src/handlers/schedules";
import { adminDb, uniqueId } from "../../support/emulators";
import { waitForState } from "../../support/tasks";

const MINUTE = 60_000;
/** A minute far from the real clock, so no slot of a test is one the background scheduler writes. */
const T0 = new Date("2031-05-04T10:00:00Z");
const after = (minutes: number, seconds = 5) => new Date(T0.getTime() + minutes * MINUTE + seconds * 1000);
const minute = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

function schedule(cron = "* * * * *", missed: MissedSlotPolicy = "latest", type = "demo", action = "noop") {
  return defineSchedule({ name: uniqueId("sched"), cron, timeZone: "UTC", missed, type, action } as ScheduleDefinition);
}

/** A pass over `list` with the test's own state document. */
function passAt(list: ReturnType<typeof schedule>[], statePath: string, now: Date, options: RunSchedulesOptions = {}) {
  return runSchedules(list, { now, statePath, ...options });
}

const newStatePath = () => `_taskQueueTest/${uniqueId("schedules")}`;
const tasksOf = (name: string) => adminDb().collection(SCHEDULES.collection).doc(name).collection("tasks");
const taskIds = async (name: string) => (await tasksOf(name).get()).docs.map((d) => d.id).sort();

describe("runSchedules: one task per due slot", () => {
  it("writes the due slot's task at the slot's id, with a server enqueue's fields plus schedule and slot", async () => {
    const everyMinute = schedule();
    const state = newStatePath();
    const summary = await passAt([everyMinute], state, after(0, 20));
    assert.deepEqual(summary, {
      planned: 1,
      paused: 0,
      written: 1,
      alreadyWritten: 0,
      skipped: 0,
      failed: 0,
      complete: true,
    });
    const ref = tasksOf(everyMinute.name).doc(slotId(T0));
    assert.equal(ref.path, `taskSchedules/${everyMinute.name}/tasks/2031-05-04T10-00-00Z`);
    const task = (await ref.get()).data()!;
    assert.equal(task.type, "demo");
    assert.equal(task.action, "noop");
    assert.deepEqual(task.data, {});
    assert.equal(task.schedule, everyMinute.name);
    assert.ok(task.slot instanceof Timestamp && task.slot.toMillis() === T0.getTime());
    assert.ok(task.createdAt instanceof Timestamp && task.runAt instanceof Timestamp, "createdAt and runAt");
    assert.equal(task.createdBy, undefined, "server-written: no createdBy");
    const saved = (await adminDb().doc(state).get()).get(everyMinute.name);
    assert.equal(saved.lastSlot.toMillis(), T0.getTime());
    assert.equal(saved.lastTaskPath, ref.path);
  });

  it("a pass run again writes nothing; the next minute's pass writes the next slot", async () => {
    const everyMinute = schedule();
    const state = newStatePath();
    await passAt([everyMinute], state, after(0));
    const again = await passAt([everyMinute], state, after(0, 30));
    assert.equal(again.written + again.alreadyWritten, 0, "nothing was due");
    const next = await passAt([everyMinute], state, after(1));
    assert.equal(next.written, 1);
    assert.deepEqual(await taskIds(everyMinute.name), [slotId(minute(0)), slotId(minute(1))]);
  });

  it("a slot written again (the state lost, a redeploy) is refused as already written, never a second task", async () => {
    const everyMinute = schedule();
    await passAt([everyMinute], newStatePath(), after(0));
    const afresh = await passAt([everyMinute], newStatePath(), after(0, 40));
    assert.equal(afresh.written, 0);
    assert.equal(afresh.alreadyWritten, 1);
    assert.deepEqual(await taskIds(everyMinute.name), [slotId(T0)]);
  });

  it("passes side by side write each slot once: one creates it, the others are refused", async () => {
    const everyMinute = schedule("* * * * *", "all");
    const state = newStatePath();
    await passAt([everyMinute], state, after(0));
    const passes = await Promise.all([1, 2, 3].map(() => passAt([everyMinute], state, after(5))));
    assert.equal(
      passes.reduce((sum, p) => sum + p.written, 0),
      5,
      "minutes 1 to 5, once each",
    );
    assert.equal(
      passes.reduce((sum, p) => sum + p.written + p.alreadyWritten, 0),
      15,
    );
    assert.deepEqual(
      await taskIds(everyMinute.name),
      [0, 1, 2, 3, 4, 5].map((m) => slotId(minute(m))),
    );
  });

  it("a slot not due yet is not written: a daily schedule writes nothing at other times", async () => {
    const daily = schedule("15 7 * * *");
    const summary = await passAt([daily], newStatePath(), after(0));
    assert.equal(summary.written, 0);
    assert.deepEqual(await taskIds(daily.name), []);
  });
});

describe("runSchedules: slots missed while the scheduler was down for 10 minutes", () => {
  async function downFor10Minutes(missed: MissedSlotPolicy, cron = "* * * * *") {
    const s = schedule(cron, missed);
    const state = newStatePath();
    await passAt([s], state, after(0));
    const summary = await passAt([s], state, after(10, 3));
    return { summary, ids: await taskIds(s.name) };
  }

  it("latest (the default) writes one task, for the latest slot, and skips the other nine", async () => {
    const { summary, ids } = await downFor10Minutes("latest");
    assert.equal(summary.written, 1);
    assert.equal(summary.skipped, 9);
    assert.deepEqual(ids, [slotId(minute(0)), slotId(minute(10))]);
  });

  it("all writes every missed slot", async () => {
    const { summary, ids } = await downFor10Minutes("all");
    assert.equal(summary.written, 10);
    assert.equal(ids.length, 11);
  });

  it("skip writes only a slot of the current tick: none for an every-3-minutes schedule back at minute 10", async () => {
    const { summary, ids } = await downFor10Minutes("skip", "*/3 * * * *");
    assert.equal(summary.written, 0);
    assert.equal(summary.skipped, 3, "minutes 3, 6 and 9");
    assert.deepEqual(ids, [slotId(minute(0))]);
  });

  it("a pass is bounded by its slots; the next pass goes on where it stopped", async () => {
    const s = schedule("* * * * *", "all");
    const state = newStatePath();
    await passAt([s], state, after(0));
    const first = await passAt([s], state, after(10), { slotsPerPass: 4 });
    assert.equal(first.written, 4);
    assert.equal(first.complete, false);
    const second = await passAt([s], state, after(10, 20), { slotsPerPass: 100 });
    assert.equal(second.written, 6);
    assert.equal(second.complete, true);
    assert.equal((await taskIds(s.name)).length, 11);
  });

  it("a slot whose id another writer holds is left behind, logged, and not tried again", async () => {
    const s = schedule();
    const state = newStatePath();
    await passAt([s], state, after(0));
    // A task at minute 1's id that the schedule did not write (server code never writes createdBy).
    await tasksOf(s.name)
      .doc(slotId(minute(1)))
      .create({ type: "demo", action: "noop", state: "cancelled", createdBy: "someone" });
    const refused = await passAt([s], state, after(1));
    assert.equal(refused.failed, 1);
    const again = await passAt([s], state, after(1, 30));
    assert.equal(again.failed, 0, "not tried again");
    assert.equal((await passAt([s], state, after(2))).written, 1, "the next slot is written");
  });
});

describe("runSchedules: paused schedules", () => {
  it("a paused schedule writes no slot; resumed, its missed slots follow its policy (latest: one)", async () => {
    const paused = schedule();
    const running = schedule();
    const state = newStatePath();
    await passAt([paused, running], state, after(0));
    await setSchedulePaused([paused, running], paused.name, true, "admin-1", { statePath: state });
    for (let m = 1; m <= 5; m++) {
      const summary = await passAt([paused, running], state, after(m));
      assert.equal(summary.paused, 1);
      assert.equal(summary.written, 1, "the other schedule goes on");
    }
    assert.deepEqual(await taskIds(paused.name), [slotId(minute(0))]);
    const saved = (await adminDb().doc(state).get()).get(paused.name);
    assert.equal(saved.paused.by, "admin-1", "the passes' writes left the pause alone");
    await setSchedulePaused([paused, running], paused.name, false, "admin-1", { statePath: state });
    const resumed = await passAt([paused, running], state, after(6));
    assert.equal(resumed.paused, 0);
    assert.deepEqual(await taskIds(paused.name), [slotId(minute(0)), slotId(minute(6))]);
  });

  it("resumed with missed: all, it writes the slots it missed while paused", async () => {
    const s = schedule("* * * * *", "all");
    const state = newStatePath();
    await passAt([s], state, after(0));
    await setSchedulePaused([s], s.name, true, "admin-1", { statePath: state });
    assert.equal((await passAt([s], state, after(3))).written, 0);
    await setSchedulePaused([s], s.name, false, "admin-1", { statePath: state });
    assert.equal((await passAt([s], state, after(3, 10))).written, 3);
  });
});

describe("the demo-heartbeat schedule", () => {
  it("writes a demo.noop task that the real trigger runs to completion", async () => {
    const heartbeat = appSchedules.find((s) => s.name === "demo-heartbeat");
    assert.ok(heartbeat, "the app declares demo-heartbeat");
    // A slot of its own (not the background scheduler's minutes), with a state document of its own.
    const slot = new Date(Date.UTC(2029, 0, 1) + Math.floor(Math.random() * 500_000) * MINUTE);
    const summary = await runSchedules([heartbeat], {
      now: new Date(slot.getTime() + 2000),
      statePath: newStatePath(),
    });
    assert.equal(summary.written, 1);
    const done = await waitForState(tasksOf("demo-heartbeat").doc(slotId(slot)));
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("schedule"), "demo-heartbeat");
  });
});
