// The application's recurring schedules: each due slot of a cron expression writes one task for a handler above.
// One scheduler function runs them all, every minute (`runSchedules`); to add one, add a line below.
import { defineSchedule, defineSchedules } from "../queue";
import { handlers } from "./index";

export const schedules = defineSchedules(handlers, [
  // Every minute, a `demo.noop` task under taskSchedules/demo-heartbeat: shows the scheduler at work (admin page,
  // collection `taskSchedules`). Safe to delete with the demo handlers.
  defineSchedule({ name: "demo-heartbeat", cron: "* * * * *", timeZone: "UTC", type: "demo", action: "noop" }),
]);
