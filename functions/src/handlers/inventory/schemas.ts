// The inventory handlers' data, checked by the engine, by server enqueues and by the client library
// (browser-safe: zod only, no handler code).
import { z } from "zod";

export const initiateOrderProcessingData = z.object({
  /** The warehouse that picks the order. */
  warehouse: z.string().min(1).default("default"),
});
