// Demo handlers: they show the engine's behaviours (failure, retries, timeouts) on the admin page and in the
// tests. Safe to delete in your app, together with their line in handlers/index.ts. All server-only (none is
// `clientEnqueue`): the deployed rules let clients enqueue the real handlers only, and the tests and the demo data
// write demo tasks with the admin SDK, which the rules do not govern.
import { FieldValue } from "firebase-admin/firestore";
import { defineHandler, PermanentError, type TaskContext } from "../../queue";
import {
  chainData,
  chaosData,
  failData,
  fanOutData,
  flakyData,
  progressStormData,
  serialData,
  sleepData,
  validatedData,
} from "./schemas";

/** Always fails with a permanent error: no retries. */
export const fail = defineHandler({ schema: failData }, (data) => {
  throw new PermanentError(data.reason ?? "demo.fail always fails", "demo/failed");
});

/** Fails on its first `failTimes` attempts, then succeeds. Equal jitter: each retry waits longer than the last. */
export const flaky = defineHandler(
  { schema: flakyData, maxAttempts: 3, backoff: { baseSeconds: 1, jitter: "equal" } },
  (data, ctx) => {
    const { failTimes } = data;
    if (ctx.attempt <= failTimes) throw new Error(`flaky: attempt ${ctx.attempt} fails (failTimes ${failTimes})`);
    return { succeededOnAttempt: ctx.attempt };
  },
);

/**
 * Waits `data.ms` milliseconds; longer than its 2 s timeout fails with `handler/timeout`. Its completed tasks are
 * kept a week instead of 30 days (`retainFor`), then Firestore's TTL policy deletes them.
 */
export const sleep = defineHandler(
  { schema: sleepData, timeoutSeconds: 2, maxAttempts: 1, retainFor: { completedDays: 7 } },
  async ({ ms }, ctx) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
    return { slept: ms };
  },
);

/** Does nothing: measures the engine's own cost (bench). */
export const noop = defineHandler({}, () => undefined);

/** Does nothing, on the express path (`idempotent: true`): no claim, 2 writes per task. */
export const expressNoop = defineHandler({ idempotent: true }, () => undefined);

async function recordRun(_data: Record<string, unknown>, ctx: TaskContext): Promise<{ recorded: true }> {
  await ctx.taskRef.firestore.collection("taskRuns").add({
    taskPath: ctx.taskRef.path,
    attempt: ctx.attempt,
    at: FieldValue.serverTimestamp(),
  });
  return { recorded: true };
}

/** Records every run in `taskRuns`, one document per run: lets tests count how often a handler really ran. */
export const record = defineHandler<Record<string, unknown>, { recorded: true }>({}, recordRun);

/** `record` on the express path: a duplicate delivery may run it twice, but only one run is recorded on the task. */
export const expressRecord = defineHandler<Record<string, unknown>, { recorded: true }>(
  { idempotent: true },
  recordRun,
);

/**
 * Records its run in `taskRuns` (as `record` does) and returns the data it received: its schema's output, defaults
 * filled in. Shows a schema with nested fields and a list; data it refuses ends `failed` `task/invalid` unrun.
 */
export const validated = defineHandler({ schema: validatedData }, async (data, ctx) => {
  await recordRun(data, ctx);
  return { received: data };
});

/** Fails transiently with probability `data.failRate` (0–1): the chaos test's worker. */
export const chaos = defineHandler(
  { schema: chaosData, maxAttempts: 10, backoff: { baseSeconds: 0.2, capSeconds: 2 } },
  (data) => {
    if (Math.random() < data.failRate) throw new Error("chaos: transient failure");
    return undefined;
  },
);

/**
 * Chains itself: enqueues `demo.chain` with `steps - 1` under the same parent until `steps` reaches 0, then
 * `demo.noop`. Shows `ctx.enqueue`; server-only, so a client cannot start a chain.
 */
export const chain = defineHandler(
  { schema: chainData, maxAttempts: 2 },
  // The return type is spelled out because it uses ctx.enqueue, whose types are built from this very registry.
  async ({ steps }, ctx): Promise<{ next: string }> => {
    const next =
      steps > 0
        ? await ctx.enqueue({ type: "demo", action: "chain", data: { steps: steps - 1 } })
        : await ctx.enqueue({ type: "demo", action: "noop" });
    return { next: next.path };
  },
);

/**
 * Reports progress `data.calls` times (default 1,000) in a tight loop, then returns: `ctx.progress` coalesces the
 * calls to at most one write a second, the last value winning. Server-only.
 */
export const progressStorm = defineHandler({ schema: progressStormData }, async ({ calls }, ctx) => {
  for (let i = 1; i <= calls; i++) await ctx.progress((100 * i) / calls);
  return { calls };
});

/** Does nothing, at most 5 starts in any second across all instances: shows `rateLimit`. */
export const throttled = defineHandler({ rateLimit: { perSecond: 5 } }, () => undefined);

/** `throttled` at 20 a second: the bench measures the rate achieved against it. */
export const throttled20 = defineHandler({ rateLimit: { perSecond: 20 } }, () => undefined);

/** Waits `data.ms` milliseconds, one at a time across all instances: shows `maxConcurrent`. */
export const serial = defineHandler({ schema: serialData, maxConcurrent: 1 }, async ({ ms }) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { waited: ms };
});

/**
 * Records its run (as `record` does) and returns the data it received, debounced over 2 s: enqueues of one
 * `dedupKey` within 2 s of the first run once, at the end of the window, with the last one's data.
 */
export const debounced = defineHandler<Record<string, unknown>, { received: Record<string, unknown> }>(
  { debounceSeconds: 2 },
  async (data, ctx) => {
    await recordRun(data, ctx);
    return { received: data };
  },
);

/**
 * Fans out `data.children` `demo.noop` tasks (every `failEvery`-th a `demo.fail`), with `demo.fanIn` as the
 * continuation: shows `ctx.fanOut`. With `failFirstAttempt`, the first attempt throws after fanning out: its retry
 * fans out again and writes nothing twice. Writing 10,000 children takes a while, hence the longer timeout.
 */
export const fanOut = defineHandler(
  { schema: fanOutData, timeoutSeconds: 300, backoff: { baseSeconds: 1 } },
  async ({ children, failEvery, failFirstAttempt }, ctx): Promise<{ group: string; continuation: string }> => {
    const requests = Array.from({ length: children }, (_, i) =>
      failEvery && (i + 1) % failEvery === 0
        ? ({ type: "demo", action: "fail", data: { reason: `child ${i} fails on purpose` } } as const)
        : ({ type: "demo", action: "noop" } as const),
    );
    const group = await ctx.fanOut(requests, { then: { type: "demo", action: "fanIn" } });
    if (failFirstAttempt && ctx.attempt === 1)
      throw new Error("demo.fanOut: the first attempt fails after fanning out");
    return { group: group.group, continuation: group.continuation.path };
  },
);

/** `demo.fanOut`'s continuation: returns how many children ended in each state (`ctx.fanIn`). */
export const fanIn = defineHandler({}, (_data, ctx) => {
  if (!ctx.fanIn) throw new PermanentError("demo.fanIn runs only as a fan-out's continuation", "demo/not-a-fan-in");
  const { completed, failed, cancelled } = ctx.fanIn;
  return { completed, failed, cancelled };
});
