// What a document costs Firestore: its stored size, which Firestore bounds at 1 MiB per document, and the index
// entries automatic indexing makes for a value, which Firestore bounds at 40,000 per document. The sizes follow
// https://firebase.google.com/docs/firestore/storage-size, the index entries the automatic single-field indexes of
// https://firebase.google.com/docs/firestore/query-data/index-overview. Pure: no I/O.
import { DocumentReference, FieldValue, GeoPoint, Timestamp } from "firebase-admin/firestore";

/** Firestore's own bounds on one document (https://firebase.google.com/docs/firestore/quotas). */
export const FIRESTORE_LIMITS = {
  /** A document's stored size, at most: 1 MiB. */
  documentBytes: 1_048_576,
  /** Index entries per document, at most. */
  indexEntries: 40_000,
};

/** A string: its UTF-8 bytes + 1. Collection ids, document ids, field names and string values are strings. */
export function stringSize(text: string): number {
  return Buffer.byteLength(text, "utf8") + 1;
}

/** A document name: each collection id and document id of its path, + 16. `users/jeff/tasks/my_task_id` is 44. */
export function documentNameSize(path: string): number {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .reduce((sum, segment) => sum + stringSize(segment), 16);
}

type Kind = "absent" | "scalar" | "array" | "map";

function isVector(value: object): value is { toArray(): number[] } {
  return value.constructor?.name === "VectorValue" && typeof (value as { toArray?: unknown }).toArray === "function";
}

function kindOf(value: unknown): Kind {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return "absent";
  if (typeof value !== "object" || value === null) return "scalar";
  if (Array.isArray(value)) return "array";
  if (
    value instanceof Timestamp ||
    value instanceof Date ||
    value instanceof GeoPoint ||
    value instanceof DocumentReference ||
    value instanceof Uint8Array ||
    value instanceof FieldValue ||
    isVector(value)
  )
    return "scalar";
  return "map";
}

/**
 * A field value's stored size: string UTF-8 bytes + 1; number, timestamp 8; boolean, null 1; geopoint 16; bytes
 * their length; reference its document name; vector 8 per dimension; array the sum of its values; map the sum of
 * its fields (name + value). `undefined` is not stored (the SDKs drop it or refuse it). A field transform is sized
 * as the timestamp or number it becomes; a delete is the caller's business (see `documentSizeAfter`).
 */
export function valueSize(value: unknown): number {
  switch (kindOf(value)) {
    case "absent":
      return 0;
    case "array":
      return (value as unknown[]).reduce<number>((sum, item) => sum + valueSize(item), 0);
    case "map":
      return fieldsSize(value as Record<string, unknown>);
    case "scalar":
      break;
  }
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return stringSize(value);
  if (typeof value === "number" || typeof value === "bigint") return 8;
  if (value instanceof GeoPoint) return 16;
  if (value instanceof DocumentReference) return documentNameSize(value.path);
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === "object" && isVector(value)) return 8 * value.toArray().length;
  return 8; // Timestamp, Date, serverTimestamp(), increment()
}

/** The fields of a map or a document: each name's string size + its value's size. */
export function fieldsSize(fields: Record<string, unknown>): number {
  let sum = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (kindOf(value) !== "absent") sum += stringSize(name) + valueSize(value);
  }
  return sum;
}

/** A document's stored size: its name + its fields + 32. */
export function documentSize(path: string, fields: Record<string, unknown>): number {
  return documentNameSize(path) + fieldsSize(fields) + 32;
}

const isDelete = (value: unknown) => value instanceof FieldValue && value.isEqual(FieldValue.delete());

/**
 * The stored size of the document at `path` holding `fields` once `update` is applied. Top-level names replace the
 * field (a delete removes it); a dotted path is counted in full on top of what is there (an overestimate).
 */
export function documentSizeAfter(
  path: string,
  fields: Record<string, unknown>,
  update: Record<string, unknown>,
): number {
  const after: Record<string, unknown> = { ...fields };
  let dotted = 0;
  for (const [name, value] of Object.entries(update)) {
    if (name.includes(".")) {
      if (!isDelete(value)) dotted += stringSize(name) + valueSize(value);
    } else if (isDelete(value)) delete after[name];
    else after[name] = value;
  }
  return documentSize(path, after) + dotted;
}

/** A key for telling array elements apart, or undefined for values counted as distinct whatever they hold. */
function elementKey(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return `${typeof value}:${String(value)}`;
  if (value instanceof Timestamp) return `timestamp:${value.seconds}.${value.nanoseconds}`;
  return undefined;
}

/**
 * The index entries automatic single-field indexing makes for a field holding `value`: an ascending and a
 * descending entry for every value, a map or an array as a whole included; one array-contains entry per distinct
 * element of an array; and the same again, recursively, for each field of a map.
 */
export function indexEntries(value: unknown): number {
  switch (kindOf(value)) {
    case "absent":
      return 0;
    case "scalar":
      return 2;
    case "map":
      return Object.values(value as Record<string, unknown>).reduce<number>(
        (sum, field) => sum + indexEntries(field),
        2,
      );
    case "array": {
      const keys = new Set<string>();
      let distinct = 0;
      for (const item of value as unknown[]) {
        if (kindOf(item) === "absent") continue;
        const key = elementKey(item);
        if (key !== undefined && keys.has(key)) continue;
        if (key !== undefined) keys.add(key);
        distinct++;
      }
      return 2 + distinct;
    }
  }
}
