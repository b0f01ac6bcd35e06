// The sweeper's check of open groups: a group still open at its `checkAt` is finished here if every child has ended.
// That covers what the shard counts cannot see: a child cancelled by an admin (a client write, which wakes no
// function), and a worker that stopped between a child's counted outcome and the close of its shard. The check
// counts the children by state with aggregation queries (the children are found by their `group` field), so it is
// exact whatever the shards hold. A group with a child still to run, or with children not written yet (a fan-out
// whose attempt stopped half-way, which its retry completes), is checked again `FANOUT.checkAfterSeconds` later.
import { Timestamp, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { FANOUT } from "../config";
import { db } from "../store/firestore";
import { GROUP_COUNTED_STATES } from "../model/group";
import { groupLog } from "../logs";
import { finishGroup, noCounts } from "./fan-in";
import { countChildren, dueGroups } from "./group-queries";

export interface GroupCheckSummary {
  /** Open groups past their `checkAt`. */
  checked: number;
  /** Groups this check finished (their continuation enqueued). */
  finished: number;
  errors: number;
}

/** Checks up to `limit` open groups whose `checkAt` is past `now`. */
export async function checkGroups(now: Date, limit = FANOUT.checksPerPass): Promise<GroupCheckSummary> {
  const summary: GroupCheckSummary = { checked: 0, finished: 0, errors: 0 };
  const due = await dueGroups(now).limit(limit).get();
  await Promise.all(
    due.docs.map(async (group) => {
      summary.checked++;
      try {
        if (await checkGroup(group, now)) summary.finished++;
      } catch (error) {
        summary.errors++;
        groupLog.checkFailed(group.id, String((error as Error)?.message ?? error));
      }
    }),
  );
  return summary;
}

async function checkGroup(group: QueryDocumentSnapshot, now: Date): Promise<boolean> {
  if (group.get("state") !== "open") return false;
  const parent = db().doc(group.get("parent") as string);
  const counts = noCounts();
  await Promise.all(
    GROUP_COUNTED_STATES.map(async (state) => {
      counts[state] = await countChildren(parent, group.id, state);
    }),
  );
  const ended = counts.completed + counts.failed + counts.cancelled;
  if (ended >= group.get("total")) return finishGroup(group.ref, counts, "sweeper");
  // Not yet: check again later, unless the group moved meanwhile.
  const checkAt = Timestamp.fromMillis(now.getTime() + FANOUT.checkAfterSeconds * 1000);
  await group.ref.update({ checkAt }, { lastUpdateTime: group.updateTime }).catch(() => undefined);
  return false;
}
