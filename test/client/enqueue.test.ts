// End to end through the client library: a user signed in with the Auth emulator enqueues tasks with the
// Firebase JS SDK, the security rules let them in, the Functions emulator runs them.
import assert from "node:assert/strict";
import { doc, getDoc, runTransaction, setLogLevel, writeBatch, type DocumentReference } from "firebase/firestore";
import {
  TaskDataError,
  enqueueTask,
  enqueueTaskIn,
  waitForTask,
  watchTask,
  type TaskState,
  type TaskView,
} from "../../functions/src/client";
import { adminDb, uniqueId } from "../support/emulators";
import { newParent, newParentAt } from "../support/tasks";
import { MAX_PARENT_DEPTH } from "../../functions/src/queue/config";
import { signedInClient, type Client } from "../support/client";

const PROGRESSION: TaskState[] = ["scheduled", "running", "completed"];

describe("client library: enqueue as a signed-in user", () => {
  let client: Client;

  before(async () => {
    client = await signedInClient();
  });

  after(async () => {
    await client?.close();
  });

  /** An order owned by the signed-in user, written by the server (admin SDK). */
  async function ownOrder(): Promise<DocumentReference> {
    const order = await newParent("orders", { ownerId: client.user.uid, customerEmail: client.email });
    return doc(client.db, order.path);
  }

  async function mailFor(task: TaskView): Promise<FirebaseFirestore.DocumentData | undefined> {
    const mailId = (task.result as { mailId?: string } | undefined)?.mailId;
    assert.ok(mailId, `no mailId in the result of ${task.path}: ${JSON.stringify(task.result)}`);
    return (await adminDb().collection("mail").doc(mailId).get()).data();
  }

  it("enqueueTask: the order confirmation email task completes and sends its email", async () => {
    const order = await ownOrder();
    const task = await enqueueTask(order, { type: "order", action: "sendConfirmationEmail", data: {} });
    const done = await waitForTask(task, { timeoutMs: 30_000 });
    assert.equal(done.state, "completed", JSON.stringify(done.error));
    assert.equal(done.createdBy, client.user.uid);
    assert.ok(done.createdAt, "createdAt is the server's time of the write");
    assert.equal((await mailFor(done))?.to, client.email);
  });

  for (let depth = 1; depth <= MAX_PARENT_DEPTH; depth++) {
    it(`enqueueTask under an order at depth ${depth} (the user owns it, not its ancestors): it completes and sends its email`, async () => {
      const parent = await newParentAt(depth, { ownerId: client.user.uid, customerEmail: client.email });
      const order = doc(client.db, parent.path); // shops/s/users/u/orders/o at depth 3
      const task = await enqueueTask(order, { type: "order", action: "sendConfirmationEmail" });
      const done = await waitForTask(task, { timeoutMs: 30_000 });
      assert.equal(done.state, "completed", JSON.stringify(done.error));
      assert.equal(done.path, `${parent.path}/tasks/${task.id}`);
      const mail = await mailFor(done);
      assert.equal(mail?.to, client.email);
      assert.equal(mail?.orderPath, parent.path);
    });
  }

  it("watchTask reports the task's states in order, ending completed", async () => {
    const order = await ownOrder();
    const task = await enqueueTask(order, { type: "order", action: "sendConfirmationEmail" });
    const seen: TaskState[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no completion; saw ${seen.join(" → ")}`)), 30_000);
      const stop = watchTask(
        task,
        (view) => {
          if (view && seen.at(-1) !== view.state) seen.push(view.state);
          if (view?.state === "completed") {
            clearTimeout(timer);
            stop();
            resolve();
          }
        },
        reject,
      );
    });
    const positions = seen.map((state) => PROGRESSION.indexOf(state));
    assert.ok(
      positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])),
      seen.join(" → "),
    );
    assert.equal(seen.at(-1), "completed");
  });

  it("enqueueTaskIn: an order and its confirmation email task commit in one batch (outbox)", async () => {
    const order = doc(client.db, `orders/${uniqueId("order")}`);
    const batch = writeBatch(client.db);
    batch.set(order, { ownerId: client.user.uid, customerEmail: client.email, total: 4200 });
    const task = enqueueTaskIn(batch, order, { type: "order", action: "sendConfirmationEmail", data: {} });
    await batch.commit();
    const done = await waitForTask(task, { timeoutMs: 30_000 });
    assert.equal(done.state, "completed", JSON.stringify(done.error));
    assert.equal((await mailFor(done))?.to, client.email);
  });

  it("enqueueTaskIn: a task added in a transaction runs once the transaction commits", async () => {
    const order = await ownOrder();
    const task = await runTransaction(client.db, async (transaction) => {
      const snap = await transaction.get(order);
      assert.equal(snap.get("ownerId"), client.user.uid);
      return enqueueTaskIn(transaction, order, { type: "order", action: "sendConfirmationEmail" });
    });
    assert.equal((await waitForTask(task, { timeoutMs: 30_000 })).state, "completed");
  });

  it("a rejected batch writes neither the order nor its task", async () => {
    setLogLevel("silent");
    try {
      const order = doc(client.db, `orders/${uniqueId("order")}`);
      const batch = writeBatch(client.db);
      batch.set(order, { ownerId: client.user.uid });
      // Server-only: the rules refuse the task, and so the whole batch.
      const task = enqueueTaskIn(batch, order, { type: "demo", action: "record", data: {} });
      await assert.rejects(batch.commit(), { code: "permission-denied" });
      assert.equal((await adminDb().doc(order.path).get()).exists, false);
      assert.equal((await adminDb().doc(task.path).get()).exists, false);
    } finally {
      setLogLevel("warn");
    }
  });

  it("the rules refuse a server-only handler, a demo handler and another user's parent", async () => {
    setLogLevel("silent");
    try {
      const order = await ownOrder();
      await assert.rejects(
        enqueueTask(order, { type: "inventory", action: "mutations.initiateOrderProcessing", data: {} }),
        { code: "permission-denied" },
      );
      // The demo handlers are server-only: the deployed rules (these) let clients enqueue the real handlers only.
      await assert.rejects(enqueueTask(order, { type: "demo", action: "noop" }), { code: "permission-denied" });
      const someoneElses = await newParent("orders", { ownerId: "someone-else" });
      const email = { type: "order", action: "sendConfirmationEmail" } as const;
      await assert.rejects(enqueueTask(doc(client.db, someoneElses.path), email), { code: "permission-denied" });
    } finally {
      setLogLevel("warn");
    }
  });

  it("a delayed task keeps its runAt and is readable by its owner while it waits", async () => {
    const order = await ownOrder();
    const runAt = new Date(Date.now() + 3600_000);
    const task = await enqueueTask(order, { type: "order", action: "sendConfirmationEmail", runAt });
    const snap = await getDoc(task);
    assert.equal(snap.get("state"), "scheduled");
    assert.equal(snap.get("runAt").toMillis(), runAt.getTime());
  });

  it("enqueueTask refuses data the handler's schema refuses, naming the field, before writing anything", async () => {
    const order = await ownOrder();
    // The compiler refuses both (test/client/fixtures/typed-enqueue.ts): the casts stand for untyped callers.
    const recipient = { type: "order", action: "sendConfirmationEmail", data: { to: "victim@elsewhere.example" } };
    await assert.rejects(enqueueTask(order, recipient as never), (error: TaskDataError) => {
      assert.ok(error instanceof TaskDataError);
      assert.equal(error.code, "enqueue/invalid-data");
      assert.match(error.message, /^cannot enqueue order\.sendConfirmationEmail: data\.to: .*takes no data/);
      assert.deepEqual(error.issues[0].path, ["to"]);
      return true;
    });
    // A server-only handler: the check comes before the write, so the rules are never asked (no permission-denied).
    const nested = { type: "demo", action: "validated", data: { customer: { name: 1 }, items: [{ sku: "a" }] } };
    await assert.rejects(enqueueTask(order, nested as never), {
      name: "TaskDataError",
      message: /data\.customer\.name: .*expected string, received number/,
    });
    assert.equal((await adminDb().doc(order.path).collection("tasks").get()).size, 0);
  });

  it("enqueueTaskIn refuses data the schema refuses before adding the task: the batch commits without it", async () => {
    const order = doc(client.db, `orders/${uniqueId("order")}`);
    const batch = writeBatch(client.db);
    batch.set(order, { ownerId: client.user.uid, customerEmail: client.email });
    const request = { type: "order", action: "sendConfirmationEmail", data: { to: "victim@elsewhere.example" } };
    assert.throws(() => enqueueTaskIn(batch, order, request as never), { name: "TaskDataError", message: /data\.to/ });
    await batch.commit();
    assert.equal((await adminDb().doc(order.path).get()).exists, true);
    assert.equal((await adminDb().doc(order.path).collection("tasks").get()).size, 0);
  });

  it("enqueueTask without a signed-in user fails before writing anything", async () => {
    const anonymous = await signedInClient();
    await anonymous.auth.signOut();
    try {
      assert.throws(
        () =>
          enqueueTaskIn(writeBatch(anonymous.db), doc(anonymous.db, "orders/x"), {
            type: "order",
            action: "sendConfirmationEmail",
          }),
        /sign in first/,
      );
    } finally {
      await anonymous.close();
    }
  });
});
