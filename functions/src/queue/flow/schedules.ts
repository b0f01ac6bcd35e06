// When a schedule's slots fall, which of them a pass writes, and the task each one becomes. A slot is a time the
// cron expression gives in the schedule's time zone (croner, daylight-saving rules included); it is due once the
// clock has reached it. Planning is pure (the clock is an argument); writing a slot is one `create()` at an id
// made of the slot's time, so the same slot is never written twice, whoever tries.
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { Cron } from "croner";
import { SCHEDULES } from "../config";
import { db } from "../store/firestore";
import { createTask } from "../store/enqueue-task";
import type { ServerTaskRequest } from "../model/request";
import type { Schedule } from "../model/schedule";

const MINUTE_MS = 60_000;

/** The schedule's cron expression in its time zone; never started (it only computes times). */
export function cronOf(schedule: Pick<Schedule, "cron" | "timeZone">): Cron {
  return new Cron(schedule.cron, { timezone: schedule.timeZone, mode: "5-part", paused: true });
}

/** The start of the minute `now` is in: a pass's tick. Slots are whole minutes, so a tick holds one at most. */
export function tickOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** The first slot after `time`, or undefined if the expression has none left. */
export function nextSlot(schedule: Pick<Schedule, "cron" | "timeZone">, time: Date): Date | undefined {
  return cronOf(schedule).nextRun(time) ?? undefined;
}

/** Where a schedule stands: its last slot written, and since when its slots count (see `planSlots`). */
export interface SlotCursor {
  lastSlot?: Date;
  since?: Date;
}

export interface SlotPlan {
  /** The slots to write, oldest first. */
  slots: Date[];
  /**
   * Due slots the policy leaves out, counted among the newest `maxMissedSlots + 1` due ones (so with `all`, more
   * than 0 means at least one older than the bound was left out).
   */
  skipped: number;
  /**
   * Set when the schedule's slots should count from here on (the current tick): its first pass, and a `skip` that
   * left out every due slot. Slots before it are never due again.
   */
  since?: Date;
}

/**
 * The slots a pass at `now` writes for `schedule`. Due: after `cursor.lastSlot` (and from `cursor.since`), up to
 * `now`. A schedule seen for the first time (neither) starts at the current tick: no backfill. Of the due slots,
 * `schedule.missed` decides: `latest` the newest, `skip` one in the current tick, `all` each (the newest
 * `maxMissedSlots` at most).
 */
export function planSlots(
  schedule: Schedule,
  cursor: SlotCursor,
  now: Date,
  maxMissedSlots: number = SCHEDULES.maxMissedSlots,
): SlotPlan {
  const tick = tickOf(now);
  const isNew = !cursor.lastSlot && !cursor.since;
  const from = isNew
    ? tick.getTime()
    : Math.max(cursor.lastSlot ? cursor.lastSlot.getTime() + 1 : 0, cursor.since?.getTime() ?? 0);
  const dueAmong = (n: number) => dueSlots(schedule, now, n).filter((slot) => slot.getTime() >= from);
  // Most passes find one slot due or none; look further back only when more may be.
  let due = dueAmong(2);
  if (due.length === 2) due = dueAmong(maxMissedSlots + 1);
  const newest = due.length > 0 ? [due[due.length - 1]] : [];
  let slots: Date[];
  if (schedule.missed === "all") slots = due.slice(-maxMissedSlots);
  else if (schedule.missed === "latest") slots = newest;
  else slots = newest.filter((slot) => slot.getTime() >= tick.getTime());
  const skipped = Math.max(0, due.length - slots.length);
  const plan: SlotPlan = { slots, skipped };
  if (isNew || (slots.length === 0 && skipped > 0)) plan.since = tick;
  return plan;
}

/** The newest `n` slots no later than `now`, oldest first. */
function dueSlots(schedule: Schedule, now: Date, n: number): Date[] {
  // croner's previousRuns is strictly before its reference, but for a run earlier in the same second: a
  // millisecond past `now` includes a slot at exactly `now`.
  return cronOf(schedule)
    .previousRuns(n, new Date(now.getTime() + 1))
    .reverse();
}

/** A slot's task id: its UTC time, to the second, in a form that is a valid document id (`2026-11-23T07-15-00Z`). */
export function slotId(slot: Date): string {
  return `${slot.toISOString().slice(0, 19).replaceAll(":", "-")}Z`;
}

/** The parent of a schedule's tasks: `taskSchedules/{name}`, a top-level document as the trigger requires. */
export function scheduleParent(name: string): DocumentReference {
  return db().collection(SCHEDULES.collection).doc(name);
}

/** What writing a slot came to: a new task, or the task an earlier write of the same slot made. */
export type SlotWrite = { ref: DocumentReference; outcome: "written" | "already-written" };

/**
 * Writes `slot`'s task, as a server enqueue does, with `schedule` and `slot` besides; a slot written before (an
 * overlapping pass, a retried one, a redeploy) is refused by Firestore and reported `already-written`. Throws on
 * anything else: a PermanentError (`enqueue/id-taken`) when something other than this schedule holds the id.
 */
export async function writeSlot(schedule: Schedule, slot: Date): Promise<SlotWrite> {
  const request = { type: schedule.type, action: schedule.action, data: { ...schedule.data } } as ServerTaskRequest;
  const { ref, created } = await createTask(scheduleParent(schedule.name), request, {
    id: slotId(slot),
    fields: { schedule: schedule.name, slot: Timestamp.fromDate(slot) },
  });
  return { ref, outcome: created ? "written" : "already-written" };
}
