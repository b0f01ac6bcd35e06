// The emulator's raw write rate, for reference: plain documents (a task's fields) created with one BulkWriter
// under a path no trigger listens to, so nothing but the write itself is measured.
import { adminDb } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { RAW_COLLECTION } from "./config";
import { bulkCreate } from "./firestore";
import { round } from "./stats";

export interface RawWriteResult {
  docs: number;
  throttling: "default" | "off";
  seconds: number;
  writesPerSecond: number;
}

export async function measureRawWrites(docs: number, runId: string, throttled: boolean): Promise<RawWriteResult> {
  const collection = adminDb()
    .collection(RAW_COLLECTION)
    .doc(`${runId}-${throttled ? "default" : "unthrottled"}`)
    .collection("docs");
  const result = await bulkCreate(
    docs,
    () => ({
      ref: collection.doc(),
      data: newTask({ type: "demo", action: "noop", state: "failed" }),
    }),
    throttled,
  );
  if (result.failed > 0) throw new Error(`raw writes: ${result.failed} of ${docs} writes failed`);
  return {
    docs,
    throttling: throttled ? "default" : "off",
    seconds: round(result.seconds),
    writesPerSecond: round(result.writesPerSecond, 1),
  };
}
