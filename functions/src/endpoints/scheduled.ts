// The scheduled functions: the sweeper and the recurring schedules.
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
  ]),
);

/** The safety net: recovers expired leases and re-dispatches tasks whose event was lost. */
export const sweepTasks = onSchedule({ ...runtime, schedule: SWEEPER.schedule }, async () => {
  const [sweep, handlers] = await sweeper();
  await sweep(handlers);
});

/** Recurring schedules: writes one task for each due slot of every schedule (handlers/schedules.ts). */
export const runSchedules = onSchedule({ ...runtime, schedule: SCHEDULES.schedule }, async () => {
  const [runAll, schedules] = await scheduler();
  await runAll(schedules);
});
