// The scheduled functions: the sweeper, and the recurring schedules with the metrics rollup.
import { onSchedule } from "firebase-functions/scheduler";
import { SCHEDULES, SWEEPER } from "../queue/config";
import { onFirstCall } from "../queue/on-first-call";
import { loadHandlers, runtime } from "./runtime";

const sweeper = onFirstCall(() =>
  Promise.all([import("../queue/triggers/sweep-tasks.js").then((m) => m.sweep), loadHandlers()]),
);
const scheduler = onFirstCall(() =>
  Promise.all([
    import("../queue/triggers/run-schedules.js").then((m) => m.runSchedules),
    import("../handlers/schedules.js").then((m) => m.schedules),
    import("../queue/triggers/roll-up-metrics.js").then((m) => m.runMetricsPass),
    loadHandlers(),
  ]),
);

/** The safety net: recovers expired leases and re-dispatches tasks whose event was lost. */
export const sweepTasks = onSchedule({ ...runtime, schedule: SWEEPER.schedule }, async () => {
  const [sweep, handlers] = await sweeper();
  await sweep(handlers);
});

/**
 * Every minute: writes one task for each due slot of every schedule (handlers/schedules.ts), then rolls up the last
 * minute's metrics and moves the alerts (queue/triggers/roll-up-metrics.ts). One job, so one invocation a minute.
 */
export const runSchedules = onSchedule({ ...runtime, schedule: SCHEDULES.schedule }, async () => {
  const [runAll, schedules, runMetricsPass, handlers] = await scheduler();
  // Each runs even if the other fails; the invocation fails (and is logged) if either did.
  const results = await Promise.allSettled([runAll(schedules), runMetricsPass(handlers)]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
});
