// Firestore's rules for which indexes serve a query, applied to firestore.indexes.json, so the indexes can be
// checked without a project (the emulator serves every query without any index). A query is reduced to its shape:
// scope and collection, the fields it filters by equality, the fields it filters by range, and its order as the
// backend normalises it. Values never matter.
//
// The rules (https://firebase.google.com/docs/firestore/query-data/index-overview and .../multiple-range-fields):
// - Every index ends with the document name (`__name__`), in the direction of its last field.
// - An index serves a query when it is: the query's equality fields (any order, any direction), then exactly the
//   query's ordered fields in their directions, its implied `__name__` in the query's direction.
// - Index merging: a query with equality filters and an optional order (no range filter on a field) can be served by
//   several such indexes, each holding some of the equality fields, as long as together they hold all of them.
// - Single-field indexes: a field has ascending, descending and array-contains indexes with COLLECTION scope unless
//   a fieldOverride (on the field, or on the nearest map field above it) lists its indexes instead; COLLECTION_GROUP
//   single-field indexes exist only where a fieldOverride lists them. A query only uses indexes of its own scope.
// - A range filter on `__name__` (the admin page's collection filter) needs no index field: every index already
//   ends with the document name, so it bounds the scan or filters the rows read, merged or not. (An assumption the
//   emulator cannot test; Query Explain on a live project would show it.)

export type Scope = "COLLECTION" | "COLLECTION_GROUP";
export type Direction = "ASCENDING" | "DESCENDING";
export const NAME = "__name__";

export interface QueryShape {
  scope: Scope;
  collectionGroup: string;
  /** Fields compared with `==` or `in`, sorted. */
  equality: string[];
  /** Fields compared with `<`, `<=`, `>`, `>=` or `!=`, sorted. */
  ranges: string[];
  /** The order as the backend runs it: explicit order, implied range fields, then `__name__`. */
  orderBy: [string, Direction][];
}

export interface IndexField {
  fieldPath: string;
  order?: Direction;
  arrayConfig?: "CONTAINS";
}

export interface CompositeIndex {
  collectionGroup: string;
  queryScope: Scope;
  fields: IndexField[];
}

export interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  ttl?: boolean;
  indexes?: { order?: Direction; arrayConfig?: "CONTAINS"; queryScope: Scope }[];
}

export interface IndexConfig {
  indexes: CompositeIndex[];
  fieldOverrides?: FieldOverride[];
}

/** One index a query reads: a composite from `indexes`, or a single-field index. */
export interface IndexUse {
  kind: "composite" | "single-field" | "document name";
  scope: Scope;
  fields: [string, Direction][];
}

/** A readable one-line form of a shape, also its identity: two queries with the same key need the same indexes. */
export function shapeKey(shape: QueryShape): string {
  const order = shape.orderBy.map(([field, direction]) => `${field} ${direction === "ASCENDING" ? "asc" : "desc"}`);
  const where = [...shape.equality.map((f) => `${f} ==`), ...shape.ranges.map((f) => `${f} range`)];
  return `${shape.scope === "COLLECTION_GROUP" ? "group" : "collection"} ${shape.collectionGroup}: ${
    where.length ? where.join(", ") : "(no filter)"
  }; order by ${order.join(", ")}`;
}

export function describeIndex(index: IndexUse): string {
  const fields = index.fields.map(([field, direction]) => `${field} ${direction === "ASCENDING" ? "asc" : "desc"}`);
  return `${index.kind} ${index.scope} (${fields.join(", ")})`;
}

// ---- From the wire: the StructuredQuery both SDKs send (firebase-admin and the Firebase JS SDK) -------------------

interface WireFilter {
  compositeFilter?: { op: string; filters: WireFilter[] };
  fieldFilter?: { field: { fieldPath: string }; op: string };
  unaryFilter?: { field: { fieldPath: string }; op: string };
}

export interface StructuredQuery {
  from: { collectionId?: string; allDescendants?: boolean }[];
  where?: WireFilter;
  orderBy?: { field: { fieldPath: string }; direction?: Direction }[];
}

const RANGE_OPS = new Set(["LESS_THAN", "LESS_THAN_OR_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "NOT_EQUAL"]);

function fieldFilters(filter: WireFilter | undefined): { fieldPath: string; op: string }[] {
  if (!filter) return [];
  if (filter.compositeFilter) {
    if (filter.compositeFilter.op !== "AND") throw new Error(`index rules: ${filter.compositeFilter.op} filters`);
    return filter.compositeFilter.filters.flatMap(fieldFilters);
  }
  if (filter.fieldFilter) return [{ fieldPath: filter.fieldFilter.field.fieldPath, op: filter.fieldFilter.op }];
  throw new Error(`index rules: filter ${JSON.stringify(filter)} is not handled; extend test/deploy/index-rules.ts`);
}

/** A query's shape from the StructuredQuery an SDK would send, normalised as the backend does. */
export function shapeOf(query: StructuredQuery): QueryShape {
  if (query.from.length !== 1 || !query.from[0].collectionId) throw new Error("index rules: one collection per query");
  const equality = new Set<string>();
  const ranges = new Set<string>();
  for (const { fieldPath, op } of fieldFilters(query.where)) {
    // `in` is a disjunction of equalities: each one is served by the indexes an equality on the field needs.
    if (op === "EQUAL" || op === "IN") equality.add(fieldPath);
    else if (RANGE_OPS.has(op)) ranges.add(fieldPath);
    else
      throw new Error(`index rules: operator ${op} on ${fieldPath} is not handled; extend test/deploy/index-rules.ts`);
  }
  return normalise({
    scope: query.from[0].allDescendants ? "COLLECTION_GROUP" : "COLLECTION",
    collectionGroup: query.from[0].collectionId,
    equality: [...equality],
    ranges: [...ranges],
    orderBy: (query.orderBy ?? []).map((o) => [o.field.fieldPath, o.direction ?? "ASCENDING"]),
  });
}

/**
 * The order the backend runs a query in: its explicit order, then each range field not ordered yet (by field
 * name), then `__name__`, each implied one in the direction of the last order (ascending without one).
 */
export function normalise(shape: QueryShape): QueryShape {
  const orderBy = [...shape.orderBy];
  const last = (): Direction => orderBy.at(-1)?.[1] ?? "ASCENDING";
  for (const field of [...shape.ranges].sort()) {
    if (field !== NAME && !orderBy.some(([f]) => f === field)) orderBy.push([field, last()]);
  }
  if (!orderBy.some(([f]) => f === NAME)) orderBy.push([NAME, last()]);
  if (orderBy.at(-1)?.[0] !== NAME) throw new Error(`index rules: ${NAME} ordered before another field`);
  return { ...shape, equality: [...shape.equality].sort(), ranges: [...shape.ranges].sort(), orderBy };
}

// ---- The indexes a query can use -----------------------------------------------------------------------------

/** The override that governs a field's single-field indexes: its own, or the nearest map field's above it. */
function overrideFor(config: IndexConfig, collectionGroup: string, fieldPath: string): FieldOverride | undefined {
  const overrides = (config.fieldOverrides ?? []).filter((o) => o.collectionGroup === collectionGroup && o.indexes);
  for (let path = fieldPath; path; path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "") {
    const found = overrides.find((o) => o.fieldPath === path);
    if (found) return found;
  }
  return undefined;
}

/** The single-field indexes of `fieldPath` in `scope`, after fieldOverrides. */
export function singleFieldIndexes(config: IndexConfig, scope: Scope, collectionGroup: string, fieldPath: string) {
  const override = overrideFor(config, collectionGroup, fieldPath);
  const automatic: Direction[] = scope === "COLLECTION" ? ["ASCENDING", "DESCENDING"] : [];
  const orders = override
    ? override.indexes!.filter((i) => i.queryScope === scope && i.order).map((i) => i.order!)
    : automatic;
  return orders.map((order): IndexUse => ({ kind: "single-field", scope, fields: [[fieldPath, order]] }));
}

function candidates(config: IndexConfig, shape: QueryShape): IndexUse[] {
  const composites = config.indexes
    .filter((i) => i.collectionGroup === shape.collectionGroup && i.queryScope === shape.scope)
    .filter((i) => i.fields.every((f) => f.order))
    .map((i): IndexUse => ({
      kind: "composite",
      scope: i.queryScope,
      fields: i.fields.map((f) => [f.fieldPath, f.order!]),
    }));
  const fields = new Set([...shape.equality, ...shape.orderBy.map(([f]) => f).filter((f) => f !== NAME)]);
  const singles = [...fields].flatMap((f) => singleFieldIndexes(config, shape.scope, shape.collectionGroup, f));
  return [...composites, ...singles];
}

/** The equality fields `index` holds ahead of the query's order, if it can serve the query at all. */
function equalityPrefix(index: IndexUse, shape: QueryShape): string[] | undefined {
  // The document name closes every index, in the direction of its last field (or as the index spells it out).
  const nameDirection = index.fields.at(-1)![1];
  const fields = index.fields.at(-1)![0] === NAME ? index.fields.slice(0, -1) : index.fields;
  const order = shape.orderBy.slice(0, -1);
  if (nameDirection !== shape.orderBy.at(-1)![1] || fields.length < order.length) return undefined;
  const prefix = fields.slice(0, fields.length - order.length);
  const suffix = fields.slice(fields.length - order.length);
  if (!suffix.every(([f, d], i) => f === order[i][0] && d === order[i][1])) return undefined;
  if (!prefix.every(([f]) => shape.equality.includes(f))) return undefined;
  return prefix.map(([f]) => f);
}

/**
 * The indexes Firestore would use for `shape`, or undefined when firestore.indexes.json has none that serve it (the
 * query would fail on a real project with FAILED_PRECONDITION "The query requires an index").
 */
export function servingIndexes(config: IndexConfig, shape: QueryShape): IndexUse[] | undefined {
  const order = shape.orderBy.slice(0, -1);
  if (shape.equality.length === 0 && order.length === 0) {
    return [{ kind: "document name", scope: shape.scope, fields: [[NAME, shape.orderBy.at(-1)![1]]] }];
  }
  const usable = candidates(config, shape)
    .map((index) => ({ index, prefix: equalityPrefix(index, shape) }))
    .filter((u): u is { index: IndexUse; prefix: string[] } => u.prefix !== undefined);
  const all = (prefix: string[]) => shape.equality.every((f) => prefix.includes(f));
  const whole = usable.find((u) => all(u.prefix));
  if (whole) return [whole.index];
  const rangeOnField = shape.ranges.some((f) => f !== NAME);
  if (rangeOnField || shape.equality.length < 2) return undefined;
  // Index merging: pick indexes until every equality field is held by one of them.
  const chosen: IndexUse[] = [];
  const held = new Set<string>();
  for (const { index, prefix } of [...usable].sort((a, b) => b.prefix.length - a.prefix.length)) {
    if (prefix.some((f) => !held.has(f))) {
      chosen.push(index);
      prefix.forEach((f) => held.add(f));
    }
  }
  return all([...held]) ? chosen : undefined;
}
