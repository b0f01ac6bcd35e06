// The emulator's raw write rate, for reference: plain documents (a task's fields) created with one BulkWriter
// under a path no trigger listens to, so nothing but the write itself is measured.
import { FieldValue } from "firebase-admin/firestore";
import { RAW_COLLECTION } from "./config";
import { benchDb, bulkCreate } from "./firestore";
import { round } from "./stats";

export interface RawWriteResult {
  docs: number;
  throttling: "default" | "off";
  seconds: number;
  writesPerSecond: number;
}

export async function measureRawWrites(docs: number, runId: string, throttled: boolean): Promise<RawWriteResult> {
  const collection = benchDb()
    .collection(RAW_COLLECTION)
    .doc(`${runId}-${throttled ? "default" : "unthrottled"}`)
    .collection("docs");
  const result = await bulkCreate(
    docs,
    () => ({
      ref: collection.doc(),
      data: { type: "demo", action: "noop", state: "failed", data: {}, createdAt: FieldValue.serverTimestamp() },
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
