// Queues an order confirmation email. The email itself is a document in the `mail` outbox collection (the
// shape the "Trigger Email" extension reads), created once with the idempotency key as its id, so a retried
// attempt never sends twice. The recipient is the order's `customerEmail`: a client enqueues this handler
// and chooses `data`, so an address taken from `data` would let any signed-in user send mail anywhere.
import { FieldValue } from "firebase-admin/firestore";
import { defineHandler, PermanentError } from "../../queue";
import { isAlreadyExists } from "../../queue/store/status-codes";
import { sendConfirmationEmailData } from "./schemas";

export const sendConfirmationEmail = defineHandler(
  { schema: sendConfirmationEmailData, clientEnqueue: true, timeoutSeconds: 30, maxAttempts: 5 },
  async (_data, ctx): Promise<{ mailId: string }> => {
    const order = await ctx.parentRef.get();
    if (!order.exists) throw new PermanentError(`order ${ctx.parentRef.path} does not exist`, "order/not-found");
    const to = order.get("customerEmail");
    if (typeof to !== "string" || !to.includes("@")) {
      throw new PermanentError(`order ${ctx.parentRef.path} has no customerEmail`, "order/no-recipient");
    }
    const mailRef = ctx.parentRef.firestore.collection("mail").doc(ctx.idempotencyKey);
    try {
      await mailRef.create({
        to,
        message: {
          subject: `Your order ${ctx.params.parentId} is confirmed`,
          text: `Thanks for your order ${ctx.params.parentId}. We will let you know when it ships.`,
        },
        orderPath: ctx.parentRef.path,
        taskPath: ctx.taskRef.path,
        createdAt: FieldValue.serverTimestamp(),
      });
    } catch (error) {
      // An earlier attempt created it: the email is queued (perhaps sent) already. Rewriting it would send again.
      if (!isAlreadyExists(error)) throw error;
      ctx.logger.info("confirmation email already queued by an earlier attempt", { mailId: mailRef.id });
    }
    return { mailId: mailRef.id };
  },
);
