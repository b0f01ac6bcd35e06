// The per-minute metrics rollup on the emulator: count()s of the tasks that ended in a minute, per handler and
// overall, written once to the minute's document and added once to its hour's; and what that costs. Tasks are
// written as the engine leaves them, in a minute of their own long ago, so no other test's tasks are counted.
import { strict as assert } from "node:assert";
import { Timestamp, type DocumentData } from "firebase-admin/firestore";
import { METRICS } from "../../../functions/src/queue/config";
import { countMinute, minuteToRollUp, rollUpMinute } from "../../../functions/src/queue/metrics/rollup";
import { readMetrics } from "../../../functions/src/queue/metrics/read-metrics";
import { defineHandler, defineHandlers } from "../../../functions/src/queue/model/registry";
import { bucketQuantile, durationBucket, rollupId } from "../../../functions/src/queue/model/metrics";
import { adminDb } from "../../support/emulators";
import { newParent, taskIn } from "../../support/tasks";

const noop = () => undefined;
const registry = defineHandlers({
  demo: { noop: defineHandler({}, noop), fail: defineHandler({}, noop), idle: defineHandler({}, noop) },
});

/** A random whole minute in 2001, so each run of the suite has minutes no earlier run rolled up. */
function freshMinute(): number {
  const base = Date.UTC(2001, 0, 1);
  return base + Math.floor(Math.random() * 500_000) * 60_000;
}

async function writeEnded(parentPath: string, tasks: DocumentData[]): Promise<void> {
  const db = adminDb();
  const batch = db.batch();
  for (const task of tasks) batch.set(db.collection(`${parentPath}/tasks`).doc(), task);
  await batch.commit();
}

const ended = (state: "completed" | "failed", action: string, atMs: number, runBucket: number) =>
  taskIn(state, { action, endedAt: Timestamp.fromMillis(atMs), runBucket });

describe("metrics rollup", () => {
  it("counts a minute's ended tasks per handler and overall, records it once, adds it to its hour once", async () => {
    const minute = freshMinute();
    const parent = await newParent();
    await writeEnded(parent.path, [
      ended("completed", "noop", minute + 1_000, 0),
      ended("completed", "noop", minute + 20_000, 2),
      ended("completed", "noop", minute + 59_999, 2),
      ended("failed", "fail", minute + 30_000, 0),
      ended("failed", "fail", minute + 31_000, 1),
      taskIn("failed", { action: "gone", endedAt: Timestamp.fromMillis(minute + 5_000), runBucket: 0 }),
      // Outside the minute: the one before and the one after.
      ended("completed", "noop", minute - 1, 0),
      ended("completed", "noop", minute + 60_000, 0),
    ]);

    const first = await rollUpMinute(adminDb(), registry, minute);
    assert.equal(first.written, true);
    assert.deepEqual(first.doc.handlers, {
      "demo/noop": { completed: 3, failed: 0, buckets: { b0: 1, b2: 2 } },
      "demo/fail": { completed: 0, failed: 2, buckets: { b0: 1, b1: 1 } },
    });
    // The task of no registered handler counts as failed in the total.
    assert.deepEqual(first.doc.total, { completed: 3, failed: 3, buckets: { b0: 2, b1: 1, b2: 2 } });

    const again = await rollUpMinute(adminDb(), registry, minute);
    assert.equal(again.written, false, "a minute is recorded once");
    const minuteDoc = await adminDb().collection(METRICS.minutesCollection).doc(rollupId(minute, "minute")).get();
    assert.equal(minuteDoc.get("total.completed"), 3);
    const hourMs = Math.floor(minute / 3_600_000) * 3_600_000;
    const hour = await adminDb().collection(METRICS.hoursCollection).doc(rollupId(hourMs, "hour")).get();
    assert.equal(hour.get("total.failed"), 3, "the hour got the minute once, not twice");
    assert.equal(hour.data()?.handlers["demo/noop"].buckets.b2, 2);

    const series = await readMetrics(adminDb(), "hour", new Date(minute + 30 * 60_000));
    const point = series.total.find((p) => p.at === minute);
    assert.deepEqual(point, { at: minute, completed: 3, failed: 3, failureRate: 0.5, p50Ms: 250, p95Ms: 500 });
    assert.equal(series.handlers["demo/fail"].find((p) => p.at === minute)?.failed, 2);
    const day = await readMetrics(adminDb(), "day", new Date(minute + 30 * 60_000));
    assert.equal(day.total.find((p) => p.at === hourMs)?.completed, 3);
    assert.equal(day.total.length, 24);
  });

  it("costs count() queries that depend on the handlers that ran, not on how many tasks ended", async () => {
    const parent = await newParent();
    const few = freshMinute();
    const many = few + 60_000;
    await writeEnded(parent.path, [ended("completed", "noop", few + 1000, 0), ended("failed", "fail", few + 1000, 0)]);
    await writeEnded(parent.path, [
      ...Array.from({ length: 150 }, (_, i) => ended("completed", "noop", many + i * 100, 0)),
      ...Array.from({ length: 50 }, (_, i) => ended("failed", "fail", many + i * 100, 0)),
    ]);
    const quiet = await countMinute(adminDb(), registry, freshMinute() - 120_000);
    const small = await countMinute(adminDb(), registry, few);
    const large = await countMinute(adminDb(), registry, many);
    assert.equal(large.doc.total.completed, 150);
    assert.equal(large.doc.total.failed, 50);
    assert.equal(quiet.queries, 1, "a minute with nothing ended: one count()");
    // 1 overall + 3 handlers + (failed + 1 bucket) for each of the 2 that ran.
    assert.equal(small.queries, 8);
    assert.equal(large.queries, small.queries);
  });

  it("rolls up the last minute that ended at least settleMs ago", () => {
    const at = Date.UTC(2026, 10, 23, 7, 16, 0);
    assert.equal(minuteToRollUp(new Date(at)), Date.UTC(2026, 10, 23, 7, 14, 0));
    assert.equal(minuteToRollUp(new Date(at + METRICS.settleMs)), Date.UTC(2026, 10, 23, 7, 15, 0));
  });

  it("buckets durations and reads percentiles back as bucket bounds", () => {
    assert.equal(durationBucket(0), 0);
    assert.equal(durationBucket(100), 0);
    assert.equal(durationBucket(101), 1);
    assert.equal(durationBucket(10 * 60_000), METRICS.durationBucketsMs.length);
    assert.equal(bucketQuantile({}, 0.5), null);
    assert.equal(bucketQuantile({ b0: 90, b5: 10 }, 0.5), 100);
    assert.equal(bucketQuantile({ b0: 90, b5: 10 }, 0.95), 5000);
    assert.equal(bucketQuantile({ b9: 1 }, 0.95), 120_000);
  });
});
