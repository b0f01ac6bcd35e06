// One attempt of one task, from a snapshot that says it is due: validate, resolve the handler, check its data
// against the handler's schema, hold it if paused, claim, run, record the outcome. Every entry point (the Firestore
// trigger, the Cloud Tasks queues) ends here.
import { FieldValue, Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { ERROR_CODES } from "../model/task";
import { TaskFailure } from "../model/errors";
import { attemptBudget, claimTask, startUnclaimed, unclaimedAttemptFields, type TaskSnapshot } from "./claim";
import { createContext } from "./context";
import { updateAsOurs, updateIfUnchanged, type SideWrite } from "../store/fenced-writer";
import { scheduleRun } from "../store/cloud-tasks";
import { taskLog } from "../logs";
import { currentPauses, pauseOf } from "../flow/pauses";
import { runQueueOf } from "../flow/limits";
import { expireAtFor, failureThatFits, outcomeUpdate, storableResult, writeOutcome } from "./outcome";
import { nextState, type Transition } from "./retry-policy";
import { runWithTimeout } from "./timeout";
import { dedupLockHolder, lockToRelease } from "../store/dedup-lock";
import { DEBOUNCED } from "../model/task";
import { validateData, validateTask } from "./validate";
import type { Registry } from "../model/handler";
import type { ResolvedRetainFor } from "../model/retention";
import { closeShardIfFull, withCount, type ChildCount } from "../groups/fan-in";

/**
 * Runs one attempt. Resolves to when the attempt started (epoch ms, no earlier than its recorded `startedAt`), or
 * undefined when no handler code started (invalid task or data, paused handler, claimed by another delivery).
 */
export async function runAttempt(snapshot: TaskSnapshot, registry: Registry): Promise<number | undefined> {
  const { ref, data: task } = snapshot;
  const invalid = validateTask(task, ref.path);
  const handler = invalid ? undefined : registry.resolve(task.type, task.action);
  if (!handler) {
    const failure =
      invalid ??
      new TaskFailure(ERROR_CODES.notFound, `no handler registered for "${task.type}" / "${task.action}"`, false);
    await failWithoutRunning(snapshot, failure);
    return undefined;
  }
  const input = await validateData(handler, task.data);
  if (input.failure) {
    await failWithoutRunning(snapshot, input.failure, handler.options.debounceSeconds > 0, handler.options.retainFor);
    return undefined;
  }
  if (handler.options.debounceSeconds > 0 && typeof task.dedupKey === "string") {
    const holder = await dedupLockHolder(ref, { type: task.type, action: task.action, dedupKey: task.dedupKey });
    if (holder !== undefined && holder !== ref.path) {
      await endDebounced(snapshot, holder, handler.options.retainFor);
      return undefined;
    }
  }
  const pause = pauseOf(await currentPauses(), task.type, task.action);
  if (pause) {
    await holdWhilePaused(snapshot, pause.by);
    return undefined;
  }

  const express = handler.options.idempotent;
  const claim = express ? startUnclaimed(snapshot, handler.options) : await claimTask(snapshot, handler.options);
  if (!claim) {
    taskLog.claimLost(ref.path);
    return undefined;
  }
  // The claim's recorded `startedAt` is its commit time, which is no later than now.
  const started = express ? claim.startedAt.toMillis() : Date.now();
  const controller = new AbortController();
  const ctx = createContext({ ...claim, createdBy: task.createdBy, fanIn: task.fanIn, controller });
  const outcome = await runWithTimeout(
    () => handler.run(input.data as Record<string, unknown>, ctx),
    handler.options.timeoutSeconds,
    controller,
  );

  const transition = nextState(outcome, claim.attempt, claim.maxAttempts, handler.options.backoff);
  let result: unknown;
  if (transition.state === "completed") {
    const stored = storableResult(transition.result);
    if (stored.problem) taskLog.resultDropped(ref.path, claim.attempt, stored.problem);
    result = stored.value;
  }
  const info = {
    attempt: claim.attempt,
    startedAt: claim.startedAt,
    history: task.history,
    retainFor: handler.options.retainFor,
  };
  const attemptFields = express ? unclaimedAttemptFields(snapshot, claim) : {};
  // An ending task releases its dedup key in the outcome's own commit; a retry keeps it. A debounced handler's lock
  // is kept: it names the window's last task, which ended, so it is free, and the tasks that task superseded, if
  // any is still to come due, find that they were superseded (a deleted lock would tell them nothing).
  const keepLock = transition.state === "scheduled" || handler.options.debounceSeconds > 0;
  const release = keepLock ? undefined : await lockToRelease(ref, task);
  let count: ChildCount | undefined;
  const written = await writeOutcome(
    (update) => {
      // One batch: the outcome, a fan-in child's count and the dedup lock's release land together or not at all.
      const counted = withCount(ref.path, task, { ...attemptFields, ...update });
      count = counted.count;
      return claim.writer.update(counted.update, { final: true, also: sideWrites(counted.also, release) });
    },
    outcomeUpdate(transition, info, result),
    claim.attempt,
  );
  claim.writer.close(); // the attempt is over: a handler still running in the background writes nothing more
  if (!written) {
    taskLog.fencedOut(ref.path, claim.attempt);
    return started;
  }
  logTransition(ref.path, claim.attempt, claim.startedAt, transition);
  if (count) await closeShardIfFull(count);
  // The engine's own writes do not wake it: the next attempt is dispatched here, at its backoff time.
  if (transition.state === "scheduled") {
    const queue = runQueueOf(registry, task.type, task.action);
    await scheduleNext(ref.path, claim.attempt + 1, transition.runAt, queue);
  }
  return started;
}

/**
 * A paused handler's task stays `scheduled` and untouched; only a task without `runAt` gets one (its first write
 * without a claim), so that the resume's query on `runAt` finds it.
 */
async function holdWhilePaused(snapshot: TaskSnapshot, pausedBy: string): Promise<void> {
  taskLog.held(snapshot.ref.path, pausedBy);
  if (snapshot.data.runAt instanceof Timestamp) return;
  await updateIfUnchanged(snapshot.ref, snapshot.updateTime, { runAt: FieldValue.serverTimestamp() });
}

/**
 * Queues the run of a retry. If that fails, the task is `scheduled` with a `runAt`: the sweeper finds it once it is
 * overdue, so the error is logged, not thrown (throwing would redeliver an attempt that has been recorded).
 */
async function scheduleNext(path: string, attempt: number, runAt: Date, queue: string): Promise<void> {
  try {
    await scheduleRun({ path, attempt }, runAt, { queue });
  } catch (error) {
    taskLog.dispatchFailed(path, attempt, String((error as Error)?.message ?? error));
  }
}

/**
 * Ends a task that cannot run (malformed, too large, unknown handler, data its schema refuses) as `failed`, if nobody changed it meanwhile,
 * with as much of the failure record as the document can hold.
 */
async function failWithoutRunning(
  snapshot: TaskSnapshot,
  failure: TaskFailure,
  keepLock = false,
  retainFor?: ResolvedRetainFor,
): Promise<void> {
  const { attempt } = attemptBudget(snapshot.data, 1);
  const transition: Transition = { state: "failed", failure };
  const info = { attempt, startedAt: Timestamp.now(), history: snapshot.data.history, retainFor };
  const full = outcomeUpdate(transition, info);
  const update = failureThatFits(snapshot.ref.path, snapshot.data, { ...full, attempts: attempt });
  const release = keepLock ? undefined : await lockToRelease(snapshot.ref, snapshot.data);
  let count: ChildCount | undefined;
  const write = async (fields: typeof update) => {
    const counted = withCount(snapshot.ref.path, snapshot.data, fields);
    count = counted.count;
    const also = sideWrites(counted.also, release);
    return (await updateAsOurs(snapshot.ref, snapshot.updateTime, counted.update, undefined, also)) !== undefined;
  };
  if (await writeOutcome(write, update, attempt)) {
    taskLog.failed(snapshot.ref.path, attempt, failure.code, failure.message);
    if (count) await closeShardIfFull(count);
  } else taskLog.claimLost(snapshot.ref.path);
}

/**
 * Ends a debounced task that a later enqueue of its key superseded: `cancelled`, with the reason and the task that
 * runs instead, if nobody changed it meanwhile. Its handler never runs; the lock is the superseding task's.
 */
async function endDebounced(snapshot: TaskSnapshot, supersededBy: string, retainFor: ResolvedRetainFor): Promise<void> {
  const written = await updateIfUnchanged(snapshot.ref, snapshot.updateTime, {
    state: "cancelled",
    cancelReason: DEBOUNCED,
    supersededBy,
    cancelledAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
    // Kept as long as any cancelled task of its handler (retainFor), then deleted by the TTL policy.
    expireAt: expireAtFor("cancelled", retainFor),
  });
  if (written) taskLog.debounced(snapshot.ref.path, supersededBy);
  else taskLog.claimLost(snapshot.ref.path);
}

/** An outcome's side writes: fan-in's count, if any, and the deletion of the dedup lock it releases, if any. */
function sideWrites(count: SideWrite[] | undefined, release: DocumentReference | undefined): SideWrite[] | undefined {
  const also = [...(count ?? []), ...(release ? [{ ref: release, delete: true as const }] : [])];
  return also.length > 0 ? also : undefined;
}

function logTransition(path: string, attempt: number, startedAt: Timestamp, transition: Transition): void {
  if (transition.state === "completed") taskLog.completed(path, attempt, Date.now() - startedAt.toMillis());
  else if (transition.state === "scheduled") taskLog.retrying(path, attempt, transition.failure.code, transition.runAt);
  else taskLog.failed(path, attempt, transition.failure.code, transition.failure.message);
}
