// The filter an admin list is narrowed by: checked when it comes from a client, and turned into the collection-group
// query that the admin page builds from the same filter.
import { FieldPath, type DocumentData, type Query } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { ADMIN_LIMITS } from "../config";
import { FILTER_KEYS, nameRange, type TaskFilter } from "../model/admin";
import { TASKS_COLLECTION, isQueueParentPath } from "../model/task";
import { MAX_PARENT_DEPTH } from "../config";
import { db } from "../store/firestore";

/**
 * Validates a filter sent by a client: known keys, strings, no `/` in the collection, a parent that may own queue
 * tasks. Empty values are dropped.
 */
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
    if (key === "parent" && !isQueueParentPath(value)) {
      throw new HttpsError(
        "invalid-argument",
        `Filter \`parent\` is a document path at depth 1 to ${MAX_PARENT_DEPTH} (orders/o-1), got "${value}".`,
      );
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
  if (filter.createdBy) query = query.where("createdBy", "==", filter.createdBy);
  const range = nameRange(filter);
  if (range) query = query.where(FieldPath.documentId(), ">=", range.from).where(FieldPath.documentId(), "<", range.to);
  return query;
}
