// The Firestore trigger's logic. Every write to a task fires it, including the engine's own writes, so it decides
// from the event's snapshots alone, without reading Firestore: only a write that leaves the task `scheduled`
// matters. A due task is claimed and run here; a future one is handed to the Cloud Tasks queue.
import type { Timestamp } from "firebase-admin/firestore";
import type { Change, DocumentSnapshot, FirestoreEvent } from "firebase-functions/firestore";
import { runAttempt } from "../attempt/run-attempt";
import { scheduleRun } from "../store/cloud-tasks";
import { attemptsSoFar } from "../attempt/claim";
import { isDue, runAtMillis } from "../attempt/due";
import type { Registry } from "../model/handler";

export type TaskWriteEvent = FirestoreEvent<Change<DocumentSnapshot> | undefined, Record<string, string>>;

export async function handleTaskWrite(event: TaskWriteEvent, registry: Registry): Promise<void> {
  const after = event.data?.after;
  if (!after?.exists || after.get("state") !== "scheduled") return;
  const task = after.data() ?? {};
  if (!isDue(task, after.updateTime)) {
    await scheduleRun({ path: after.ref.path, attempt: attemptsSoFar(task) + 1 }, new Date(runAtMillis(task)));
    return;
  }
  await runAttempt({ ref: after.ref, updateTime: after.updateTime as Timestamp, data: task }, registry);
}
