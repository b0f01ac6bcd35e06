// Every Firestore query the engine and the admin page make, in one place, with what makes it. indexes.test.ts
// checks that firestore.indexes.json serves each one, and that this list is exactly what the code asks for: it runs
// the code that builds the queries (sweep, retryFailedTasks, cancelScheduledTasks, the page's pageQuery, countTasks, timelineQuery) for
// every state, filter combination and page direction, and compares what they would send with this list, both ways.
//
// Document reads by path (runTaskNow, the triggers, the page's task detail, the sweeper's cursor document) and writes
// need no index and are not listed. Functions in functions/src/bench run only in the emulator and are not listed either.
import { FILTER_KEYS, type TaskFilter } from "../../functions/src/queue/model/admin";
import { TASKS_COLLECTION } from "../../functions/src/queue/model/task";
import { FANOUT, METRICS } from "../../functions/src/queue/config";
import { SHARD_FIELD } from "../../functions/src/queue/model/index-shard";
import { NAME, normalise, shapeKey, type Direction, type QueryShape } from "./index-rules";

/** The code paths that query, as the recorder in record-queries.ts names them. */
export const SOURCES = {
  sweeper: "engine: sweepTasks (queue/triggers/sweep-tasks.ts)",
  retryAll: "engine: retryTasks, failed tasks matching a filter (queue/admin/retry-failed.ts, filters.ts)",
  cancelAll: "engine: cancelTasks, scheduled tasks matching a filter (queue/admin/cancel-scheduled.ts, filters.ts)",
  resume: "engine: setPaused, a resume dispatching the tasks the pause held (queue/flow/resume.ts)",
  metrics: "engine: the metrics rollup, count()s of the tasks ended in a minute (queue/metrics/rollup.ts)",
  metricsRead: "engine: queueMetrics, the minute or hour rollups of a range (queue/metrics/read-metrics.ts)",
  fanIn: "engine: a group's children, counted by the sweeper's check and listed by ctx.fanIn (queue/groups/)",
  list: "admin page: task list, first and older pages (queries.ts pageQuery)",
  listNewer: "admin page: task list, newer pages (pageQuery with limitToLast, which Firestore runs ascending)",
  count: "admin page: counts per state and before retry-all (queries.ts countTasks)",
  timeline: "admin page: the parent's timeline (queries.ts timelineQuery)",
} as const;
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

export interface CatalogQuery {
  key: string;
  shape: QueryShape;
  usedBy: Source[];
}

const ASC: Direction = "ASCENDING";
const DESC: Direction = "DESCENDING";

/**
 * How each admin filter reaches Firestore: `==` on a task field, or, for the parent's collection and the parent, a
 * name range (one range when both are set: their overlap).
 */
const FILTER_FIELDS: Record<keyof TaskFilter, { equality: string } | { range: typeof NAME }> = {
  collection: { range: NAME },
  parent: { range: NAME },
  type: { equality: "type" },
  action: { equality: "action" },
  errorCode: { equality: "error.code" },
  createdBy: { equality: "createdBy" },
};

/** The `where` of every combination of admin filters (none, one, ..., all), on top of `state ==`. */
function filterCombinations(): { equality: string[]; ranges: string[] }[] {
  const missing = FILTER_KEYS.filter((key) => !(key in FILTER_FIELDS));
  if (missing.length) throw new Error(`query-catalog.ts: say how filter(s) ${missing.join(", ")} query Firestore`);
  return Array.from({ length: 2 ** FILTER_KEYS.length }, (_, bits) => {
    const used = FILTER_KEYS.filter((_key, i) => bits & (1 << i)).map((key) => FILTER_FIELDS[key]);
    return {
      equality: ["state", ...used.flatMap((f) => ("equality" in f ? [f.equality] : []))],
      ranges: [...new Set(used.flatMap((f) => ("range" in f ? [f.range] : [])))],
    };
  });
}

function tasks(
  scope: QueryShape["scope"],
  where: { equality: string[]; ranges: string[] },
  orderBy: [string, Direction][],
) {
  return normalise({ scope, collectionGroup: TASKS_COLLECTION, ...where, orderBy });
}

const filters = filterCombinations();
/** A query ordered by a growing timestamp reads every index shard (`shard in [...]`, an equality to the indexes). */
const sharded = (where: { equality: string[]; ranges: string[] }) => ({
  ...where,
  equality: [SHARD_FIELD, ...where.equality],
});
const queries: [Source, QueryShape][] = [
  // The sweeper's walks, each resumed from a cursor: expired leases, scheduled tasks overdue by runAt, new scheduled
  // tasks by createdAt (the frontier), all three over every shard; and every scheduled task by document name (the
  // lap), unsharded.
  [
    SOURCES.sweeper,
    tasks("COLLECTION_GROUP", sharded({ equality: ["state"], ranges: ["lease.expiresAt"] }), [
      ["lease.expiresAt", ASC],
    ]),
  ],
  [SOURCES.sweeper, tasks("COLLECTION_GROUP", sharded({ equality: ["state"], ranges: ["runAt"] }), [["runAt", ASC]])],
  [
    SOURCES.sweeper,
    tasks("COLLECTION_GROUP", sharded({ equality: ["state"], ranges: ["createdAt"] }), [["createdAt", ASC]]),
  ],
  [SOURCES.sweeper, tasks("COLLECTION_GROUP", { equality: ["state"], ranges: [] }, [[NAME, ASC]])],
  // The sweeper's check of open fan-out groups, by checkAt, on the engine's groups collection.
  [
    SOURCES.sweeper,
    normalise({
      scope: "COLLECTION",
      collectionGroup: FANOUT.collection,
      equality: [],
      ranges: ["checkAt"],
      orderBy: [["checkAt", ASC]],
    }),
  ],
  // A group's children in one parent's `tasks`, all or of one final state, by id (counted, or listed in pages).
  [SOURCES.fanIn, tasks("COLLECTION", { equality: ["group"], ranges: [] }, [[NAME, ASC]])],
  [SOURCES.fanIn, tasks("COLLECTION", { equality: ["group", "state"], ranges: [] }, [[NAME, ASC]])],
  // The metrics rollup: tasks ended in a minute, over every shard, overall, per handler, and per handler of a state or duration bucket.
  ...[[], ["type", "action"], ["type", "action", "state"], ["type", "action", "runBucket"]].map(
    (equality): [Source, QueryShape] => [
      SOURCES.metrics,
      tasks("COLLECTION_GROUP", sharded({ equality, ranges: ["endedAt"] }), []),
    ],
  ),
  // The charts: minute or hour rollups from a time on, oldest first.
  ...[METRICS.minutesCollection, METRICS.hoursCollection].map((collectionGroup): [Source, QueryShape] => [
    SOURCES.metricsRead,
    normalise({ scope: "COLLECTION", collectionGroup, equality: [], ranges: ["at"], orderBy: [["at", ASC]] }),
  ]),
  // A resume: scheduled tasks due by now, by runAt, over every shard.
  [SOURCES.resume, tasks("COLLECTION_GROUP", sharded({ equality: ["state"], ranges: ["runAt"] }), [["runAt", ASC]])],
  // `state == failed` and the filters, paged in document-name order.
  ...filters.map((where): [Source, QueryShape] => [SOURCES.retryAll, tasks("COLLECTION_GROUP", where, [[NAME, ASC]])]),
  // `state == scheduled` and the filters, paged in document-name order (the same shapes as retry-all's).
  ...filters.map((where): [Source, QueryShape] => [SOURCES.cancelAll, tasks("COLLECTION_GROUP", where, [[NAME, ASC]])]),
  // Every state tab with every combination of filters, newest first, over every shard; "newer" pages run in the
  // opposite direction.
  ...filters.map((where): [Source, QueryShape] => [
    SOURCES.list,
    tasks("COLLECTION_GROUP", sharded(where), [
      ["createdAt", DESC],
      [NAME, DESC],
    ]),
  ]),
  ...filters.map((where): [Source, QueryShape] => [
    SOURCES.listNewer,
    tasks("COLLECTION_GROUP", sharded(where), [
      ["createdAt", ASC],
      [NAME, ASC],
    ]),
  ]),
  // count() of every state tab with every combination of filters (no order: the backend counts in name order).
  ...filters.map((where): [Source, QueryShape] => [SOURCES.count, tasks("COLLECTION_GROUP", where, [])]),
  // One parent's `tasks` sub-collection, oldest first.
  [SOURCES.timeline, tasks("COLLECTION", { equality: [], ranges: [] }, [["createdAt", ASC]])],
];

/** The catalog: one entry per distinct query shape, with every code path that makes it. */
export const QUERY_CATALOG: CatalogQuery[] = [];
for (const [source, shape] of queries) {
  const key = shapeKey(shape);
  const entry = QUERY_CATALOG.find((q) => q.key === key);
  if (!entry) QUERY_CATALOG.push({ key, shape, usedBy: [source] });
  else if (!entry.usedBy.includes(source)) entry.usedBy.push(source);
}
