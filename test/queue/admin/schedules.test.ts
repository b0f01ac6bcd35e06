// What the admin callables read and switch of the recurring schedules: each schedule's last slot, next slot, last
// task and its state, its pause; pausing and resuming by name. Own schedule names and state documents throughout.
import { strict as assert } from "node:assert";
import { defineSchedule, type ScheduleDefinition } from "../../../functions/src/queue";
import { runSchedules } from "../../../functions/src/queue/triggers/run-schedules";
import { scheduleStatuses, setSchedulePaused } from "../../../functions/src/queue/admin/schedules";
import { slotId } from "../../../functions/src/queue/flow/schedules";
import { SCHEDULES } from "../../../functions/src/queue/config";
import { adminDb, uniqueId } from "../../support/emulators";
import { waitForState } from "../../support/tasks";

const T0 = new Date("2032-02-03T04:05:00Z");

function schedule(cron: string, timeZone = "UTC") {
  return defineSchedule({
    name: uniqueId("sched"),
    cron,
    timeZone,
    type: "demo",
    action: "noop",
  } as ScheduleDefinition);
}

describe("schedule statuses and pauses", () => {
  it("report cron, time zone, handler, last slot, next slot from the expression, and the last task's state", async () => {
    const everyFive = schedule("*/5 * * * *", "Europe/Berlin");
    const never = schedule("0 9 * * 1-5", "America/New_York");
    const statePath = `_taskQueueTest/${uniqueId("schedules")}`;
    await runSchedules([everyFive, never], { now: new Date(T0.getTime() + 1000), statePath });
    const taskPath = `${SCHEDULES.collection}/${everyFive.name}/tasks/${slotId(T0)}`;
    await waitForState(adminDb().doc(taskPath));
    const now = new Date(T0.getTime() + 60_000);
    const [five, weekdays] = await scheduleStatuses([everyFive, never], now, { statePath });
    assert.deepEqual(five, {
      name: everyFive.name,
      cron: "*/5 * * * *",
      timeZone: "Europe/Berlin",
      type: "demo",
      action: "noop",
      lastSlot: T0.toISOString(),
      nextSlot: "2032-02-03T04:10:00.000Z",
      lastTask: { path: taskPath, state: "completed" },
    });
    // Tuesday 04:06 UTC is 23:06 on Monday in New York: the next weekday 09:00 EST is Tuesday 14:00 UTC.
    assert.deepEqual(weekdays, {
      name: never.name,
      cron: "0 9 * * 1-5",
      timeZone: "America/New_York",
      type: "demo",
      action: "noop",
      nextSlot: "2032-02-03T14:00:00.000Z",
    });
  });

  it("a last task that is gone is reported deleted", async () => {
    const s = schedule("* * * * *");
    const statePath = `_taskQueueTest/${uniqueId("schedules")}`;
    await runSchedules([s], { now: T0, statePath });
    const task = adminDb().doc(`${SCHEDULES.collection}/${s.name}/tasks/${slotId(T0)}`);
    await waitForState(task);
    await task.delete();
    const [status] = await scheduleStatuses([s], T0, { statePath });
    assert.deepEqual(status.lastTask, { path: task.path, state: "deleted" });
  });

  it("a pause records who and when, survives a second pause, and is gone after resume", async () => {
    const s = schedule("* * * * *");
    const statePath = `_taskQueueTest/${uniqueId("schedules")}`;
    const before = Date.now();
    await setSchedulePaused([s], s.name, true, "admin-1", { statePath });
    await setSchedulePaused([s], s.name, true, "admin-2", { statePath });
    const [paused] = await scheduleStatuses([s], T0, { statePath });
    assert.equal(paused.paused?.by, "admin-1", "the first pause is kept");
    assert.ok(Date.parse(paused.paused!.at) >= before - 5000, paused.paused?.at);
    await setSchedulePaused([s], s.name, false, "admin-2", { statePath });
    const [resumed] = await scheduleStatuses([s], T0, { statePath });
    assert.equal(resumed.paused, undefined);
  });

  it("pausing a schedule that does not exist is refused with its name, and writes nothing", async () => {
    const s = schedule("* * * * *");
    const statePath = `_taskQueueTest/${uniqueId("schedules")}`;
    await assert.rejects(setSchedulePaused([s], "no-such", true, "admin-1", { statePath }), {
      name: "RangeError",
      message: `no schedule is named "no-such" (the schedules: ${s.name})`,
    });
    assert.equal((await adminDb().doc(statePath).get()).exists, false);
  });
});
