// The Cloud Tasks queue function's logic: a delayed run or retry is due. The request names the task and the
// attempt it was scheduled for; if the task moved on since (ran, was cancelled, retried by an admin), it is stale.
import type { Timestamp } from "firebase-admin/firestore";
import { EARLY_WAIT_MS } from "../config";
import { db } from "../store/firestore";
import { runAttempt } from "../attempt/run-attempt";
import { attemptsSoFar } from "../attempt/claim";
import { runAtMillis } from "../attempt/due";
import { taskLog } from "../logs";
import { scheduleRun, type RunRequest } from "../store/cloud-tasks";
import type { Registry } from "../model/handler";

export async function handleRunRequest(request: RunRequest, registry: Registry): Promise<void> {
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
  const runAt = runAtMillis(task);
  const early = runAt - Date.now();
  if (early > EARLY_WAIT_MS) {
    await scheduleRun(request, new Date(runAt), `-at${runAt}`);
    return;
  }
  // The claim below is conditioned on this snapshot: if the task changes while we wait, the write that changed
  // it re-dispatches it, and our claim is rejected.
  // A timer may fire a millisecond early: wait until the clock has really reached runAt ("never early").
  while (Date.now() < runAt) await new Promise((resolve) => setTimeout(resolve, runAt - Date.now()));
  await runAttempt({ ref, updateTime: snapshot.updateTime as Timestamp, data: task }, registry);
}
