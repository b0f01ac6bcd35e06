// Upgrading a project to the sharded indexes: `npm run backfill-shards` gives every queue task written before it
// the shard of its id, leaves tasks that have one and the app's deeper `tasks` collections alone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { FieldValue } from "firebase-admin/firestore";
import { join } from "node:path";
import { taskShard } from "../../functions/src/queue/model/index-shard";
import { adminDb } from "../support/emulators";
import { newParent, taskIn, unwatchedTask } from "../support/tasks";
import { backfillShards } from "../../scripts/backfill-shards.mjs";

const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "backfill-shards.mjs");

/** A task as written before the shard existed: `state` as given, no `shard`. */
async function unsharded(state: "completed" | "failed" | "cancelled") {
  const ref = (await newParent()).collection("tasks").doc();
  const { shard: _none, ...fields } = taskIn(state);
  await ref.set(fields);
  return ref;
}

describe("npm run backfill-shards", () => {
  it("gives each queue task without a shard the shard of its id, and touches nothing else", async () => {
    const old = await Promise.all((["completed", "failed", "cancelled"] as const).map(unsharded));
    const kept = (await newParent()).collection("tasks").doc();
    await kept.set(taskIn("completed", { shard: 17 }));
    const deep = await unwatchedTask(taskIn("completed")); // deeper than the queue's paths: the app's own
    await deep.update({ shard: FieldValue.delete() });

    const { read, sharded } = await backfillShards(adminDb(), { pageSize: 50 });
    assert.ok(read >= 5 && sharded >= 3, `read ${read}, sharded ${sharded}`);
    for (const ref of old) assert.equal((await ref.get()).get("shard"), taskShard(ref.id), ref.path);
    assert.equal((await kept.get()).get("shard"), 17, "a task with a shard keeps it");
    assert.equal((await deep.get()).get("shard"), undefined, "an app's deeper tasks collection is left alone");

    const again = await backfillShards(adminDb());
    assert.equal(again.sharded, 0, "a second run finds nothing to do");
  });

  it("runs from the command line against the emulators", async () => {
    const task = await unsharded("completed");
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8", env: process.env, timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Read \d+ tasks on Firestore emulator .+; gave \d+ of them their shard\.$/m);
    assert.equal((await task.get()).get("shard"), taskShard(task.id));
  });
});
