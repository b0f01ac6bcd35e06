// The demo handlers' data, checked by the engine, by server enqueues and by the client library (browser-safe:
// zod only, no handler code). Kept out of demo/index.ts, whose every export is a handler.
import { z } from "zod";

export const failData = z.object({ reason: z.string().optional() });

export const flakyData = z.object({ failTimes: z.number().int().min(0).default(1) });

/** Longer than `demo.sleep`'s 2 s timeout fails with `handler/timeout`. */
export const sleepData = z.object({ ms: z.number().min(0).default(0) });

export const chaosData = z.object({ failRate: z.number().min(0).max(1).default(0.3) });

export const chainData = z.object({ steps: z.number().int().min(0).max(10) });

export const progressStormData = z.object({ calls: z.number().int().min(1).max(100_000).default(1000) });

export const serialData = z.object({ ms: z.number().min(0).max(10_000).default(0) });

/** An order-like input with nested fields, a list and defaults: `demo.validated` shows what a schema checks. */
export const validatedData = z.object({
  customer: z.object({ name: z.string().min(1), email: z.email().optional() }),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive().default(1) })).min(1),
  note: z.string().default(""),
});

/**
 * `demo.fanOut`: how many `demo.noop` children; every `failEvery`-th child (1-based) is a `demo.fail` instead;
 * `failFirstAttempt`: the first attempt fails after fanning out, and its retry fans out again.
 */
export const fanOutData = z.object({
  children: z.number().int().min(1).max(10_000),
  failEvery: z.number().int().min(1).optional(),
  failFirstAttempt: z.boolean().default(false),
});
