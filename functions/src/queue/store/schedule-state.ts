// The schedules' state: one engine-owned document (`SCHEDULES.stateDocument`) with a map per schedule name,
// `{ lastSlot, lastTaskPath, since?, paused? }`. A pass reads it once and writes it at most once; every write merges
// only the fields it sets, so a pass recording its slots and an admin pausing a schedule never undo each other.
import { FieldPath, FieldValue, Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { SCHEDULES } from "../config";
import { db } from "./firestore";

/** Who paused a schedule, and when (server time). */
export interface SchedulePause {
  by: string;
  at: Timestamp;
}

export interface ScheduleState {
  /** The latest slot whose task exists. */
  lastSlot?: Timestamp;
  /** That slot's task. */
  lastTaskPath?: string;
  /** Slots before this are not due: set when a pass first saw the schedule, or when `skip` left out missed slots. */
  since?: Timestamp;
  /** Set while the schedule is paused. */
  paused?: SchedulePause;
}

/** What a pass records for one schedule. */
export type ScheduleProgress = Pick<ScheduleState, "lastSlot" | "lastTaskPath" | "since">;

export function scheduleStateRef(path: string = SCHEDULES.stateDocument): DocumentReference {
  return db().doc(path);
}

/** Each schedule's state by name; an empty map when the document does not exist. Malformed fields are ignored. */
export async function readScheduleStates(ref: DocumentReference): Promise<Map<string, ScheduleState>> {
  const data = (await ref.get()).data() ?? {};
  const states = new Map<string, ScheduleState>();
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== "object" || value === null) continue;
    const entry = value as Record<string, unknown>;
    const state: ScheduleState = {};
    if (entry.lastSlot instanceof Timestamp) state.lastSlot = entry.lastSlot;
    if (typeof entry.lastTaskPath === "string") state.lastTaskPath = entry.lastTaskPath;
    if (entry.since instanceof Timestamp) state.since = entry.since;
    const paused = entry.paused as Record<string, unknown> | undefined;
    if (typeof paused === "object" && paused !== null) {
      const at = paused.at instanceof Timestamp ? paused.at : Timestamp.fromMillis(0);
      state.paused = { by: String(paused.by ?? "unknown"), at };
    }
    states.set(name, state);
  }
  return states;
}

/** Records what a pass did, in one write of the fields that moved; none when nothing did. */
export async function writeScheduleProgress(
  ref: DocumentReference,
  progress: Map<string, ScheduleProgress>,
): Promise<boolean> {
  const data: Record<string, Record<string, unknown>> = {};
  const fields: FieldPath[] = [];
  for (const [name, entry] of progress) {
    for (const [key, value] of Object.entries(entry)) {
      if (value === undefined) continue;
      (data[name] ??= {})[key] = value;
      fields.push(new FieldPath(name, key));
    }
  }
  if (fields.length === 0) return false;
  await ref.set(data, { mergeFields: fields });
  return true;
}

/** Pauses (`by` the admin's uid, at the server's time) or resumes one schedule; touches no other field. */
export async function writeSchedulePause(ref: DocumentReference, name: string, by: string | undefined): Promise<void> {
  const paused = by === undefined ? FieldValue.delete() : { by, at: FieldValue.serverTimestamp() };
  await ref.set({ [name]: { paused } }, { mergeFields: [new FieldPath(name, "paused")] });
}
