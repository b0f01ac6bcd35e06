// The Cloud Tasks queue functions' logic (`runTask`, and each limited handler's own queue): a run is due. The
// request names the task and the attempt it was scheduled for; if the task moved on since (ran, was cancelled,
// retried by an admin), it is stale. A run that reached the wrong queue (the handler gained or lost its limits
// since it was queued) is forwarded to the right one.
import type { Timestamp } from "firebase-admin/firestore";
import { EARLY_WAIT_MS, RUN_TASK_FUNCTION } from "../config";
import { db } from "../store/firestore";
import { runAttempt } from "../attempt/run-attempt";
import { attemptsSoFar } from "../attempt/claim";
import { runAtMillis } from "../attempt/due";
import { taskLog } from "../logs";
import { dispatchNow, scheduleRun, type RunRequest } from "../store/cloud-tasks";
import { runQueueOf } from "../flow/limits";
import type { Registry } from "../model/handler";

export interface QueueFunction {
  /** The queue function serving this request: `runTask`, or a limited handler's. */
  queue: string;
  /** A run that started an attempt returns no sooner than this after the start (flow/limits.ts, lanes). */
  spacingMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handleRunRequest(
  request: RunRequest,
  registry: Registry,
  { queue, spacingMs }: QueueFunction = { queue: RUN_TASK_FUNCTION, spacingMs: 0 },
): Promise<void> {
  if (typeof request?.path !== "string" || typeof request?.attempt !== "number") return;
  const ref = db().doc(request.path);
  const snapshot = await ref.get();
  const task = snapshot.data();
  if (!task || task.state !== "scheduled" || attemptsSoFar(task) + 1 !== request.attempt) {
    taskLog.staleRun(
      request.path,
      request.attempt,
      task ? `state ${task.state}, attempts ${task.attempts}` : "deleted",
    );
    return;
  }
  const target = runQueueOf(registry, task.type, task.action);
  if (target !== queue) {
    await dispatchNow(request, { queue: target, idSuffix: `-from-${queue}` });
    taskLog.forwarded(request.path, request.attempt, target);
    return;
  }
  const runAt = runAtMillis(task);
  const early = runAt - Date.now();
  if (early > EARLY_WAIT_MS) {
    await scheduleRun(request, new Date(runAt), { queue, idSuffix: `-at${runAt}` });
    return;
  }
  // The claim below is conditioned on this snapshot: if the task changes while we wait, the write that changed
  // it re-dispatches it, and our claim is rejected.
  // A timer may fire a millisecond early: wait until the clock has really reached runAt ("never early").
  while (Date.now() < runAt) await sleep(runAt - Date.now());
  const started = await runAttempt({ ref, updateTime: snapshot.updateTime as Timestamp, data: task }, registry);
  // Keep this dispatch's lane until the spacing has passed since the start (a timer may fire a millisecond early).
  if (started !== undefined && spacingMs > 0) {
    while (Date.now() < started + spacingMs) await sleep(started + spacingMs - Date.now());
  }
}
