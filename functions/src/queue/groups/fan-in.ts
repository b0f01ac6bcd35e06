// Fan-in: counting the children of a group as they end, and enqueuing the group's continuation once, when the last
// one has. A child's count goes out in the same atomic batch as its outcome (store/fenced-writer.ts, `also`): the
// outcome is conditioned on the task's update time, so it commits once per child however often an event or a run is
// delivered, and so does its count. Counts go to the child's shard, never to the group, so no document takes a write
// per child: a shard whose children have all been counted is closed, in a transaction that adds its counts to the
// group (one group write per shard); the shard that closes the group enqueues the continuation, in a transaction that
// also marks the group done, so it is written once.
//
// What the engine never sees end (a child cancelled by an admin) or a worker that stopped between the count and the
// close, the sweeper finds (groups/check-groups.ts): it finishes a group whose children have all ended, from counts.
import { FieldValue, type DocumentData, type DocumentReference, type UpdateData } from "firebase-admin/firestore";
import { FANOUT } from "../config";
import { db } from "../store/firestore";
import { newTaskDocument } from "../store/enqueue-task";
import { isAlreadyExists } from "../store/status-codes";
import { TASKS_COLLECTION } from "../model/task";
import { groupLog } from "../logs";
import { childrenQuery } from "./group-queries";
import type { SideWrite } from "../store/fenced-writer";
import type { ServerTaskRequest } from "../model/request";
import {
  GROUP_COUNTED_STATES,
  type CountedState,
  type FanIn,
  type FanInRecord,
  type GroupCounts,
} from "../model/group";

export const SHARDS_COLLECTION = "shards";

export function groupRef(group: string): DocumentReference {
  return db().collection(FANOUT.collection).doc(group);
}

export function shardRef(group: string, shard: number): DocumentReference {
  return groupRef(group).collection(SHARDS_COLLECTION).doc(String(shard));
}

/** A group of `total` children has ceil(√total) shards: at most about √total writes on any one document. */
export function shardCount(total: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(total)));
}

/** Child `index`'s shard, round-robin: children that run side by side count on different shards. */
export function shardOf(index: number, shards: number): number {
  return index % shards;
}

/** How many of `total` children fall in `shard`. */
export function shardSize(total: number, shards: number, shard: number): number {
  return Math.floor(total / shards) + (shard < total % shards ? 1 : 0);
}

export const noCounts = (): GroupCounts => ({ completed: 0, failed: 0, cancelled: 0 });

/** Where a counted child's shard is, to close it after the outcome committed. */
export interface ChildCount {
  group: string;
  shard: number;
  path: string;
}

/**
 * The outcome `update` of the task whose fields are `task`, with its count: when the task is a group's child
 * (`group`), the update ends it (`completed`, `failed`), and it has not been counted (`groupCounted`), the update
 * marks it counted and `also` increments its shard, in the same batch. A child counts once, in its first final
 * state: an admin's retry of a failed child does not count it again.
 */
export function withCount(
  path: string,
  task: DocumentData,
  update: UpdateData<DocumentData>,
): { update: UpdateData<DocumentData>; also?: SideWrite[]; count?: ChildCount } {
  const state = update.state as string;
  if (typeof task.group !== "string" || typeof task.groupShard !== "number" || task.groupCounted === true) {
    return { update };
  }
  if (!(GROUP_COUNTED_STATES as readonly string[]).includes(state)) return { update };
  const shard = task.groupShard;
  const also = [
    {
      ref: shardRef(task.group, shard),
      data: {
        ended: FieldValue.increment(1),
        [state]: FieldValue.increment(1),
        updatedAt: FieldValue.serverTimestamp(),
      },
    },
  ];
  return { update: { ...update, groupCounted: true }, also, count: { group: task.group, shard, path } };
}

/**
 * After a counted outcome committed: if its shard has counted every child, closes it (once: a transaction) and adds
 * its counts to the group; if that was the group's last shard, finishes the group. Errors are logged, not thrown:
 * the outcome is recorded, and the sweeper finishes a group that stays open.
 */
export async function closeShardIfFull(count: ChildCount): Promise<void> {
  try {
    const ref = shardRef(count.group, count.shard);
    const seen = await ref.get();
    if (seen.get("closed") === true || !(seen.get("ended") >= seen.get("size"))) return;
    const group = groupRef(count.group);
    const closed = await db().runTransaction(async (tx) => {
      const shard = await tx.get(ref);
      if (shard.get("closed") === true || !(shard.get("ended") >= shard.get("size"))) return false;
      tx.update(ref, { closed: true });
      const counts: Record<string, unknown> = { shardsClosed: FieldValue.increment(1) };
      for (const state of GROUP_COUNTED_STATES) counts[`counts.${state}`] = FieldValue.increment(shard.get(state) ?? 0);
      tx.update(group, counts);
      return true;
    });
    if (!closed) return;
    const after = await group.get();
    if (after.get("state") === "open" && after.get("shardsClosed") >= after.get("shards")) {
      await finishGroup(group, countsOf(after.get("counts")), "shards");
    }
  } catch (error) {
    groupLog.countFailed(count.group, count.path, String((error as Error)?.message ?? error));
  }
}

function countsOf(value: unknown): GroupCounts {
  const counts = noCounts();
  for (const state of GROUP_COUNTED_STATES) {
    const n = (value as Record<string, unknown> | undefined)?.[state];
    if (typeof n === "number") counts[state] = n;
  }
  return counts;
}

/**
 * Marks the group done and creates its continuation with `counts`, in one transaction that first reads the group: of
 * any number of callers (the last shard, the sweeper), one writes the continuation. Resolves to whether this call did.
 */
export async function finishGroup(
  ref: DocumentReference,
  counts: GroupCounts,
  by: "shards" | "sweeper",
): Promise<boolean> {
  const continuation = await db()
    .runTransaction(async (tx) => {
      const group = await tx.get(ref);
      if (!group.exists || group.get("state") !== "open") return undefined;
      const parent = db().doc(group.get("parent") as string);
      const target = parent.collection(TASKS_COLLECTION).doc(group.get("continuationId") as string);
      const fanIn: FanInRecord = { group: ref.id, total: group.get("total"), parent: parent.path, ...counts };
      const task = newTaskDocument(target.id, group.get("then") as ServerTaskRequest, {
        enqueuedBy: group.get("parentTask") as string,
        fields: { fanIn },
      });
      tx.create(target, task);
      tx.update(ref, {
        state: "done",
        counts,
        continuation: target.path,
        endedAt: FieldValue.serverTimestamp(),
        checkAt: FieldValue.delete(),
      });
      return target;
    })
    .catch((error: unknown) => {
      // The continuation's id held by another task: a client's, created at a predictable id. Never taken for ours.
      if (isAlreadyExists(error)) groupLog.countFailed(ref.id, ref.path, "the continuation's id is taken");
      throw error;
    });
  if (!continuation) return false;
  groupLog.finished(ref.id, continuation.path, counts, by);
  return true;
}

/** `ctx.fanIn` of a continuation whose task holds `record` (its `fanIn` field); undefined for other tasks. */
export function fanInOf(record: unknown): FanIn | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const { group, total, parent } = record as Partial<FanInRecord>;
  if (typeof group !== "string" || typeof total !== "number" || typeof parent !== "string") return undefined;
  return {
    group,
    total,
    ...countsOf(record),
    children: (state?: CountedState) => childrenQuery(db().doc(parent), group, state),
  };
}
