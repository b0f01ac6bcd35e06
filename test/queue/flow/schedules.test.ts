// Which slots a pass writes: the cron expression read in the schedule's time zone, daylight-saving changes
// included, the slots after the last one written, and the missed-slot policies. Pure: every test sets the clock.
import { strict as assert } from "node:assert";
import { defineSchedule, type ScheduleDefinition } from "../../../functions/src/queue";
import { nextSlot, planSlots, slotId, tickOf } from "../../../functions/src/queue/flow/schedules";
import type { MissedSlotPolicy } from "../../../functions/src/queue/model/schedule";

let n = 0;
function schedule(cron: string, timeZone = "UTC", missed: MissedSlotPolicy = "latest") {
  return defineSchedule({
    name: `s${n++}`,
    cron,
    timeZone,
    missed,
    type: "demo",
    action: "noop",
  } as ScheduleDefinition);
}
const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("schedule slots", () => {
  it("a slot's task id is its UTC time to the second, a valid document id", () => {
    assert.equal(slotId(at("2026-11-23T07:15:00Z")), "2026-11-23T07-15-00Z");
    assert.equal(slotId(at("2026-01-02T03:04:00.000Z")), "2026-01-02T03-04-00Z");
    assert.equal(tickOf(at("2026-01-02T03:04:59.999Z")).toISOString(), "2026-01-02T03:04:00.000Z");
  });

  it("a slot is due once the clock reaches it, not a millisecond before", () => {
    const everyMinute = schedule("* * * * *");
    const cursor = { lastSlot: at("2026-03-01T12:00:00Z") };
    assert.deepEqual(isos(planSlots(everyMinute, cursor, at("2026-03-01T12:00:59.999Z")).slots), []);
    assert.deepEqual(isos(planSlots(everyMinute, cursor, at("2026-03-01T12:01:00.000Z")).slots), [
      "2026-03-01T12:01:00.000Z",
    ]);
    assert.deepEqual(planSlots(everyMinute, cursor, at("2026-03-01T12:01:00.000Z")).skipped, 0);
  });

  it("a new schedule starts at the current tick: its slot if one falls in it, no backfill, and it says since when", () => {
    const now = at("2026-03-01T12:00:20Z");
    const first = planSlots(schedule("* * * * *"), {}, now);
    assert.deepEqual(isos(first.slots), ["2026-03-01T12:00:00.000Z"]);
    assert.equal(first.since?.toISOString(), "2026-03-01T12:00:00.000Z");
    const daily = planSlots(schedule("15 7 * * *", "UTC", "all"), {}, now);
    assert.deepEqual(daily.slots, [], "this morning's 07:15 is not backfilled");
    assert.equal(daily.skipped, 0);
    assert.equal(daily.since?.toISOString(), "2026-03-01T12:00:00.000Z");
    // From then on it counts slots from `since`: tomorrow's 07:15 is due, even if that pass is late.
    const tomorrow = planSlots(schedule("15 7 * * *"), { since: daily.since }, at("2026-03-02T07:19:00Z"));
    assert.deepEqual(isos(tomorrow.slots), ["2026-03-02T07:15:00.000Z"]);
  });

  it("reads the expression in the schedule's time zone, summer and winter time", () => {
    const berlin = schedule("15 7 * * *", "Europe/Berlin");
    assert.equal(nextSlot(berlin, at("2026-01-10T00:00:00Z"))?.toISOString(), "2026-01-10T06:15:00.000Z", "CET, UTC+1");
    assert.equal(
      nextSlot(berlin, at("2026-07-10T00:00:00Z"))?.toISOString(),
      "2026-07-10T05:15:00.000Z",
      "CEST, UTC+2",
    );
    const weekdays = schedule("0 9 * * 1-5", "America/New_York");
    // Friday 2026-11-20 after 09:00 in New York: the next is Monday 09:00 EST (UTC-5).
    assert.equal(nextSlot(weekdays, at("2026-11-20T15:00:00Z"))?.toISOString(), "2026-11-23T14:00:00.000Z");
    assert.equal(nextSlot(weekdays, at("2026-06-19T15:00:00Z"))?.toISOString(), "2026-06-22T13:00:00.000Z", "EDT");
    const kolkata = schedule("0 0 * * *", "Asia/Kolkata");
    assert.equal(nextSlot(kolkata, at("2026-05-01T00:00:00Z"))?.toISOString(), "2026-05-01T18:30:00.000Z", "UTC+5:30");
  });

  it("spring forward: a time in the gap runs once, at the first valid time after it; interval slots in it are skipped", () => {
    // Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist that night.
    const fixed = schedule("30 2 * * *", "Europe/Berlin", "all");
    const plan = planSlots(fixed, { lastSlot: at("2026-03-28T01:30:00Z") }, at("2026-03-30T12:00:00Z"));
    assert.deepEqual(isos(plan.slots), [
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, the first valid time after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
    const halfHourly = schedule("*/30 * * * *", "Europe/Berlin", "all");
    const night = planSlots(halfHourly, { lastSlot: at("2026-03-29T00:00:00Z") }, at("2026-03-29T01:30:00Z"));
    // 01:30 CET, then 03:00 and 03:30 CEST: local 02:00 and 02:30 never happen.
    assert.deepEqual(isos(night.slots), [
      "2026-03-29T00:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-29T01:30:00.000Z",
    ]);
  });

  it("fall back: a fixed time that occurs twice runs once; interval slots run on both occurrences", () => {
    // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:00-02:59 happens twice.
    const fixed = schedule("30 2 * * *", "Europe/Berlin", "all");
    const plan = planSlots(fixed, { lastSlot: at("2026-10-24T00:30:00Z") }, at("2026-10-25T12:00:00Z"));
    assert.deepEqual(isos(plan.slots), ["2026-10-25T00:30:00.000Z"], "02:30 CEST only");
    const halfHourly = schedule("*/30 * * * *", "Europe/Berlin", "all");
    const night = planSlots(halfHourly, { lastSlot: at("2026-10-24T23:30:00Z") }, at("2026-10-25T01:30:00Z"));
    assert.deepEqual(isos(night.slots), [
      "2026-10-25T00:00:00.000Z", // 02:00 CEST
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T01:00:00.000Z", // 02:00 CET
      "2026-10-25T01:30:00.000Z", // 02:30 CET
    ]);
  });

  describe("missed slots (every 5 minutes; the last slot written at 12:00, the scheduler back at 12:13)", () => {
    const cursor = { lastSlot: at("2026-03-01T12:00:00Z") };
    const back = at("2026-03-01T12:13:20Z");

    it("latest (the default) writes the latest missed slot once and skips the older ones", () => {
      const plan = planSlots(schedule("*/5 * * * *"), cursor, back);
      assert.deepEqual(isos(plan.slots), ["2026-03-01T12:10:00.000Z"]);
      assert.equal(plan.skipped, 1);
      assert.equal(plan.since, undefined);
    });

    it("skip writes only a slot due in the current tick: none at 12:13, and it stops counting the missed ones", () => {
      const plan = planSlots(schedule("*/5 * * * *", "UTC", "skip"), cursor, back);
      assert.deepEqual(plan.slots, []);
      assert.equal(plan.skipped, 2);
      assert.equal(plan.since?.toISOString(), "2026-03-01T12:13:00.000Z", "12:05 and 12:10 are never due again");
      const onTheTick = planSlots(schedule("*/5 * * * *", "UTC", "skip"), cursor, at("2026-03-01T12:15:04Z"));
      assert.deepEqual(isos(onTheTick.slots), ["2026-03-01T12:15:00.000Z"]);
      assert.equal(onTheTick.skipped, 2);
    });

    it("all writes every missed slot, oldest first", () => {
      const plan = planSlots(schedule("*/5 * * * *", "UTC", "all"), cursor, back);
      assert.deepEqual(isos(plan.slots), ["2026-03-01T12:05:00.000Z", "2026-03-01T12:10:00.000Z"]);
      assert.equal(plan.skipped, 0);
    });

    it("all writes the newest maxMissedSlots at most, and counts older ones as skipped", () => {
      const plan = planSlots(schedule("* * * * *", "UTC", "all"), cursor, at("2026-03-01T15:00:30Z"), 100);
      assert.equal(plan.slots.length, 100);
      assert.equal(plan.slots[0].toISOString(), "2026-03-01T13:21:00.000Z");
      assert.equal(plan.slots[99].toISOString(), "2026-03-01T15:00:00.000Z");
      assert.ok(plan.skipped >= 1);
    });

    it("an every-minute schedule whose scheduler was down for 10 minutes: latest writes one slot", () => {
      const plan = planSlots(schedule("* * * * *"), cursor, at("2026-03-01T12:10:02Z"));
      assert.deepEqual(isos(plan.slots), ["2026-03-01T12:10:00.000Z"]);
      assert.equal(plan.skipped, 9);
    });
  });
});
