// Which index shard a task's entries go to (config.ts, SHARDS; docs/scale.md). One definition for the client
// library, `enqueueTask` and the engine: the shard is a hash of the task's id, so it costs no write of its own and
// every writer of the same id agrees. Pure and import-free but for the config: it runs in the browser too.
import { SHARDS } from "../config";

/** The task field that holds the shard: the first field of every composite index that ends in a timestamp. */
export const SHARD_FIELD = "shard";

/**
 * The shards a query covers, 0 to SHARDS.count - 1: the value of its `shard in [...]` filter, read when the query is
 * made. Only the shards in use: each value of an `in` is a query of its own (and a listener of its own on the
 * emulator), so a queue with one shard pays for one. Raising SHARDS.count is safe at any time; lowering it hides
 * the tasks of the shards dropped from these queries until they are backfilled (docs/scale.md).
 */
export function queriedShards(): number[] {
  return Array.from({ length: SHARDS.count }, (_, i) => i);
}

/**
 * The shard of the task with document id `taskId` when tasks are spread over `count` shards: FNV-1a (32 bits) of
 * the id's UTF-16 code units, modulo `count`. Auto-ids are random, so tasks spread evenly.
 */
export function taskShard(taskId: string, count: number = SHARDS.count): number {
  if (!Number.isInteger(count) || count < 1 || count > SHARDS.max) {
    throw new RangeError(
      `the shard count is ${count}: set SHARDS.count in functions/src/queue/config.ts to a whole number from 1 to ` +
        `${SHARDS.max}`,
    );
  }
  let hash = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) {
    hash ^= taskId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}
