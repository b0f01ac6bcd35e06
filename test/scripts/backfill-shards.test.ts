// Upgrading a project to the sharded indexes: `npm run backfill-shards` gives every queue task written before it
// the shard of its id, leaves tasks that have one and the app's deeper `tasks` collections alone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { taskShard } from "../../functions/src/queue/model/index-shard";
import { adminDb, uniqueId } from "../support/emulators";
import { newParent, taskIn } from "../support/tasks";
import { backfillShards } from "../../scripts/backfill-shards.mjs";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "backfill-shards.mjs");

/**
 * A task as written before the shard existed, under the top-level `collection` (each test's own, so the backfill
 * reads its tasks and not the whole suite's): `state` as given, no `shard`.
 */
async function unsharded(collection: string, state: "completed" | "failed" | "cancelled") {
  const ref = (await newParent(collection)).collection("tasks").doc();
  const { shard: _none, ...fields } = taskIn(state);
  await ref.set(fields);
  return ref;
}

describe("npm run backfill-shards", () => {
  it("gives each queue task without a shard the shard of its id, and touches nothing else", async () => {
    const collection = uniqueId("backfill");
    const old = await Promise.all(
      (["completed", "failed", "cancelled"] as const).map((state) => unsharded(collection, state)),
    );
    const kept = (await newParent(collection)).collection("tasks").doc();
    await kept.set(taskIn("completed", { shard: 17 }));
    // Deeper than the queue's paths: the app's own `tasks` collection.
    const deep = adminDb().doc(`${collection}/x/a/1/b/2/c/3/tasks/${uniqueId("deep")}`);
    const { shard: _none, ...deepFields } = taskIn("completed");
    await deep.set(deepFields);
    const elsewhere = await unsharded(uniqueId("other"), "completed");

    const { read, sharded } = await backfillShards(adminDb(), { pageSize: 2, collection });
    assert.deepEqual({ read, sharded }, { read: 5, sharded: 3 });
    for (const ref of old) assert.equal((await ref.get()).get("shard"), taskShard(ref.id), ref.path);
    assert.equal((await kept.get()).get("shard"), 17, "a task with a shard keeps it");
    assert.equal((await deep.get()).get("shard"), undefined, "an app's deeper tasks collection is left alone");
    assert.equal((await elsewhere.get()).get("shard"), undefined, "another collection's task is left alone");

    const again = await backfillShards(adminDb(), { collection });
    assert.equal(again.sharded, 0, "a second run finds nothing to do");
  });

  it("runs from the command line against the emulators", async () => {
    const collection = uniqueId("backfill");
    const task = await unsharded(collection, "completed");
    const run = spawnSync(process.execPath, [SCRIPT, "--collection", collection], {
      encoding: "utf8",
      env: process.env,
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Read 1 tasks on Firestore emulator .+; gave 1 of them their shard\.$/m);
    assert.equal((await task.get()).get("shard"), taskShard(task.id));
  });
});
