// Dedup through the client library, end to end: a signed-in user enqueues with a `dedupKey`, the security rules let
// exactly one of concurrent enqueues in, the Functions emulator runs it once and releases the key.
import assert from "node:assert/strict";
import { doc, setLogLevel, type DocumentReference } from "firebase/firestore";
import { enqueueTask, waitForTask } from "../../functions/src/client";
import { dedupLockRef } from "../../functions/src/queue/store/dedup-lock";
import { adminDb, uniqueId } from "../support/emulators";
import { newParent, newParentAt } from "../support/tasks";
import { signedInClient, type Client } from "../support/client";

const HANDLER = { type: "order", action: "sendConfirmationEmail" } as const;

describe("client library: enqueueTask with a dedupKey", () => {
  let client: Client;

  before(async () => {
    setLogLevel("silent"); // the refused writes would each log a stream error
    client = await signedInClient();
  });

  after(async () => {
    setLogLevel("warn");
    await client?.close();
  });

  async function ownOrder(): Promise<DocumentReference> {
    const order = await newParent("orders", { ownerId: client.user.uid, customerEmail: client.email });
    return doc(client.db, order.path);
  }

  it("10 concurrent enqueues of one key: exactly one is written, 9 are refused by the rules, it runs once", async () => {
    const order = await ownOrder();
    const key = uniqueId("key");
    // Due in 10 s, so the task is still live while the ten settle: a transaction that lost the race is tried again
    // (the SDK backs off for seconds), and a key whose task has ended is free, so a later try would rightly take it.
    const runAt = new Date(Date.now() + 10_000);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => enqueueTask(order, { ...HANDLER, runAt }, { dedupKey: key })),
    );
    const written = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    assert.equal(written.length, 1);
    assert.equal(refused.length, 9);
    for (const r of refused) assert.equal((r.reason as { code?: string }).code, "permission-denied");
    const task = (written[0] as PromiseFulfilledResult<DocumentReference>).value;
    assert.equal((await adminDb().collection(`${order.path}/tasks`).count().get()).data().count, 1);
    const done = await waitForTask(task, { timeoutMs: 30_000 });
    assert.equal(done.state, "completed", JSON.stringify(done.error));
    assert.equal(done.dedupKey, key);
    assert.equal(done.attempts, 1, "one run");
  });

  it("the key is free again once the task ended: the engine released its lock", async () => {
    const order = await ownOrder();
    const key = uniqueId("key");
    const first = await enqueueTask(order, HANDLER, { dedupKey: key });
    await waitForTask(first, { timeoutMs: 30_000 });
    const lock = dedupLockRef(adminDb(), order.path, HANDLER.type, HANDLER.action, key);
    assert.equal((await lock.get()).exists, false, "no lock left behind");
    const second = await enqueueTask(order, HANDLER, { dedupKey: key });
    assert.notEqual(second.path, first.path);
    assert.equal((await waitForTask(second, { timeoutMs: 30_000 })).state, "completed");
  });

  it("with dedupSeconds the key stays taken after the task ended, until they have passed", async () => {
    const order = await ownOrder();
    const key = uniqueId("key");
    const enqueuedAt = Date.now();
    const first = await enqueueTask(order, HANDLER, { dedupKey: key, dedupSeconds: 4 });
    await waitForTask(first, { timeoutMs: 30_000 });
    await assert.rejects(enqueueTask(order, HANDLER, { dedupKey: key, dedupSeconds: 4 }), {
      code: "permission-denied",
    });
    await new Promise((resolve) => setTimeout(resolve, enqueuedAt + 4500 - Date.now()));
    await enqueueTask(order, HANDLER, { dedupKey: key });
  });

  it("at depth 3: a second enqueue of a live key is refused, the task runs once and its lock is released", async () => {
    const parent = await newParentAt(3, { ownerId: client.user.uid, customerEmail: client.email });
    const order = doc(client.db, parent.path); // shops/s/users/u/orders/o
    const key = uniqueId("key");
    const first = await enqueueTask(order, { ...HANDLER, runAt: new Date(Date.now() + 3_000) }, { dedupKey: key });
    await assert.rejects(enqueueTask(order, HANDLER, { dedupKey: key }), { code: "permission-denied" });
    const lock = dedupLockRef(adminDb(), order.path, HANDLER.type, HANDLER.action, key);
    assert.equal((await lock.get()).get("task"), first.path);
    const done = await waitForTask(first, { timeoutMs: 30_000 });
    assert.equal(done.state, "completed", JSON.stringify(done.error));
    assert.equal((await lock.get()).exists, false, "released with the outcome");
    assert.equal((await adminDb().collection(`${order.path}/tasks`).count().get()).data().count, 1);
  });

  it("refuses an empty key before writing", async () => {
    const order = await ownOrder();
    await assert.rejects(enqueueTask(order, HANDLER, { dedupKey: "" }), TypeError);
  });
});
