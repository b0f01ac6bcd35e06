// The filter an admin list is narrowed by: checked when it comes from a client, and turned into the collection-group
// query that the admin page builds from the same filter.
import { FieldPath, type DocumentData, type Query } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { ADMIN_LIMITS } from "../config";
import { collectionRange, FILTER_KEYS, type TaskFilter } from "../model/admin";
import { TASKS_COLLECTION } from "../model/task";
import { db } from "../store/firestore";

/** Validates a filter sent by a client: known keys, strings, no `/` in the collection. Empty values are dropped. */
export function parseFilter(input: unknown): TaskFilter {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new HttpsError("invalid-argument", "`filter` must be an object.");
  }
  const filter: TaskFilter = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new HttpsError("invalid-argument", `Unknown filter "${key}"; use ${FILTER_KEYS.join(", ")}.`);
    }
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" || value.length > ADMIN_LIMITS.filterValueChars) {
      throw new HttpsError("invalid-argument", `Filter "${key}" must be a string.`);
    }
    if (key === "collection" && value.includes("/")) {
      throw new HttpsError("invalid-argument", "Filter `collection` is a collection id, without `/`.");
    }
    filter[key as keyof TaskFilter] = value;
  }
  return filter;
}

/** Every task in `state` that matches `filter`, across all parents (collection-group query). */
export function matchingTasks(state: string, filter: TaskFilter): Query<DocumentData> {
  let query: Query<DocumentData> = db().collectionGroup(TASKS_COLLECTION).where("state", "==", state);
  if (filter.type) query = query.where("type", "==", filter.type);
  if (filter.action) query = query.where("action", "==", filter.action);
  if (filter.errorCode) query = query.where("error.code", "==", filter.errorCode);
  if (filter.collection) {
    const { from, to } = collectionRange(filter.collection);
    query = query.where(FieldPath.documentId(), ">=", from).where(FieldPath.documentId(), "<", to);
  }
  return query;
}
