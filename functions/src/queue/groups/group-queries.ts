// The queries of fan-in, in one place (test/deploy records them, to check an index serves each): the open groups due
// for the sweeper's check, and a group's children by their `group` field, all or of one state. Both are served by
// single-field indexes: `checkAt` on the engine's groups collection; `group` and `state` merged on a `tasks`
// collection (one parent's).
import { FieldPath, Timestamp, type DocumentReference, type Query } from "firebase-admin/firestore";
import { FANOUT } from "../config";
import { db } from "../store/firestore";
import { TASKS_COLLECTION } from "../model/task";
import type { CountedState } from "../model/group";

/** Open groups whose `checkAt` has passed by `now`, the longest waiting first. */
export function dueGroups(now: Date): Query {
  return db().collection(FANOUT.collection).where("checkAt", "<=", Timestamp.fromDate(now)).orderBy("checkAt");
}

/** The children of `group` under `parent` (those in `state`, if given), by id. */
export function childrenQuery(parent: DocumentReference, group: string, state?: CountedState): Query {
  const all = parent.collection(TASKS_COLLECTION).where("group", "==", group);
  return (state ? all.where("state", "==", state) : all).orderBy(FieldPath.documentId());
}

/** How many children of `group` under `parent` are in `state`: `childrenQuery`, counted (1 read per 1,000). */
export async function countChildren(parent: DocumentReference, group: string, state: CountedState): Promise<number> {
  return (await childrenQuery(parent, group, state).count().get()).data().count;
}
