// The fields a client may write on create are one list: the engine's CLIENT_TASK_FIELDS types the client
// library's writes, and the security rules' `hasOnly` on create must name exactly the same fields; so must the
// fields of a dedup lock (CLIENT_LOCK_FIELDS).
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLIENT_LOCK_FIELDS, CLIENT_TASK_FIELDS } from "../../functions/src/queue/model/request";
import { CLIENT_TASK_FIELDS } from "../../functions/src/queue/model/request";
import { SHARDS } from "../../functions/src/queue/config";

const RULES = readFileSync(join(__dirname, "..", "..", "firestore.rules"), "utf8");

describe("client task fields", () => {
  it("are exactly the fields the rules let a client create a task with", () => {
    const hasOnly = /task\.keys\(\)\.hasOnly\(\[([^\]]*)\]\)/.exec(RULES);
    assert.ok(hasOnly, "firestore.rules checks task.keys().hasOnly([...]) on create");
    const ruleFields = [...hasOnly[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
    assert.deepEqual([...ruleFields].sort(), [...CLIENT_TASK_FIELDS].sort());
  });

  it("and a dedup lock's are exactly the fields the rules let a client write a lock with", () => {
    const hasOnly = /lock\.keys\(\)\.hasOnly\(\[([^\]]*)\]\)/.exec(RULES);
    assert.ok(hasOnly, "firestore.rules checks lock.keys().hasOnly([...]) on a lock's create and takeover");
    const ruleFields = [...hasOnly[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
    assert.deepEqual([...ruleFields].sort(), [...CLIENT_LOCK_FIELDS].sort());
  });

  it("accept a shard below SHARDS.max, the shards every sharded query reads", () => {
    const isShard = /function isShard\(shard\) \{\s*return shard is int && shard >= 0 && shard < (\d+);/.exec(RULES);
    assert.ok(isShard, "firestore.rules bounds a client's shard in isShard(shard)");
    assert.equal(Number(isShard[1]), SHARDS.max);
  });
});
