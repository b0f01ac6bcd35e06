// The plain design this template improves on, reproduced for the benchmark (emulator only): a Firestore trigger on
// every write to a task (onDocumentWritten, as a naive queue subscribes) that runs the task's handler and marks it
// `completed` in one unconditional write. No claim, no lease, no timeout, no retries, no outcome record: a
// duplicate delivery runs the handler twice, a handler that throws leaves the task `scheduled` for good. Per task:
// 2 writes (the client's create, the completion) and 2 invocations (the create's event runs the task; the
// completion's own event wakes the trigger again, and it returns). `npm run bench` drains the same no-op tasks
// through it and through the engine, side by side.
import { FieldValue } from "firebase-admin/firestore";
import type { Change, DocumentSnapshot, FirestoreEvent } from "firebase-functions/firestore";

/** Its own collection names, so it can never see a real task (`{collection}/{parentId}/tasks/{taskId}`). */
export const PLAIN_TASK_PATH = "benchPlain/{parentId}/plainTasks/{taskId}";

type PlainHandler = (data: unknown) => unknown;

/** The plain design's handlers, by `type.action`: a no-op, the same nothing `demo.noop` does in the engine. */
const PLAIN_HANDLERS: Record<string, PlainHandler> = {
  "demo.noop": () => undefined,
};

export async function handlePlainWrite(
  event: FirestoreEvent<Change<DocumentSnapshot> | undefined, Record<string, string>>,
): Promise<void> {
  const after = event.data?.after;
  if (!after?.exists || after.get("state") !== "scheduled") return;
  const name = `${after.get("type")}.${after.get("action")}`;
  const handler = PLAIN_HANDLERS[name];
  if (!handler) throw new Error(`plain design: no handler ${name}`);
  await handler(after.get("data"));
  await after.ref.update({ state: "completed", completedAt: FieldValue.serverTimestamp() });
}
