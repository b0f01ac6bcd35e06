// Every query the metrics make, in one module (test/deploy/record-queries.ts records them and the index config
// serves them): the count() of tasks that ended in a time range, overall or of one handler, of one state or one
// duration bucket; and the rollup documents of a range, oldest first.
import type { Firestore, Query } from "firebase-admin/firestore";
import { METRICS } from "../config";
import { TASKS_COLLECTION } from "../model/task";
import { queriedShards, SHARD_FIELD } from "../model/index-shard";

export interface EndedFilter {
  type?: string;
  action?: string;
  /** Only the tasks that ended in this state. */
  state?: "failed";
  /** Only the tasks whose last run fell in this duration bucket. */
  runBucket?: number;
}

/**
 * Tasks (every parent's `tasks`) whose ending write committed in [startMs, endMs), over every index shard: `endedAt`
 * grows, so its indexes start with the shard (docs/scale.md). The ending write is the engine's, which carries it.
 */
export function endedQuery(db: Firestore, startMs: number, endMs: number, filter: EndedFilter = {}): Query {
  let query: Query = db.collectionGroup(TASKS_COLLECTION).where(SHARD_FIELD, "in", queriedShards());
  if (filter.type !== undefined) query = query.where("type", "==", filter.type);
  if (filter.action !== undefined) query = query.where("action", "==", filter.action);
  if (filter.state !== undefined) query = query.where("state", "==", filter.state);
  if (filter.runBucket !== undefined) query = query.where("runBucket", "==", filter.runBucket);
  return query.where("endedAt", ">=", new Date(startMs)).where("endedAt", "<", new Date(endMs));
}

/** How many tasks match: 1 read per 1,000 index entries matched (at least 1). */
export async function countOf(query: Query): Promise<number> {
  return (await query.count().get()).data().count;
}

/** The minute or hour rollups from `sinceMs` on, oldest first. */
export function rollupsQuery(db: Firestore, unit: "minute" | "hour", sinceMs: number): Query {
  const collection = unit === "minute" ? METRICS.minutesCollection : METRICS.hoursCollection;
  return db.collection(collection).where("at", ">=", new Date(sinceMs)).orderBy("at", "asc");
}
