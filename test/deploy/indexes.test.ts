// firestore.indexes.json serves every query the engine and the admin page make (query-catalog.ts), by Firestore's
// index rules (index-rules.ts), and the catalog is what the code really asks for. The emulator runs any query
// without an index, so without this a missing index shows up only in a deployed project, as a failing sweeper or an
// admin list that answers "The query requires an index".
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FILTER_KEYS } from "../../functions/src/queue/model/admin";
import { QUERY_CATALOG, SOURCES } from "./query-catalog";
import { SHARD_FIELD } from "../../functions/src/queue/model/index-shard";
import { TASKS_COLLECTION } from "../../functions/src/queue/model/task";
import { recordEngineQueries, recordPageQueries, type RecordedQuery } from "./record-queries";
import {
  describeIndex,
  normalise,
  servingIndexes,
  shapeKey,
  type CompositeIndex,
  type IndexConfig,
  type QueryShape,
} from "./index-rules";

const ROOT = join(__dirname, "..", "..");
const INDEXES: IndexConfig = JSON.parse(readFileSync(join(ROOT, "firestore.indexes.json"), "utf8"));

function unserved(config: IndexConfig): string[] {
  return QUERY_CATALOG.filter((q) => !servingIndexes(config, q.shape)).map(
    (q) => `${q.key}\n      used by ${q.usedBy.join("; ")}`,
  );
}

describe("firestore.indexes.json", () => {
  it("serves every query in the catalog", () => {
    const missing = unserved(INDEXES);
    assert.deepEqual(missing, [], `no index serves:\n    ${missing.join("\n    ")}`);
  });

  it("has no composite index that no query needs", () => {
    const unneeded = INDEXES.indexes.filter((index) => {
      const without = { ...INDEXES, indexes: INDEXES.indexes.filter((i) => i !== index) };
      return unserved(without).length === 0;
    });
    assert.deepEqual(unneeded.map(describeComposite), [], "drop them: each index costs a write per task write");
  });

  it("starts every collection-group composite that ends in a growing timestamp with the shard", () => {
    // Such an index takes an entry at its newest end for every task: one range per shard (docs/scale.md).
    const growing = ["createdAt", "runAt", "lease.expiresAt", "endedAt"];
    const unsharded = INDEXES.indexes.filter(
      (index) =>
        index.queryScope === "COLLECTION_GROUP" &&
        growing.includes(index.fields.at(-1)!.fieldPath) &&
        index.fields[0].fieldPath !== SHARD_FIELD,
    );
    assert.deepEqual(unsharded.map(describeComposite), [], `start each with { "fieldPath": "${SHARD_FIELD}" }`);
  });

  it("needs each of its collection-group single-field indexes", () => {
    const overrides = INDEXES.fieldOverrides ?? [];
    const groupIndexes = overrides.flatMap((o) =>
      (o.indexes ?? []).filter((i) => i.queryScope === "COLLECTION_GROUP").map((i) => ({ override: o, index: i })),
    );
    assert.ok(groupIndexes.length > 0);
    for (const { override, index } of groupIndexes) {
      const without: IndexConfig = {
        ...INDEXES,
        fieldOverrides: overrides.map((o) =>
          o === override ? { ...o, indexes: o.indexes!.filter((i) => i !== index) } : o,
        ),
      };
      assert.notDeepEqual(unserved(without), [], `${override.fieldPath} ${JSON.stringify(index)} serves no query`);
    }
  });
});

describe("the TTL policy", () => {
  it("is declared on tasks' expireAt (collection group), unindexed, and on no other field", () => {
    const ttl = (INDEXES.fieldOverrides ?? []).filter((o) => o.ttl === true);
    assert.deepEqual(
      ttl.map((o) => ({ collectionGroup: o.collectionGroup, fieldPath: o.fieldPath, indexes: o.indexes })),
      [{ collectionGroup: TASKS_COLLECTION, fieldPath: "expireAt", indexes: [] }],
      "firebase deploy applies a TTL policy from a fieldOverride with ttl: true",
    );
  });
});

describe("the query catalog", () => {
  let recorded: RecordedQuery[];
  before(async () => {
    recorded = [...(await recordEngineQueries()), ...(await recordPageQueries())];
  });

  it("lists every query the engine and the admin page make", () => {
    const missing = recorded
      .filter((r) => !QUERY_CATALOG.some((q) => q.key === shapeKey(r.shape) && q.usedBy.includes(r.source)))
      .map((r) => `${r.call}: ${shapeKey(r.shape)}`);
    assert.deepEqual([...new Set(missing)], [], "add these to test/deploy/query-catalog.ts");
  });

  it("lists no query the code does not make", () => {
    const stale = QUERY_CATALOG.flatMap((q) =>
      q.usedBy
        .filter((source) => !recorded.some((r) => r.source === source && shapeKey(r.shape) === q.key))
        .map((source) => `${source}: ${q.key}`),
    );
    assert.deepEqual(stale, [], "remove these from test/deploy/query-catalog.ts");
  });

  it("was recorded from every code path that queries", () => {
    const sources = new Set(recorded.map((r) => r.source));
    assert.deepEqual(
      Object.values(SOURCES).filter((s) => !sources.has(s)),
      [],
    );
    // Each state tab and each filter combination was run, not just a few.
    assert.equal(recorded.filter((r) => r.source === SOURCES.count).length, 5 * 2 ** FILTER_KEYS.length);
  });

  it("has all its queries built in the modules the recorder runs", () => {
    const offenders = [...engineQueryCalls(), ...pageQueryImports()];
    assert.deepEqual(offenders, [], "record these in test/deploy/record-queries.ts and list them in the catalog");
  });
});

describe("the index rules used here", () => {
  const group = (shape: Partial<QueryShape>) =>
    normalise({ scope: "COLLECTION_GROUP", collectionGroup: "tasks", equality: [], ranges: [], orderBy: [], ...shape });
  const composite = (...fields: [string, "ASCENDING" | "DESCENDING"][]): CompositeIndex => ({
    collectionGroup: "tasks",
    queryScope: "COLLECTION_GROUP",
    fields: fields.map(([fieldPath, order]) => ({ fieldPath, order })),
  });
  const listQuery = group({ equality: ["state", "type"], orderBy: [["createdAt", "DESCENDING"]] });

  it("need a composite in the order's direction", () => {
    const asc = { indexes: [composite(["state", "ASCENDING"], ["type", "ASCENDING"], ["createdAt", "ASCENDING"])] };
    const desc = { indexes: [composite(["type", "ASCENDING"], ["state", "ASCENDING"], ["createdAt", "DESCENDING"])] };
    assert.equal(servingIndexes(asc, listQuery), undefined);
    assert.equal(servingIndexes(desc, listQuery)?.length, 1);
  });

  it("merge indexes for equality filters, but not with a range on a field", () => {
    const merged = {
      indexes: [
        composite(["state", "ASCENDING"], ["runAt", "ASCENDING"]),
        composite(["type", "ASCENDING"], ["runAt", "ASCENDING"]),
      ],
    };
    assert.equal(
      servingIndexes(merged, group({ equality: ["state", "type"], orderBy: [["runAt", "ASCENDING"]] }))?.length,
      2,
    );
    assert.equal(servingIndexes(merged, group({ equality: ["state", "type"], ranges: ["runAt"] })), undefined);
    assert.equal(servingIndexes(merged, group({ equality: ["state"], ranges: ["runAt"] }))?.length, 1);
  });

  it("give collection groups no single-field index unless a fieldOverride adds one", () => {
    const count = group({ equality: ["state"] });
    assert.equal(servingIndexes({ indexes: [] }, count), undefined);
    const scoped = (queryScope: "COLLECTION" | "COLLECTION_GROUP") => ({
      indexes: [],
      fieldOverrides: [
        { collectionGroup: "tasks", fieldPath: "state", indexes: [{ order: "ASCENDING" as const, queryScope }] },
      ],
    });
    assert.equal(servingIndexes(scoped("COLLECTION"), count), undefined);
    assert.equal(servingIndexes(scoped("COLLECTION_GROUP"), count)?.length, 1);
  });

  it("honour exemptions of single-field indexes, inherited from a map field", () => {
    const timeline = { ...group({ orderBy: [["error.at", "ASCENDING"]] }), scope: "COLLECTION" as const };
    assert.equal(servingIndexes({ indexes: [] }, timeline)?.length, 1, "automatic single-field index");
    const exempt = { indexes: [], fieldOverrides: [{ collectionGroup: "tasks", fieldPath: "error", indexes: [] }] };
    assert.equal(servingIndexes(exempt, timeline), undefined);
  });
});

function describeComposite(index: CompositeIndex): string {
  return describeIndex({
    kind: "composite",
    scope: index.queryScope,
    fields: index.fields.map((f) => [f.fieldPath, f.order ?? "ASCENDING"]),
  });
}

/** Query-building calls in deployed engine code outside the files record-queries.ts runs. */
function engineQueryCalls(): string[] {
  const recordedFiles = [
    "queue/triggers/sweep-tasks.ts",
    "queue/admin/filters.ts",
    "queue/admin/retry-failed.ts",
    "queue/admin/cancel-scheduled.ts",
    "queue/flow/resume.ts",
    "queue/groups/group-queries.ts",
    "queue/metrics/metric-queries.ts",
  ];
  return sourceFiles(join(ROOT, "functions", "src"))
    .filter((file) => !file.startsWith("bench/") && !recordedFiles.includes(file))
    .flatMap((file) => {
      const text = readFileSync(join(ROOT, "functions", "src", file), "utf8");
      const calls = text.match(/\.(where|orderBy|collectionGroup|findNearest|count|aggregate)\(/g) ?? [];
      const imports = clientQueryImports(text);
      return [...calls, ...imports].map((call) => `functions/src/${file}: ${call}`);
    });
}

/** Query-building imports from the JS SDK in the page outside queries.ts. */
function pageQueryImports(): string[] {
  return sourceFiles(join(ROOT, "web-admin", "src"))
    .filter((file) => file !== "queries.ts")
    .flatMap((file) =>
      clientQueryImports(readFileSync(join(ROOT, "web-admin", "src", file), "utf8")).map(
        (n) => `web-admin/src/${file}: ${n}`,
      ),
    );
}

const CLIENT_QUERY_FUNCTIONS = new Set([
  "query",
  "where",
  "orderBy",
  "collectionGroup",
  "getDocs",
  "getCountFromServer",
  "getAggregateFromServer",
  "and",
  "or",
]);

function clientQueryImports(text: string): string[] {
  const names = [...text.matchAll(/import\s*{([^}]*)}\s*from\s*["']firebase\/firestore["']/g)].flatMap((m) =>
    m[1].split(",").map((n) => n.trim().split(/\s+as\s+/)[0]),
  );
  return names.filter((n) => CLIENT_QUERY_FUNCTIONS.has(n)).map((n) => `imports ${n} from firebase/firestore`);
}

function sourceFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : entry.name.endsWith(".ts")
        ? [`${prefix}${entry.name}`]
        : [],
  );
}
