// The index shard of a task: one function for the client library, enqueueTask and the engine (model/index-shard.ts).
import { strict as assert } from "node:assert";
import { queriedShards, taskShard } from "../../../functions/src/queue/model/index-shard";
import { SHARDS } from "../../../functions/src/queue/config";

/** Random ids shaped like Firestore's auto-ids: 20 characters of [A-Za-z0-9]. */
function autoIds(count: number): string[] {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: count }, () =>
    Array.from({ length: 20 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join(""),
  );
}

describe("index shards", () => {
  it("gives the same id the same shard, within the count", () => {
    for (const count of [1, 2, 8, SHARDS.max]) {
      for (const id of autoIds(200)) {
        const shard = taskShard(id, count);
        assert.ok(Number.isInteger(shard) && shard >= 0 && shard < count, `${id} → ${shard} of ${count}`);
        assert.equal(taskShard(id, count), shard);
      }
    }
    assert.equal(taskShard("any-id"), taskShard("any-id", SHARDS.count), "the default is SHARDS.count");
  });

  it("spreads auto-ids evenly: each of 25 shards within 15% of its share of 50,000 tasks", () => {
    const counts = new Array<number>(25).fill(0);
    for (const id of autoIds(50_000)) counts[taskShard(id, 25)]++;
    for (const [shard, count] of counts.entries()) {
      assert.ok(Math.abs(count - 2000) < 300, `shard ${shard} got ${count} of 50,000 (expected about 2,000)`);
    }
  });

  it("refuses a shard count out of range, naming the setting to fix", () => {
    for (const count of [0, -1, 1.5, SHARDS.max + 1]) {
      assert.throws(() => taskShard("t", count), /SHARDS\.count in functions\/src\/queue\/config\.ts/);
    }
  });

  it("has queries cover every shard in use, and no more than one `in` filter takes", () => {
    assert.deepEqual(queriedShards(), [...Array(SHARDS.count).keys()]);
    assert.ok(SHARDS.max <= 30, "Firestore takes at most 30 values in one `in` filter");
    assert.ok(SHARDS.count >= 1 && SHARDS.count <= SHARDS.max);
  });
});
