// The per-minute rollup: what ended in one minute, per handler and overall, counted with aggregation queries on the
// fields the ending write already carries (`endedAt`, `state`, `runBucket`: attempt/outcome.ts), so it costs no
// write per task, and reads that grow with the minutes, not the tasks (1 per 1,000 matches). One document per
// minute, and the same counts added to its hour's document, in one batch: the week chart reads 168 hours.
import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { METRICS } from "../config";
import { handlerKey, rollupId, type OutcomeCounts, type RollupDocument } from "../model/metrics";
import type { Registry } from "../model/handler";
import { isAlreadyExists } from "../store/status-codes";
import { countOf, endedQuery, type EndedFilter } from "./metric-queries";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const BUCKETS = METRICS.durationBucketsMs.length + 1;

export interface MinuteRollup {
  minuteMs: number;
  doc: RollupDocument<Timestamp>;
  /** False when the minute was rolled up before (another pass): nothing was written, nothing added twice. */
  written: boolean;
  /** count() queries run (each billed 1 read per 1,000 matches, at least 1). */
  queries: number;
}

/** The start of the last whole minute that ended at least METRICS.settleMs before `now`. */
export function minuteToRollUp(now: Date): number {
  return Math.floor((now.getTime() - METRICS.settleMs) / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
}

const emptyCounts = (): OutcomeCounts => ({ completed: 0, failed: 0, buckets: {} });

/** Counts the minute starting at `minuteMs` and records it, unless it was recorded already. */
export async function rollUpMinute(db: Firestore, registry: Registry, minuteMs: number): Promise<MinuteRollup> {
  const { doc, queries } = await countMinute(db, registry, minuteMs);
  const ended = doc.total.completed + doc.total.failed;
  const written = ended > 0 ? await record(db, doc, minuteMs) : false;
  return { minuteMs, doc, written, queries };
}

/**
 * What ended in the minute starting at `minuteMs`, per handler and overall. One count() when nothing ended; else one
 * per handler, and two more plus the duration buckets it needs for each handler with tasks that ended.
 */
export async function countMinute(
  db: Firestore,
  registry: Registry,
  minuteMs: number,
): Promise<{ doc: RollupDocument<Timestamp>; queries: number }> {
  if (minuteMs % MINUTE_MS !== 0) throw new RangeError(`rollUpMinute needs the start of a minute, got ${minuteMs}`);
  let queries = 0;
  const count = (filter: EndedFilter) => {
    queries++;
    return countOf(endedQuery(db, minuteMs, minuteMs + MINUTE_MS, filter));
  };
  const doc: RollupDocument<Timestamp> = { at: Timestamp.fromMillis(minuteMs), total: emptyCounts(), handlers: {} };
  const ended = await count({});
  if (ended === 0) return { doc, queries };
  const handlers = registry.list();
  const perHandler = await Promise.all(handlers.map(({ type, action }) => countHandler(count, type, action)));
  let counted = 0;
  handlers.forEach(({ type, action }, i) => {
    const counts = perHandler[i];
    if (!counts) return;
    doc.handlers[handlerKey(type, action)] = counts;
    counted += counts.completed + counts.failed;
    addCounts(doc.total, counts);
  });
  // Tasks of no registered handler end `failed` (handler/not-found) without a run.
  doc.total.failed += Math.max(0, ended - counted);
  return { doc, queries };
}

/** One handler's counts, or undefined when none of its tasks ended: 1 query then, else 2 + the buckets it needs. */
async function countHandler(
  count: (filter: EndedFilter) => Promise<number>,
  type: string,
  action: string,
): Promise<OutcomeCounts | undefined> {
  const ended = await count({ type, action });
  if (ended === 0) return undefined;
  const failed = await count({ type, action, state: "failed" });
  const buckets: Record<string, number> = {};
  // Buckets in order, until every ended task is in one: short runs usually need two or three queries, not ten.
  for (let bucket = 0, seen = 0; bucket < BUCKETS && seen < ended; bucket++) {
    const n = await count({ type, action, runBucket: bucket });
    if (n > 0) buckets[`b${bucket}`] = n;
    seen += n;
  }
  return { completed: Math.max(0, ended - failed), failed, buckets };
}

function addCounts(into: OutcomeCounts, counts: OutcomeCounts): void {
  into.completed += counts.completed;
  into.failed += counts.failed;
  for (const [bucket, n] of Object.entries(counts.buckets)) into.buckets[bucket] = (into.buckets[bucket] ?? 0) + n;
}

/** Increments of `counts`, for a merge into the hour document. */
function increments(counts: OutcomeCounts) {
  return {
    completed: FieldValue.increment(counts.completed),
    failed: FieldValue.increment(counts.failed),
    buckets: Object.fromEntries(Object.entries(counts.buckets).map(([b, n]) => [b, FieldValue.increment(n)])),
  };
}

/**
 * Creates the minute's document and adds it to its hour's in one batch. A minute recorded before makes the create,
 * and so the whole batch, fail: a pass run twice never adds a minute to its hour twice.
 */
async function record(db: Firestore, doc: RollupDocument<Timestamp>, minuteMs: number): Promise<boolean> {
  const hourMs = Math.floor(minuteMs / HOUR_MS) * HOUR_MS;
  const batch = db.batch();
  batch.create(db.collection(METRICS.minutesCollection).doc(rollupId(minuteMs, "minute")), doc);
  // set with merge: keys of nested maps are field names, so an action's dots stay in its key.
  batch.set(
    db.collection(METRICS.hoursCollection).doc(rollupId(hourMs, "hour")),
    {
      at: Timestamp.fromMillis(hourMs),
      total: increments(doc.total),
      handlers: Object.fromEntries(Object.entries(doc.handlers).map(([key, c]) => [key, increments(c)])),
    },
    { merge: true },
  );
  try {
    await batch.commit();
    return true;
  } catch (error) {
    if (isAlreadyExists(error)) return false;
    throw error;
  }
}
