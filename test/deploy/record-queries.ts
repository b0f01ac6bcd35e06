// Runs the code that queries Firestore, offline, and records what each query would send (its StructuredQuery), so
// query-catalog.ts can be compared with the code instead of trusted. No query reaches a server:
// - engine (firebase-admin): Query.get() answers an empty page for calls made inside `recording`, and records the
//   query; calls from anything else in the process go through untouched (the sweeper's read and write of its
//   cursor document and its read of the pauses document are document calls, not queries: they reach the emulator
//   the suite runs in);
// - admin page (Firebase JS SDK, in its own app): network disabled, queries converted by the SDK's own serializer,
//   and the count RPC answered with 0 by the page's private datastore.
import { AsyncLocalStorage } from "node:async_hooks";
import { getApps, initializeApp } from "firebase-admin/app";
import { Query, getFirestore } from "firebase-admin/firestore";
import { GROUP_COUNTED_STATES } from "../../functions/src/queue/model/group";
import { FILTER_KEYS, type TaskFilter } from "../../functions/src/queue/model/admin";
import { TASK_STATES } from "../../functions/src/queue/model/task";
import type { Registry } from "../../functions/src/queue/model/handler";
import { SOURCES, type Source } from "./query-catalog";
import { shapeOf, type QueryShape, type StructuredQuery } from "./index-rules";

export interface RecordedQuery {
  source: Source;
  /** The call that made it, for messages. */
  call: string;
  shape: QueryShape;
}

/** Every combination of filters, each with a sample value ("orders" for the collection). */
export function allFilters(): TaskFilter[] {
  return Array.from({ length: 2 ** FILTER_KEYS.length }, (_, bits) => {
    const filter: TaskFilter = {};
    FILTER_KEYS.forEach((key, i) => {
      if (bits & (1 << i)) filter[key] = SAMPLE_VALUES[key] ?? `sample-${key}`;
    });
    return filter;
  });
}

/** Values a filter must have the shape of: a collection id, a parent document's path. */
const SAMPLE_VALUES: Partial<TaskFilter> = { collection: "orders", parent: "orders/o-1" };

const describeFilter = (filter: TaskFilter) => JSON.stringify(filter);

// ---- Engine -------------------------------------------------------------------------------------------------

interface Recording {
  source: Source;
  call: string;
  queries: RecordedQuery[];
}
const recording = new AsyncLocalStorage<Recording>();
type Get = typeof Query.prototype.get;

type Count = typeof Query.prototype.count;

/** Records the query into the current recording, if any; false when there is none. */
function recorded(query: Query): boolean {
  const current = recording.getStore();
  if (!current) return false;
  const wire = (query as unknown as { toStructuredQuery(): StructuredQuery }).toStructuredQuery();
  current.queries.push({ source: current.source, call: current.call, shape: shapeOf(wire) });
  return true;
}

function withEmptyQueries<T>(run: () => Promise<T>): Promise<T> {
  const original: Get = Query.prototype.get;
  const originalCount: Count = Query.prototype.count;
  Query.prototype.get = function (this: Query, ...args: Parameters<Get>) {
    if (!recorded(this)) return original.apply(this, args);
    return Promise.resolve({ docs: [], size: 0, empty: true }) as unknown as ReturnType<Get>;
  } as Get;
  // A count() answers 1: so every query that follows a non-zero count (the metrics rollup's) is made too.
  Query.prototype.count = function (this: Query) {
    const aggregate = originalCount.apply(this);
    const get = () =>
      recorded(this) ? Promise.resolve({ data: () => ({ count: 1 }) }) : (aggregate.get() as Promise<unknown>);
    return Object.assign(Object.create(aggregate), { get });
  } as Count;
  return run().finally(() => {
    Query.prototype.get = original;
    Query.prototype.count = originalCount;
  });
}

/** The queries of one sweep, and of retry-all and cancel-all with every combination of filters. */
export async function recordEngineQueries(): Promise<RecordedQuery[]> {
  // The engine's db() uses the default app; a query needs a project id to name documents, never a connection.
  if (!getApps().some((app) => app.name === "[DEFAULT]")) {
    initializeApp({ projectId: process.env.GCLOUD_PROJECT ?? "demo-taskqueue" });
  }
  const { sweep } = await import("../../functions/src/queue/triggers/sweep-tasks");
  const { retryFailedTasks } = await import("../../functions/src/queue/admin/retry-failed");
  const { cancelScheduledTasks } = await import("../../functions/src/queue/admin/cancel-scheduled");
  const { dispatchHeldTasks } = await import("../../functions/src/queue/flow/resume");
  const { childrenQuery } = await import("../../functions/src/queue/groups/group-queries");
  const { countMinute } = await import("../../functions/src/queue/metrics/rollup");
  const { readMetrics } = await import("../../functions/src/queue/metrics/read-metrics");
  const { METRICS_RANGES } = await import("../../functions/src/queue/model/metrics");
  const { defineHandler, defineHandlers } = await import("../../functions/src/queue/model/registry");
  const queries: RecordedQuery[] = [];
  await withEmptyQueries(async () => {
    const noHandlers = {} as Registry; // empty pages: no task is ever handed to a handler
    await recording.run({ source: SOURCES.sweeper, call: "sweep()", queries }, () => sweep(noHandlers));
    const resume = { source: SOURCES.resume, call: "dispatchHeldTasks()", queries };
    await recording.run(resume, () => dispatchHeldTasks(noHandlers));
    const fanIn = { source: SOURCES.fanIn, call: "childrenQuery()", queries };
    const parent = getFirestore().doc("orders/recorder");
    for (const state of [undefined, ...GROUP_COUNTED_STATES]) {
      await recording.run(fanIn, () => childrenQuery(parent, "recorder", state).get());
    }
    const oneHandler = defineHandlers({ recorder: { run: defineHandler({}, () => undefined) } });
    const rollup = { source: SOURCES.metrics, call: "countMinute()", queries };
    await recording.run(rollup, () => countMinute(getFirestore(), oneHandler, 0));
    for (const range of METRICS_RANGES) {
      const read = { source: SOURCES.metricsRead, call: `readMetrics(${range})`, queries };
      await recording.run(read, () => readMetrics(getFirestore(), range));
    }
    for (const filter of allFilters()) {
      const call = `retryFailedTasks(${describeFilter(filter)})`;
      await recording.run({ source: SOURCES.retryAll, call, queries }, () =>
        retryFailedTasks(filter, "recorder", noHandlers),
      );
      const cancel = { source: SOURCES.cancelAll, call: `cancelScheduledTasks(${describeFilter(filter)})`, queries };
      await recording.run(cancel, () => cancelScheduledTasks(filter, "recorder", noHandlers));
    }
  });
  return queries;
}

// ---- Admin page ---------------------------------------------------------------------------------------------

interface PageQueries {
  pageQuery(db: unknown, route: unknown): unknown;
  countTasks(db: unknown, state: string, filter: TaskFilter): Promise<number>;
  timelineQuery(db: unknown, parentPath: string): unknown;
}

interface Datastore {
  invokeStreamingRPC(rpc: string, databaseId: unknown, path: unknown, request: AggregationRequest): Promise<unknown[]>;
}
interface AggregationRequest {
  structuredAggregationQuery: { structuredQuery: StructuredQuery; aggregations: { alias: string }[] };
}

/** The page's queries for every state tab, combination of filters and page direction, its counts and timeline. */
export async function recordPageQueries(): Promise<RecordedQuery[]> {
  // The page is an ES module: import it, and the SDK, as ES modules so they share one Firestore class.
  const { initializeApp: initializeClientApp, deleteApp } = await import("firebase/app");
  const firestore = await import("firebase/firestore");
  const page = (await import("../../web-admin/src/queries.ts")) as unknown as PageQueries;

  const app = initializeClientApp({ projectId: "demo-taskqueue", apiKey: "recorder" }, `query-recorder-${Date.now()}`);
  const db = firestore.getFirestore(app);
  // Offline: an unreachable local address (never Google), network disabled; this also starts the serializer.
  firestore.connectFirestoreEmulator(db, "127.0.0.1", 9);
  await firestore.disableNetwork(db);
  const queries: RecordedQuery[] = [];
  const toWire = (query: unknown): StructuredQuery => {
    const target = firestore._internalQueryToProtoQueryTarget(query as Parameters<typeof firestore.query>[0]);
    if (!target?.structuredQuery) throw new Error("the Firebase JS SDK did not convert the page's query");
    return target.structuredQuery as StructuredQuery;
  };

  const client = (db as unknown as { _firestoreClient?: { _onlineComponents?: { datastore?: Datastore } } })
    ._firestoreClient;
  const datastore = client?._onlineComponents?.datastore;
  if (!datastore) throw new Error("record-queries.ts: the Firebase JS SDK's internals changed (no datastore)");
  let countCall = "";
  datastore.invokeStreamingRPC = async (rpc, _databaseId, _path, request) => {
    if (rpc !== "RunAggregationQuery") throw new Error(`record-queries.ts: unexpected ${rpc}`);
    const { structuredQuery, aggregations } = request.structuredAggregationQuery;
    queries.push({ source: SOURCES.count, call: countCall, shape: shapeOf(structuredQuery) });
    return [{ result: { aggregateFields: { [aggregations[0].alias]: { integerValue: "0" } } } }];
  };

  try {
    const cursor = { seconds: 1_700_000_000, nanoseconds: 0, path: "orders/o-1/tasks/t-1" };
    for (const state of TASK_STATES) {
      for (const filter of allFilters()) {
        for (const direction of [undefined, "after", "before"] as const) {
          const route = { state, filter, cursor: direction && { direction, ...cursor } };
          queries.push({
            source: direction === "before" ? SOURCES.listNewer : SOURCES.list,
            call: `pageQuery(${state}, ${describeFilter(filter)}, ${direction ?? "first page"})`,
            shape: shapeOf(toWire(page.pageQuery(db, route))),
          });
        }
        countCall = `countTasks(${state}, ${describeFilter(filter)})`;
        await page.countTasks(db, state, filter);
      }
    }
    queries.push({
      source: SOURCES.timeline,
      call: "timelineQuery(orders/o-1)",
      shape: shapeOf(toWire(page.timelineQuery(db, "orders/o-1"))),
    });
  } finally {
    await firestore.terminate(db);
    await deleteApp(app);
  }
  return queries;
}
