// Every handler's data schema, addressed like the handlers: the client library checks a task's `data` against
// these before writing it. Browser-safe: schema modules only, never a handler (handlers import firebase-admin).
// Each handler takes its schema from the same module, so one definition serves handler, engine and client.
import type { SchemaTree } from "../queue/model/schema";
import { sendConfirmationEmailData } from "./order/schemas";
import { initiateOrderProcessingData } from "./inventory/schemas";
import * as demo from "./demo/schemas";

export const taskSchemas = {
  order: { sendConfirmationEmail: sendConfirmationEmailData },
  inventory: { mutations: { initiateOrderProcessing: initiateOrderProcessingData } },
  demo: {
    fail: demo.failData,
    flaky: demo.flakyData,
    sleep: demo.sleepData,
    chaos: demo.chaosData,
    chain: demo.chainData,
    progressStorm: demo.progressStormData,
    serial: demo.serialData,
    validated: demo.validatedData,
    fanOut: demo.fanOutData,
  },
} satisfies SchemaTree;
