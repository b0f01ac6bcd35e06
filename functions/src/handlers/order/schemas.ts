// The order handlers' data, checked by the engine, by server enqueues and by the client library (browser-safe:
// zod only, no handler code).
import { z } from "zod";

/**
 * No input: everything comes from the order (the task's parent). A client chooses `data`, so every key in it is
 * refused, by name: a recipient in `data` fails the task (`data.to: ...`) instead of being silently ignored.
 */
export const sendConfirmationEmailData = z.record(
  z.string(),
  z.never({ error: "sendConfirmationEmail takes no data (the email goes to the order's customerEmail)" }),
);
