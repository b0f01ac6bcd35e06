// The application's handlers, addressed by `type` and `action` (dotted actions walk into nested objects).
// To add one: write it in a file next to these and add one line below (and its schema, if any, to ./schemas.ts).
import { defineHandlers, registerHandlers } from "../queue";
import { sendConfirmationEmail } from "./order/send-confirmation-email";
import { initiateOrderProcessing } from "./inventory/initiate-order-processing";
import * as demo from "./demo";

export const handlers = defineHandlers({
  order: { sendConfirmationEmail },
  inventory: { mutations: { initiateOrderProcessing } },
  demo,
});

export type Handlers = typeof handlers.tree;

// Server enqueues (`enqueueTask`, `ctx.enqueue`) check data against these handlers' schemas. Their schemas live in
// schemas modules next to them, gathered in ./schemas.ts for the client library.
registerHandlers(handlers);

// Types `ctx.enqueue` in handlers and the client library (functions/src/client) from the handlers above.
declare module "../queue/model/request" {
  interface Register {
    handlers: Handlers;
  }
}
