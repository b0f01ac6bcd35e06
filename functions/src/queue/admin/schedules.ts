// The recurring schedules as the admin callables see and switch them: each schedule's definition, pause, last slot
// with the state of the task it wrote, and next slot; and pausing or resuming one. A status costs one read of the
// state document and one `getAll` of the last tasks.
import { db } from "../store/firestore";
import { readScheduleStates, scheduleStateRef, writeSchedulePause } from "../store/schedule-state";
import { checkScheduleList, type Schedule } from "../model/schedule";
import { isQueueTaskPath } from "../model/task";
import { nextSlot } from "../flow/schedules";
import { scheduleLog } from "../logs";
import type { ScheduleStatus } from "../model/queue-status";

export interface ScheduleAdminOptions {
  /** The state document (tests use their own). */
  statePath?: string;
}

/** Every schedule's status, in the order of `schedules`; `nextSlot` is the first slot after `now`. */
export async function scheduleStatuses(
  schedules: readonly Schedule[],
  now: Date = new Date(),
  options: ScheduleAdminOptions = {},
): Promise<ScheduleStatus[]> {
  checkScheduleList(schedules);
  const states = await readScheduleStates(scheduleStateRef(options.statePath));
  const paths = [
    ...new Set(schedules.map((s) => states.get(s.name)?.lastTaskPath).filter((path) => isQueueTaskPath(path))),
  ];
  const tasks = paths.length > 0 ? await db().getAll(...paths.map((path) => db().doc(path))) : [];
  const taskStates = new Map(tasks.map((snap) => [snap.ref.path, snap.exists ? String(snap.get("state")) : "deleted"]));
  return schedules.map((schedule) => {
    const { name, cron, timeZone, type, action } = schedule;
    const state = states.get(name) ?? {};
    const status: ScheduleStatus = { name, cron, timeZone, type, action };
    if (state.paused) status.paused = { by: state.paused.by, at: state.paused.at.toDate().toISOString() };
    if (state.lastSlot) status.lastSlot = state.lastSlot.toDate().toISOString();
    const next = nextSlot(schedule, now);
    if (next) status.nextSlot = next.toISOString();
    if (state.lastTaskPath) {
      status.lastTask = { path: state.lastTaskPath, state: taskStates.get(state.lastTaskPath) ?? "deleted" };
    }
    return status;
  });
}

/**
 * Pauses (`paused: true`, recorded as `{ by: uid, at }`) or resumes the schedule `name`. A paused schedule writes no
 * slots; once resumed, the slots it missed follow its missed-slot policy. Pausing a paused schedule keeps who paused
 * it and since when. Throws a RangeError for a name no schedule has.
 */
export async function setSchedulePaused(
  schedules: readonly Schedule[],
  name: string,
  paused: boolean,
  uid: string,
  options: ScheduleAdminOptions = {},
): Promise<void> {
  checkScheduleList(schedules);
  if (!schedules.some((schedule) => schedule.name === name)) {
    const known = schedules.map((schedule) => schedule.name).join(", ") || "none";
    throw new RangeError(`no schedule is named ${JSON.stringify(name)} (the schedules: ${known})`);
  }
  if (typeof paused !== "boolean") throw new TypeError(`paused must be true or false, got ${String(paused)}`);
  if (typeof uid !== "string" || uid === "") throw new TypeError("a pause records who made it: uid is required");
  const ref = scheduleStateRef(options.statePath);
  const current = (await readScheduleStates(ref)).get(name);
  if (Boolean(current?.paused) === paused) return;
  await writeSchedulePause(ref, name, paused ? uid : undefined);
  scheduleLog.paused(name, uid, paused);
}
