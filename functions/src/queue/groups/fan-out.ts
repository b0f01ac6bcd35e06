// Fan-out: one handler writes a group of child tasks (`ctx.fanOut`) and the request of the continuation that runs
// once they have all ended. The group document and its counter shards are written first, in one batch; then the
// children, in batches (BulkWriter). Every id is derived from the fanning-out task, the call's order and the
// child's index, so a retried attempt that fans out again writes nothing twice: the group and every child already
// written are found and recognised, and only what is missing is written.
import { FieldValue, type DocumentReference } from "firebase-admin/firestore";
import { FANOUT } from "../config";
import { db } from "../store/firestore";
import { hashId } from "../store/ids";
import { isAlreadyExists } from "../store/status-codes";
import {
  ENQUEUE_ERROR_CODES,
  checkRequestData,
  clashWith,
  newTaskDocument,
  unsupportedParent,
} from "../store/enqueue-task";
import { PermanentError } from "../model/errors";
import { TASKS_COLLECTION, isQueueParentPath } from "../model/task";
import { groupLog } from "../logs";
import type { ServerTaskRequest } from "../model/request";
import type { FanOutOptions, FanOutResult } from "../model/group";
import { groupRef, noCounts, shardCount, shardOf, shardRef, shardSize } from "./fan-in";

/** The id of the `n`-th group the handler of `taskPath` fans out; the same on every attempt. */
export function groupId(taskPath: string, n: number): string {
  return hashId(`${taskPath}#fanOut#${n}`, 20);
}

/** The id of a group's child `index`, and of its continuation. */
export const childTaskId = (group: string, index: number) => hashId(`${group}#child#${index}`, 20);
export const continuationTaskId = (group: string) => hashId(`${group}#then`, 20);

function invalid(message: string): PermanentError {
  return new PermanentError(`cannot fan out: ${message}`, ENQUEUE_ERROR_CODES.invalidFanOut);
}

/**
 * Writes the group `group` of `children` under `parent`, on behalf of the task at `taskPath`. Checks everything
 * (the count, the parent, each child's and the continuation's data) before writing anything.
 */
export async function fanOut(
  taskPath: string,
  group: string,
  parent: DocumentReference,
  children: readonly ServerTaskRequest[],
  options: FanOutOptions,
): Promise<FanOutResult> {
  const total = children.length;
  if (!Number.isInteger(total) || total < 1 || total > FANOUT.maxChildren) {
    throw invalid(`${total} children; a fan-out has 1 to ${FANOUT.maxChildren}`);
  }
  if (!isQueueParentPath(parent.path)) throw unsupportedParent("fan out", parent.path);
  const then = options.then as { type: string; action: string; data?: object };
  await checkRequestData(then.type, then.action, then.data ?? {});
  for (const child of children as { type: string; action: string; data?: object }[]) {
    await checkRequestData(child.type, child.action, child.data ?? {});
  }

  const tasks = parent.collection(TASKS_COLLECTION);
  const continuation = tasks.doc(continuationTaskId(group));
  await writeGroup(taskPath, group, parent, total, options.then);

  const shards = shardCount(total);
  const writer = db().bulkWriter();
  const found: DocumentReference[] = [];
  writer.onWriteError((error) => {
    if (isAlreadyExists(error)) {
      found.push(error.documentRef as DocumentReference);
      return false;
    }
    return error.failedAttempts < 5;
  });
  const writes = children.map((child, index) => {
    const ref = tasks.doc(childTaskId(group, index));
    const fields = { group, groupShard: shardOf(index, shards) };
    return writer.create(ref, newTaskDocument(ref.id, child, { enqueuedBy: taskPath, fields })).then(
      () => true,
      (error: unknown) => {
        if (isAlreadyExists(error)) return false;
        throw error;
      },
    );
  });
  // close() sends what is still buffered (BulkWriter sends a batch only once it is full, or on flush and close).
  const [results] = await Promise.all([Promise.all(writes), writer.close()]);
  if (found.length > 0) await checkFound(found, group, children);
  const written = results.filter(Boolean).length;
  groupLog.fannedOut(group, taskPath, total, written);
  return { group, children: total, continuation };
}

/**
 * Creates the group and its shards in one batch; a group found at the id must be this fan-out, written by an
 * earlier attempt of the same task.
 */
async function writeGroup(
  taskPath: string,
  group: string,
  parent: DocumentReference,
  total: number,
  then: ServerTaskRequest,
): Promise<void> {
  const ref = groupRef(group);
  const shards = shardCount(total);
  const batch = db().batch();
  batch.create(ref, {
    state: "open",
    parentTask: taskPath,
    parent: parent.path,
    total,
    shards,
    shardsClosed: 0,
    counts: noCounts(),
    then,
    continuationId: continuationTaskId(group),
    createdAt: FieldValue.serverTimestamp(),
    // The sweeper checks an open group from then on (groups/check-groups.ts).
    checkAt: new Date(Date.now() + FANOUT.checkAfterSeconds * 1000),
  });
  for (let shard = 0; shard < shards; shard++) {
    batch.create(shardRef(group, shard), { size: shardSize(total, shards, shard), ended: 0, ...noCounts() });
  }
  try {
    await batch.commit();
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const existing = await ref.get();
    if (existing.get("parentTask") !== taskPath || existing.get("total") !== total) {
      throw invalid(`group ${group} exists with ${existing.get("total")} children of ${existing.get("parentTask")}`);
    }
  }
}

/** Children found at their ids (an earlier attempt wrote them) must be this group's, of the same handlers. */
async function checkFound(
  refs: DocumentReference[],
  group: string,
  children: readonly ServerTaskRequest[],
): Promise<void> {
  const byId = new Map<string, ServerTaskRequest>();
  children.forEach((child, index) => byId.set(childTaskId(group, index), child));
  for (let i = 0; i < refs.length; i += 500) {
    const snapshots = await db().getAll(...refs.slice(i, i + 500));
    for (const snapshot of snapshots) {
      const child = byId.get(snapshot.id) as { type: string; action: string };
      const clash =
        !snapshot.exists || snapshot.get("group") !== group
          ? "a task of another group"
          : clashWith(snapshot, `${child.type}.${child.action}`);
      if (clash) {
        throw new PermanentError(
          `cannot fan out ${child.type}.${child.action} at ${snapshot.ref.path}: the id is taken by ${clash}`,
          ENQUEUE_ERROR_CODES.idTaken,
        );
      }
    }
  }
}
