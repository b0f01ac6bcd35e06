// The Firestore trigger's logic: a task was created. It fires once per task, on creation only, so the engine's own
// writes (the claim, the outcome) never wake it: a task that succeeds at once costs this one invocation. A due task
// of a handler without limits is claimed and run here; a future one, or any task of a limited handler, is handed to
// its Cloud Tasks queue. Every later run is dispatched explicitly: retries and delays by Cloud Tasks, an admin's
// retry and "run now" by the callables, anything else (a retry made by hand in the console, a lost event) by the
// sweeper.
import type { Timestamp } from "firebase-admin/firestore";
import type { FirestoreEvent, QueryDocumentSnapshot } from "firebase-functions/firestore";
import { RUN_TASK_FUNCTION } from "../config";
import { runAttempt } from "../attempt/run-attempt";
import { dispatchNow, scheduleRun } from "../store/cloud-tasks";
import { attemptsSoFar } from "../attempt/claim";
import { isDue, runAtMillis } from "../attempt/due";
import { runQueueOf } from "../flow/limits";
import type { Registry } from "../model/handler";
import { SHARD_FIELD } from "../model/index-shard";
import { updateIfUnchanged } from "../store/fenced-writer";

export type TaskCreatedEvent = FirestoreEvent<QueryDocumentSnapshot | undefined, Record<string, string>>;

export async function handleTaskCreated(event: TaskCreatedEvent, registry: Registry): Promise<void> {
  const created = event.data;
  if (!created?.exists || created.get("state") !== "scheduled") return;
  const task = created.data();
  const request = { path: created.ref.path, attempt: attemptsSoFar(task) + 1 };
  const queue = runQueueOf(registry, task.type, task.action);
  if (!isDue(task, created.updateTime)) {
    await scheduleRun(request, new Date(runAtMillis(task)), { queue });
    // A delayed task written without a shard (plain SDK code, the console) gets one now rather than at its first
    // run, so the sharded queries (the admin lists, the sweeper's overdue walk) see it while it waits: one write,
    // for such tasks only (the engine's writes carry the shard: store/fenced-writer.ts). A due task gets it from
    // its claim, a second from now.
    if (task[SHARD_FIELD] === undefined) await updateIfUnchanged(created.ref, created.updateTime as Timestamp, {});
    return;
  }
  // A limited handler's attempts all start from its own queue: that is what holds its limits.
  if (queue !== RUN_TASK_FUNCTION) {
    await dispatchNow(request, { queue });
    return;
  }
  await runAttempt({ ref: created.ref, updateTime: created.updateTime as Timestamp, data: task }, registry);
}
