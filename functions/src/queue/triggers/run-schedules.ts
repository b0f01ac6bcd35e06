// `runSchedules`, every minute: one pass over every schedule writes the tasks of its due slots. The pass reads the
// schedules' state document once, plans each schedule's slots (flow/schedules.ts: its cron expression, its last
// slot, its missed-slot policy), writes one task per slot at an id made of the slot's time, and records the new
// last slots in one write. A paused schedule is passed over. Two passes at once, a pass run again, or a state write
// that was lost write no slot twice: the second `create()` of a slot's task is refused and counted. A pass is
// bounded by a number of slots and a time budget; what it leaves is planned again by the next one.
import { Timestamp } from "firebase-admin/firestore";
import { SCHEDULES } from "../config";
import { checkScheduleList, type Schedule } from "../model/schedule";
import { isPermanentError } from "../model/errors";
import { planSlots, writeSlot } from "../flow/schedules";
import {
  readScheduleStates,
  scheduleStateRef,
  writeScheduleProgress,
  type ScheduleProgress,
} from "../store/schedule-state";
import { scheduleLog } from "../logs";

export interface RunSchedulesOptions {
  /** The time the pass runs at (tests set it; the scheduled function uses the clock). */
  now?: Date;
  /** The state document (tests use their own). */
  statePath?: string;
  /** Slots the pass writes at most, over all schedules. */
  slotsPerPass?: number;
  /** With `missed: "all"`, the newest missed slots a schedule writes at most. */
  maxMissedSlots?: number;
  /** No schedule is started after this many milliseconds. */
  budgetMs?: number;
}

export interface ScheduleRunSummary {
  /** Schedules planned this pass (paused ones not included). */
  planned: number;
  paused: number;
  /** Slots whose task this pass created. */
  written: number;
  /** Slots whose task was there already (another pass, an earlier try of this one): refused, not written twice. */
  alreadyWritten: number;
  /** Due slots the missed-slot policies left out. */
  skipped: number;
  /** Slots that could not be written (logged); the next pass plans from the last slot written (`missed` decides). */
  failed: number;
  /** False when the slot bound or the time budget ended the pass before every schedule was planned. */
  complete: boolean;
}

export async function runSchedules(
  schedules: readonly Schedule[],
  options: RunSchedulesOptions = {},
): Promise<ScheduleRunSummary> {
  checkScheduleList(schedules);
  const deadline = Date.now() + (options.budgetMs ?? SCHEDULES.budgetMs);
  const now = options.now ?? new Date();
  let slotsLeft = options.slotsPerPass ?? SCHEDULES.slotsPerPass;
  const summary: ScheduleRunSummary = {
    planned: 0,
    paused: 0,
    written: 0,
    alreadyWritten: 0,
    skipped: 0,
    failed: 0,
    complete: true,
  };
  const stateRef = scheduleStateRef(options.statePath);
  let states;
  try {
    states = await readScheduleStates(stateRef);
  } catch (error) {
    // Without the state no slot can be told due or written: the next pass plans them (the missed-slot policy).
    scheduleLog.stateFailed(stateRef.path, "read", String((error as Error)?.message ?? error));
    throw error;
  }
  const progress = new Map<string, ScheduleProgress>();

  for (const schedule of schedules) {
    const state = states.get(schedule.name) ?? {};
    if (state.paused) {
      summary.paused++;
      continue;
    }
    if (slotsLeft <= 0 || Date.now() >= deadline) {
      summary.complete = false;
      break;
    }
    summary.planned++;
    const plan = planSlots(
      schedule,
      { lastSlot: state.lastSlot?.toDate(), since: state.since?.toDate() },
      now,
      options.maxMissedSlots,
    );
    const moved: ScheduleProgress = plan.since ? { since: Timestamp.fromDate(plan.since) } : {};
    if (plan.skipped > 0) {
      summary.skipped += plan.skipped;
      scheduleLog.missedSkipped(schedule.name, schedule.missed, plan.skipped);
    }
    for (const slot of plan.slots) {
      if (slotsLeft <= 0) {
        summary.complete = false;
        break;
      }
      slotsLeft--;
      try {
        const { ref, outcome } = await writeSlot(schedule, slot);
        if (outcome === "written") {
          summary.written++;
          scheduleLog.slotWritten(schedule.name, slot, ref.path);
        } else {
          summary.alreadyWritten++;
          scheduleLog.slotAlreadyWritten(schedule.name, slot, ref.path);
        }
        Object.assign(moved, { lastSlot: Timestamp.fromDate(slot), lastTaskPath: ref.path });
      } catch (error) {
        summary.failed++;
        const { code, message } = error as { code?: unknown; message?: string };
        scheduleLog.slotFailed(schedule.name, slot, code, String(message ?? error));
        // Anything but a permanent error may pass: stop here, and the next pass plans this slot again. An id held
        // by a task this schedule did not write can never be written: the slot is left behind for good.
        if (!isPermanentError(error)) break;
        moved.since = Timestamp.fromMillis(slot.getTime() + 1);
      }
    }
    if (Object.keys(moved).length > 0) progress.set(schedule.name, moved);
  }

  try {
    await writeScheduleProgress(stateRef, progress);
  } catch (error) {
    // The slots are written; the next pass plans them again and finds them there (already written).
    scheduleLog.stateFailed(stateRef.path, "write", String((error as Error)?.message ?? error));
  }
  scheduleLog.finished({ ...summary, now: now.toISOString() });
  return summary;
}
