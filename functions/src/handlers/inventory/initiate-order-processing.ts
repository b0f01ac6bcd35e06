// Server-only (not client-enqueueable): marks the parent order as being processed. Re-running it is harmless:
// the update only sets fields.
import { FieldValue } from "firebase-admin/firestore";
import { defineHandler } from "../../queue";

export interface InitiateOrderProcessingData {
  warehouse?: string;
}

export const initiateOrderProcessing = defineHandler<InitiateOrderProcessingData, { status: string }>(
  { timeoutSeconds: 60 },
  async (data, ctx) => {
    await ctx.parentRef.set(
      {
        processing: { status: "initiated", warehouse: data.warehouse ?? "default", at: FieldValue.serverTimestamp() },
      },
      { merge: true },
    );
    return { status: "initiated" };
  },
);
