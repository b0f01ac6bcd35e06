// The dedup lock id is computed in three places (the engine, the client library in the browser, the rules): the
// browser-safe SHA-256 here must equal node's, and the rules' (test/rules/dedup-locks.test.ts writes locks at ids
// computed here, which the rules accept only at their own).
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { dedupLockId, sha256Hex } from "../../../functions/src/queue/model/dedup-key";

describe("dedup key: the lock id", () => {
  it("sha256Hex equals node's SHA-256 on empty, multi-block, padding-edge and non-ASCII input", () => {
    const inputs = ["", "abc", "x".repeat(55), "x".repeat(56), "x".repeat(64), "x".repeat(1000), "é漢字🙂".repeat(40)];
    for (const text of inputs) assert.equal(sha256Hex(text), createHash("sha256").update(text).digest("hex"));
  });

  it("is the hash of parent, handler and key, so each of them makes another lock", () => {
    const id = dedupLockId("orders/o-1", "order", "sendConfirmationEmail", "k");
    assert.equal(id, createHash("sha256").update("orders/o-1#order.sendConfirmationEmail#k").digest("hex"));
    assert.notEqual(id, dedupLockId("orders/o-2", "order", "sendConfirmationEmail", "k"));
    assert.notEqual(id, dedupLockId("orders/o-1", "order", "other", "k"));
    assert.notEqual(id, dedupLockId("orders/o-1", "order", "sendConfirmationEmail", "k2"));
  });
});
