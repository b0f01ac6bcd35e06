// Queues an order confirmation email. The email itself is a document in the `mail` outbox collection (the
// shape the "Trigger Email" extension reads), keyed by the idempotency key so a retried attempt never sends twice.
import { FieldValue } from "firebase-admin/firestore";
import { defineHandler, PermanentError } from "../../queue";

export interface SendConfirmationEmailData {
  /** Recipient; defaults to the order's `customerEmail`. */
  to?: string;
}

export const sendConfirmationEmail = defineHandler<SendConfirmationEmailData, { mailId: string }>(
  { clientEnqueue: true, timeoutSeconds: 30, maxAttempts: 5 },
  async (data, ctx) => {
    const order = await ctx.parentRef.get();
    if (!order.exists) throw new PermanentError(`order ${ctx.parentRef.path} does not exist`, "order/not-found");
    const to = data.to ?? order.get("customerEmail");
    if (typeof to !== "string" || !to.includes("@")) {
      throw new PermanentError("no recipient: set data.to or the order's customerEmail", "order/no-recipient");
    }
    const mailRef = ctx.parentRef.firestore.collection("mail").doc(ctx.idempotencyKey);
    await mailRef.set({
      to,
      message: {
        subject: `Your order ${ctx.params.parentId} is confirmed`,
        text: `Thanks for your order ${ctx.params.parentId}. We will let you know when it ships.`,
      },
      orderPath: ctx.parentRef.path,
      taskPath: ctx.taskRef.path,
      createdAt: FieldValue.serverTimestamp(),
    });
    return { mailId: mailRef.id };
  },
);
