// Metrics history for `npm start`: a week of hour rollups and the last hour's minute rollups, in the shapes the
// engine writes (functions/src/queue/model/metrics.ts), so the metrics view's charts show something the moment the
// demo opens. The numbers come from a made-up daily traffic curve with a burst of failures; the minutes after the
// seed are rolled up from real tasks by the emulator suite's every-minute pass. Skips the minutes that pass will
// roll up, and writes nothing if the history is there already (an emulator kept running).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FieldValue, Timestamp } from "firebase-admin/firestore";

const LIB = join(dirname(fileURLToPath(import.meta.url)), "..", "functions", "lib");
const importLib = (file) => import(pathToFileURL(join(LIB, file)).href);

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Demo handlers: tasks a minute at the daily peak, their failure share, their typical duration bucket. */
const TRAFFIC = [
  { key: "order/sendConfirmationEmail", perMinute: 40, failure: 0.01, bucket: 3 },
  { key: "inventory/mutations.initiateOrderProcessing", perMinute: 25, failure: 0.03, bucket: 4 },
  { key: "demo/flaky", perMinute: 6, failure: 0.15, bucket: 1 },
  { key: "demo/sleep", perMinute: 3, failure: 0.05, bucket: 6 },
];

/** A repeatable pseudo-random number in [0, 1) for `seed` (the same history on every start). */
function noise(seed) {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

/** One handler's counts over `minutes` minutes starting at `at`: a daily curve, and failures 3 to 5 hours ago. */
function countsAt(handler, at, minutes, now) {
  const hourOfDay = new Date(at).getUTCHours() + new Date(at).getUTCMinutes() / 60;
  const daily = 0.55 + 0.45 * Math.sin(((hourOfDay - 8) / 24) * 2 * Math.PI);
  const ended = Math.round(handler.perMinute * minutes * daily * (0.8 + 0.4 * noise(at / MINUTE + handler.perMinute)));
  const incident = now - at > 3 * HOUR && now - at < 5 * HOUR && handler.key.startsWith("inventory") ? 0.35 : 0;
  const failed = Math.round(ended * (handler.failure + incident));
  const spread = Math.round(ended * 0.2);
  const buckets = { [`b${handler.bucket}`]: ended - 2 * spread, [`b${handler.bucket - 1}`]: spread };
  buckets[`b${handler.bucket + 2}`] = spread;
  return { completed: ended - failed, failed, buckets };
}

function totalOf(handlers) {
  const total = { completed: 0, failed: 0, buckets: {} };
  for (const counts of Object.values(handlers)) {
    total.completed += counts.completed;
    total.failed += counts.failed;
    for (const [b, n] of Object.entries(counts.buckets)) total.buckets[b] = (total.buckets[b] ?? 0) + n;
  }
  return total;
}

const increments = (counts) => ({
  completed: FieldValue.increment(counts.completed),
  failed: FieldValue.increment(counts.failed),
  buckets: Object.fromEntries(Object.entries(counts.buckets).map(([b, n]) => [b, FieldValue.increment(n)])),
});

export async function seedMetricsHistory(db, now = Date.now()) {
  const { METRICS } = await importLib("queue/config.js");
  const { rollupId } = await importLib("queue/model/metrics.js");
  const { minuteToRollUp } = await importLib("queue/metrics/rollup.js");
  const hours = db.collection(METRICS.hoursCollection);
  const minutes = db.collection(METRICS.minutesCollection);
  const firstLiveMinute = minuteToRollUp(new Date(now));
  const currentHour = Math.floor(firstLiveMinute / HOUR) * HOUR;
  if ((await hours.doc(rollupId(currentHour - HOUR, "hour")).get()).exists) return { hours: 0, minutes: 0 };

  const writer = db.bulkWriter();
  // Whole hours of the past week, before the current one.
  for (let at = currentHour - 7 * 24 * HOUR; at < currentHour; at += HOUR) {
    const handlers = Object.fromEntries(TRAFFIC.map((h) => [h.key, countsAt(h, at, 60, now)]));
    writer.set(hours.doc(rollupId(at, "hour")), { at: Timestamp.fromMillis(at), total: totalOf(handlers), handlers });
  }
  // The last hour's minutes, up to the first minute the live pass rolls up; each is added to its hour too.
  let written = 0;
  for (let at = firstLiveMinute - 60 * MINUTE; at < firstLiveMinute; at += MINUTE) {
    const handlers = Object.fromEntries(TRAFFIC.map((h) => [h.key, countsAt(h, at, 1, now)]));
    const total = totalOf(handlers);
    writer.create(minutes.doc(rollupId(at, "minute")), { at: Timestamp.fromMillis(at), total, handlers });
    if (at >= currentHour) {
      const hourIncrements = {
        at: Timestamp.fromMillis(currentHour),
        total: increments(total),
        handlers: Object.fromEntries(Object.entries(handlers).map(([k, c]) => [k, increments(c)])),
      };
      writer.set(hours.doc(rollupId(currentHour, "hour")), hourIncrements, { merge: true });
    }
    written++;
  }
  await writer.close();
  return { hours: 7 * 24, minutes: written };
}
