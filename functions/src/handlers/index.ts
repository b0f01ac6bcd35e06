// The application's handlers, addressed by `type` and `action` (dotted actions walk into nested objects).
// To add one: write it in a file next to these and add one line below.
import { defineHandlers } from "../queue";
import { sendConfirmationEmail } from "./order/send-confirmation-email";
import { initiateOrderProcessing } from "./inventory/initiate-order-processing";
import * as demo from "./demo";

export const handlers = defineHandlers({
  order: { sendConfirmationEmail },
  inventory: { mutations: { initiateOrderProcessing } },
  demo,
});

export type Handlers = typeof handlers.tree;

// Types `ctx.enqueue` in handlers and the client library (functions/src/client) from the handlers above.
declare module "../queue/model/request" {
  interface Register {
    handlers: Handlers;
  }
}
