// How large a task may be before it runs. Firestore checks a document's stored size (1 MiB) and index entries
// (40,000) at every write, so a task its creator could store may still be refused once the engine adds its own
// fields: the claim or the outcome would fail with INVALID_ARGUMENT and the task would be stranded. So a task is
// measured as it would be with every field the engine (and an admin's retry or cancel) may write, each at its
// largest by the bounds in config.ts. Pure.
import { HISTORY_LIMIT, LIMITS } from "../config";
import { documentNameSize, FIRESTORE_LIMITS, indexEntries, stringSize, valueSize } from "../store/document-size";

const NUMBER = 8;
const TIME = 8;
/** Text clipped to `chars` UTF-16 code units: each takes at most 3 UTF-8 bytes (a surrogate pair, 4 for 2). */
const textMax = (chars: number) => 3 * chars + 1;
const field = (name: string, bytes: number) => stringSize(name) + bytes;
/**
 * A JSON value of at most `bytes` bytes, as stored: at most 4 times as large (a digit in an array, `0,`, is 2 bytes
 * of JSON and 8 stored), + 8 for a lone number.
 */
const jsonMax = (bytes: number) => 4 * bytes + 8;
/** Firebase Auth uids (`retriedBy`, `cancelledBy`) are at most 128 characters. */
const UID_CHARS = 128;
/** A lease owner is a randomUUID(). */
const LEASE_OWNER_CHARS = 36;

const errorSummaryMax = field("code", textMax(LIMITS.codeChars)) + field("message", textMax(LIMITS.messageChars));

/** One `history` entry at its largest. */
export const HISTORY_ENTRY_MAX =
  field("attempt", NUMBER) +
  field("startedAt", TIME) +
  field("endedAt", TIME) +
  field("outcome", stringSize("completed")) +
  field("error", errorSummaryMax) +
  field("retryAt", TIME);

/** Each field the engine (the claim, progress, the outcome, the sweeper) or an admin writes, at its largest value. */
export const ENGINE_FIELD_MAX = new Map<string, number>([
  ["state", stringSize("scheduled")], // the longest state names have 9 characters
  ["attempts", NUMBER],
  ["maxAttempts", NUMBER],
  ["startedAt", TIME],
  ["completedAt", TIME],
  ["failedAt", TIME],
  ["updatedAt", TIME],
  ["runAt", TIME],
  ["progress", NUMBER],
  ["lease", field("owner", textMax(LEASE_OWNER_CHARS)) + field("expiresAt", TIME)],
  ["result", jsonMax(LIMITS.resultBytes)],
  [
    "error",
    errorSummaryMax + field("stack", textMax(LIMITS.stackChars)) + field("attempt", NUMBER) + field("at", TIME),
  ],
  ["history", HISTORY_LIMIT * HISTORY_ENTRY_MAX],
  ["retriedBy", textMax(UID_CHARS)],
  ["retriedAt", TIME],
  ["cancelledBy", textMax(UID_CHARS)],
  ["cancelledAt", TIME],
  // A debounced task that a later one superseded: the reason and that task's path (a document name is at most 6 KiB).
  ["cancelReason", stringSize("debounced")],
  ["supersededBy", 6 * 1024 + 1],
  ["groupCounted", 1], // a fan-out child, counted with its outcome (groups/fan-in.ts): a boolean
  ["endedAt", TIME], // the write that ends the task (attempt/outcome.ts): metrics and retention
  ["runBucket", NUMBER],
  ["expireAt", TIME],
]);

/**
 * Index entries of the fields the engine and an admin write, at their most: two per value, maps (`lease`, `error`)
 * whole and by field, `history` whole and one per entry, `result` as if it were exempt (firestore.indexes.json
 * exempts it: a 16 KiB result could otherwise take thousands), and one entry in each composite index on `tasks`
 * (firestore.indexes.json has 10; room for 40).
 */
export const ENGINE_INDEX_ENTRIES =
  2 * (ENGINE_FIELD_MAX.size - 4) + // every field but the maps and arrays below, as one value
  (2 + 2 * 2) + // lease: whole, owner, expiresAt
  (2 + 2 * 5) + // error: whole, code, message, stack, attempt, at
  (2 + HISTORY_LIMIT) + // history: whole, one array-contains entry per entry
  2 + // result, as one value (firestore.indexes.json exempts it, with `history` and `error.stack`)
  40; // composite indexes

/** The task's stored size now, and at its largest once the engine has written its fields. */
export function storedSize(path: string, task: Record<string, unknown>): { now: number; most: number } {
  let now = documentNameSize(path) + 32;
  let most = now;
  for (const [name, value] of Object.entries(task)) {
    const bytes = value === undefined ? 0 : stringSize(name) + valueSize(value);
    now += bytes;
    if (!ENGINE_FIELD_MAX.has(name)) most += bytes;
  }
  for (const [name, max] of ENGINE_FIELD_MAX) {
    const current = task[name] === undefined ? 0 : valueSize(task[name]);
    // The engine replaces each of its fields, except `history`, which keeps earlier entries and adds one.
    const largest = name === "history" ? Math.max(max, current + HISTORY_ENTRY_MAX) : Math.max(max, current);
    most += stringSize(name) + largest;
  }
  return { now, most };
}

/** The index entries the task may need: `data`'s, the other fields' it has, and the engine's at their most. */
export function indexEntriesNeeded(task: Record<string, unknown>): { data: number; most: number } {
  let others = ENGINE_INDEX_ENTRIES;
  for (const [name, value] of Object.entries(task)) {
    if (name !== "data" && !ENGINE_FIELD_MAX.has(name)) others += indexEntries(value);
  }
  const data = indexEntries(task.data);
  return { data, most: data + others };
}

/** Why the task is too large to run, or undefined if every write the engine may make to it fits. */
export function tooLargeProblem(path: string, task: Record<string, unknown>): string | undefined {
  const bytes = storedSize(path, task);
  if (bytes.most > FIRESTORE_LIMITS.documentBytes) {
    return (
      `the task is ${bytes.now} bytes as Firestore stores it and up to ${bytes.most} with the fields the engine ` +
      `writes, more than Firestore's limit of ${FIRESTORE_LIMITS.documentBytes} bytes per document: make \`data\` smaller`
    );
  }
  const entries = indexEntriesNeeded(task);
  if (entries.most > FIRESTORE_LIMITS.indexEntries) {
    return (
      `\`data\` needs ${entries.data} index entries, the task up to ${entries.most} with the engine's fields, ` +
      `more than Firestore's limit of ${FIRESTORE_LIMITS.indexEntries} index entries per document: make \`data\` smaller`
    );
  }
  return undefined;
}
