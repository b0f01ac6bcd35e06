// Firestore fields for each transition of a task. Top-level times are server timestamps; times inside arrays
// (history) cannot be, so they use this worker's clock.
import { FieldValue, Timestamp, type UpdateData, type DocumentData } from "firebase-admin/firestore";
import { HISTORY_LIMIT, type AttemptRecord, type TaskErrorRecord } from "./task";
import { LIMITS } from "./config";
import { clip, type Transition } from "./retry-policy";

export interface AttemptInfo {
  attempt: number;
  startedAt: Timestamp;
  /** The task's `history` before this attempt. */
  history: unknown;
}

function errorRecord(transition: Exclude<Transition, { state: "completed" }>, attempt: number): TaskErrorRecord {
  const { failure, stack } = transition;
  return {
    code: failure.code,
    message: failure.message,
    ...(stack ? { stack: clip(stack, LIMITS.stackChars) } : {}),
    attempt,
    at: Timestamp.now(),
  };
}

function appendHistory(previous: unknown, entry: AttemptRecord): AttemptRecord[] {
  const list = Array.isArray(previous) ? (previous as AttemptRecord[]) : [];
  return [...list, entry].slice(-HISTORY_LIMIT);
}

/** Stores a handler's return value when it is small and JSON-like; returns undefined (dropped) otherwise. */
export function storableResult(result: unknown): { value?: unknown; bytes: number } {
  if (result === undefined) return { bytes: 0 };
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch {
    return { bytes: Number.POSITIVE_INFINITY };
  }
  if (json === undefined) return { bytes: 0 };
  const bytes = Buffer.byteLength(json);
  return bytes <= LIMITS.resultBytes ? { value: JSON.parse(json), bytes } : { bytes };
}

/** The update that records `transition` as the outcome of `info.attempt`. Never touches `data`. */
export function outcomeUpdate(transition: Transition, info: AttemptInfo, result?: unknown): UpdateData<DocumentData> {
  const now = Timestamp.now();
  const entry: AttemptRecord = {
    attempt: info.attempt,
    startedAt: info.startedAt,
    endedAt: now,
    outcome: transition.state === "completed" ? "completed" : transition.state === "scheduled" ? "retry" : "failed",
  };
  const common = { state: transition.state, updatedAt: FieldValue.serverTimestamp(), lease: FieldValue.delete() };
  if (transition.state === "completed") {
    return {
      ...common,
      completedAt: FieldValue.serverTimestamp(),
      progress: 100,
      ...(result !== undefined ? { result } : {}),
      history: appendHistory(info.history, entry),
    };
  }
  const error = errorRecord(transition, info.attempt);
  entry.error = { code: error.code, message: error.message };
  if (transition.state === "scheduled") {
    const runAt = Timestamp.fromDate(transition.runAt);
    return { ...common, runAt, error, history: appendHistory(info.history, { ...entry, retryAt: runAt }) };
  }
  const history = appendHistory(info.history, entry);
  return { ...common, failedAt: FieldValue.serverTimestamp(), error, history };
}
