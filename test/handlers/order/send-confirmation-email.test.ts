// The shipped email example, order.sendConfirmationEmail: the recipient is the order's `customerEmail`, never an
// address from the task's `data` (which the client chose; its schema refuses every key), and its outbox document is
// created once per task, so a retried attempt never sends the email twice.
import assert from "node:assert/strict";
import { addDoc, collection, serverTimestamp } from "firebase/firestore";
import type { DocumentReference } from "firebase-admin/firestore";
import { sendConfirmationEmail } from "../../../functions/src/handlers/order/send-confirmation-email";
import { createContext } from "../../../functions/src/queue/attempt/context";
import type { FencedWriter } from "../../../functions/src/queue/store/fenced-writer";
import { signedInClient } from "../../support/client";
import { adminDb, uniqueId } from "../../support/emulators";
import { newParent, waitForState } from "../../support/tasks";

/** Attempt `attempt` of the task at `taskRef`, run by hand: what the engine does on a retry. */
function runAttempt(taskRef: DocumentReference, attempt: number, data: Record<string, unknown> = {}) {
  const ctx = createContext({
    writer: { ref: taskRef } as unknown as FencedWriter,
    attempt,
    maxAttempts: 5,
    controller: new AbortController(),
  });
  return sendConfirmationEmail.run(data as Record<string, never>, ctx);
}

async function mailsOf(taskRef: DocumentReference) {
  return (await adminDb().collection("mail").where("taskPath", "==", taskRef.path).get()).docs;
}

describe("order.sendConfirmationEmail", () => {
  it("a client's task naming a recipient in data, which the rules accept, fails task/invalid naming the field and mails nobody", async () => {
    const client = await signedInClient();
    try {
      const order = await newParent("orders", { ownerId: client.user.uid, customerEmail: client.email });
      // What any client can write through the rules, the client library's types notwithstanding.
      const task = await addDoc(collection(client.db, `${order.path}/tasks`), {
        type: "order",
        action: "sendConfirmationEmail",
        state: "scheduled",
        data: { to: "victim@elsewhere.example" },
        createdAt: serverTimestamp(),
        createdBy: client.user.uid,
      });
      const taskRef = adminDb().doc(task.path);
      const done = await waitForState(taskRef, ["completed", "failed"], 30_000);
      assert.equal(done.get("state"), "failed");
      assert.equal(done.get("error.code"), "task/invalid");
      assert.match(done.get("error.message"), /^data\.to: sendConfirmationEmail takes no data/);
      assert.equal(done.get("attempts"), 1);
      assert.deepEqual(await mailsOf(taskRef), []);
    } finally {
      await client.close();
    }
  });

  it("a retried attempt finds its mail document and neither rewrites nor duplicates it", async () => {
    const order = await newParent("orders", { customerEmail: "buyer@example.com" });
    const taskRef = order.collection("tasks").doc(uniqueId("email"));
    const first = await runAttempt(taskRef, 1);
    const mailRef = adminDb().collection("mail").doc(first.mailId);
    // The Trigger Email extension records the delivery on the document; a rewrite would make it send again.
    await mailRef.update({ delivery: { state: "SUCCESS" } });
    const delivered = await mailRef.get();
    const second = await runAttempt(taskRef, 2);
    assert.equal(second.mailId, first.mailId);
    const after = await mailRef.get();
    assert.equal(after.updateTime?.toMillis(), delivered.updateTime?.toMillis(), "the mail document was rewritten");
    assert.deepEqual(after.get("delivery"), { state: "SUCCESS" });
    assert.equal((await mailsOf(taskRef)).length, 1);
  });

  it("mails the order's customerEmail, whatever data says (the handler itself never reads data)", async () => {
    const order = await newParent("orders", { customerEmail: "buyer@example.com" });
    const taskRef = order.collection("tasks").doc(uniqueId("email"));
    await runAttempt(taskRef, 1, { to: "victim@elsewhere.example" });
    assert.deepEqual(
      (await mailsOf(taskRef)).map((mail) => mail.get("to")),
      ["buyer@example.com"],
    );
  });

  it("fails permanently when the order has no customerEmail, whatever data says", async () => {
    const order = await newParent("orders", { customerEmail: null });
    const taskRef = order.collection("tasks").doc(uniqueId("email"));
    await assert.rejects(runAttempt(taskRef, 1, { to: "someone@example.com" }), {
      name: "PermanentError",
      code: "order/no-recipient",
    });
    assert.equal((await mailsOf(taskRef)).length, 0);
  });
});
