// Firestore fields for each transition of a task. Top-level times are server timestamps; times inside arrays
// (history) cannot be, so they use this worker's clock.
import { FieldValue, Timestamp, type UpdateData, type DocumentData } from "firebase-admin/firestore";
import { ERROR_CODES, type AttemptRecord, type TaskErrorRecord } from "../model/task";
import { isInvalidArgument } from "../store/status-codes";
import { documentSizeAfter, FIRESTORE_LIMITS } from "../store/document-size";
import { HISTORY_LIMIT, LIMITS } from "../config";
import { clip, type Transition } from "./retry-policy";
import { DEFAULT_RETAIN_FOR, expireAtMillis, type FinalState, type ResolvedRetainFor } from "../model/retention";
import { durationBucket } from "../model/metrics";

/** The fields of the write that ends a task, which metrics and retention read (and a claim clears). */
export const END_FIELDS = ["endedAt", "runBucket", "expireAt"] as const;

/** A claim starts a new run: the last end's fields go, so a retried task is neither counted again nor expired. */
export const CLEAR_END_FIELDS = Object.fromEntries(END_FIELDS.map((name) => [name, FieldValue.delete()]));

/**
 * The `expireAt` of a task that ends in `state` at `endedAtMs`: its handler's retention for that state (the defaults
 * for a task without a handler). Every write that ends a task carries it: outcomes, a debounced task, an admin's cancel.
 */
export function expireAtFor(
  state: FinalState,
  retainFor: ResolvedRetainFor = DEFAULT_RETAIN_FOR,
  endedAtMs = Date.now(),
): Timestamp {
  return Timestamp.fromMillis(expireAtMillis(retainFor, state, endedAtMs));
}

interface AttemptInfo {
  attempt: number;
  startedAt: Timestamp;
  /** The task's `history` before this attempt. */
  history: unknown;
  /** The handler's retention (the defaults when there is no handler). */
  retainFor?: ResolvedRetainFor;
}

/**
 * What the write ending a task in `state` adds: when it ended (`endedAt`, what the metrics rollup counts by), the
 * duration bucket of its last run (`runBucket`), and `expireAt`, when the TTL policy may delete it. No extra write:
 * they go out with the outcome.
 */
function endFields(state: "completed" | "failed", info: AttemptInfo, now: Timestamp) {
  return {
    endedAt: FieldValue.serverTimestamp(),
    runBucket: durationBucket(Math.max(0, now.toMillis() - info.startedAt.toMillis())),
    expireAt: expireAtFor(state, info.retainFor, now.toMillis()),
  };
}

/** The end fields found in `update`, kept by every smaller form of a failure. */
function endFieldsOf(update: UpdateData<DocumentData>): UpdateData<DocumentData> {
  return Object.fromEntries(END_FIELDS.filter((name) => name in update).map((name) => [name, update[name]]));
}

function errorRecord(transition: Exclude<Transition, { state: "completed" }>, attempt: number): TaskErrorRecord {
  const { failure, stack } = transition;
  // Clipped here whatever made the failure (a handler may throw a TaskFailure of its own): task-size.ts counts on it.
  return {
    code: clip(failure.code, LIMITS.codeChars),
    message: clip(failure.message, LIMITS.messageChars),
    ...(stack ? { stack: clip(stack, LIMITS.stackChars) } : {}),
    attempt,
    at: Timestamp.now(),
  };
}

function appendHistory(previous: unknown, entry: AttemptRecord): AttemptRecord[] {
  const list = Array.isArray(previous) ? (previous as AttemptRecord[]) : [];
  return [...list, entry].slice(-HISTORY_LIMIT);
}

/** Firestore stores maps nested at most 20 deep and no array directly inside an array. */
function firestoreShapeProblem(value: unknown, depth = 0, inArray = false): string | undefined {
  if (depth > 20) return "nested more than 20 levels deep";
  if (Array.isArray(value)) {
    if (inArray) return "has an array directly inside an array";
    for (const item of value) {
      const problem = firestoreShapeProblem(item, depth + 1, true);
      if (problem) return problem;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) {
      const problem = firestoreShapeProblem(item, depth + 1, false);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * A handler's return value as it can be stored in `result`: its JSON form, when that is small and Firestore can
 * hold it. Otherwise `problem` says why it is dropped (the task still completes: the work was done).
 */
export function storableResult(result: unknown): { value?: unknown; problem?: string } {
  if (result === undefined) return {};
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (error) {
    return { problem: `not JSON-serialisable (${(error as Error).message})` };
  }
  if (json === undefined) return {};
  const bytes = Buffer.byteLength(json);
  if (bytes > LIMITS.resultBytes) return { problem: `${bytes} bytes, more than ${LIMITS.resultBytes}` };
  const value: unknown = JSON.parse(json);
  const problem = firestoreShapeProblem(value);
  return problem ? { problem } : { value };
}

/**
 * Writes an outcome with `write`. When Firestore refuses the content itself (the document would pass 1 MiB), the
 * task is still moved on: `failed` with `task/unstorable` and nothing else added, so it never stays `running`.
 */
export async function writeOutcome(
  write: (update: UpdateData<DocumentData>) => Promise<boolean>,
  update: UpdateData<DocumentData>,
  attempt: number,
): Promise<boolean> {
  try {
    return await write(update);
  } catch (error) {
    if (!isInvalidArgument(error)) throw error;
    const message = clip(`Firestore refused the outcome: ${(error as Error).message}`, LIMITS.messageChars);
    return write({
      ...endFieldsOf(update),
      state: "failed",
      updatedAt: FieldValue.serverTimestamp(),
      failedAt: FieldValue.serverTimestamp(),
      lease: FieldValue.delete(),
      error: { code: ERROR_CODES.unstorable, message, attempt, at: Timestamp.now() },
    });
  }
}

/**
 * `update`, a failure of the task at `path` whose fields are `task`, if the document still fits in Firestore's 1 MiB
 * with it; otherwise the most of it that does: without the history entry and the stack, then the error code alone,
 * then the state alone. A task too large to run is failed with a write Firestore can store.
 */
export function failureThatFits(
  path: string,
  task: DocumentData,
  update: UpdateData<DocumentData>,
): UpdateData<DocumentData> {
  const error = update.error as TaskErrorRecord | undefined;
  const { history: _history, ...rest } = update;
  const tiers: UpdateData<DocumentData>[] = [
    update,
    error
      ? { ...rest, error: { code: error.code, message: error.message, attempt: error.attempt, at: error.at } }
      : rest,
    { ...endFieldsOf(update), state: update.state, ...(error ? { error: { code: error.code } } : {}) },
    { ...endFieldsOf(update), state: update.state },
    { state: update.state },
  ];
  const fits = (tier: UpdateData<DocumentData>) =>
    documentSizeAfter(path, task, tier as Record<string, unknown>) <= FIRESTORE_LIMITS.documentBytes;
  return tiers.find(fits) ?? tiers[tiers.length - 1];
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
      ...endFields("completed", info, now),
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
  return { ...common, failedAt: FieldValue.serverTimestamp(), ...endFields("failed", info, now), error, history };
}
