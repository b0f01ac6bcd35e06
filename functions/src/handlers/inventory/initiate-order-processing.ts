// Server-only (not client-enqueueable): marks the parent order as being processed. Re-running it is harmless:
// the update only sets fields.
import { FieldValue } from "firebase-admin/firestore";
import { defineHandler } from "../../queue";
import { initiateOrderProcessingData } from "./schemas";

export const initiateOrderProcessing = defineHandler(
  { schema: initiateOrderProcessingData, timeoutSeconds: 60 },
  async ({ warehouse }, ctx) => {
    await ctx.parentRef.set(
      {
        processing: { status: "initiated", warehouse, at: FieldValue.serverTimestamp() },
      },
      { merge: true },
    );
    return { status: "initiated" };
  },
);
