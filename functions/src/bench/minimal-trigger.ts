// The benchmark's baseline: the least a Firestore-triggered queue can do per task. It marks a `scheduled` task
// `completed` in one unconditional write, with no claim, no lease, no handler lookup and no outcome record, so
// `npm run bench` can measure the engine's drain rate against it side by side (engine / minimal).
import { FieldValue } from "firebase-admin/firestore";
import type { Change, DocumentSnapshot, FirestoreEvent } from "firebase-functions/firestore";

/** Its own collection names, so it can never see a real task (`{collection}/{parentId}/tasks/{taskId}`). */
export const MINIMAL_TASK_PATH = "benchMinimal/{parentId}/minimalTasks/{taskId}";

export async function handleMinimalWrite(
  event: FirestoreEvent<Change<DocumentSnapshot> | undefined, Record<string, string>>,
): Promise<void> {
  const after = event.data?.after;
  if (!after?.exists || after.get("state") !== "scheduled") return;
  await after.ref.update({ state: "completed", completedAt: FieldValue.serverTimestamp() });
}
