// The recurring schedules: each one's cron and time zone, what its latest slot wrote (the task, linked to its detail,
// with its state now), when the next slot is due, and its switch. Without schedules: one sentence, no empty table.
import { TASK_STATES, type QueueStatus, type ScheduleStatus, type TaskState } from "../../contract";
import { h, type Child } from "../../dom";
import { breakable, stateBadge, timeAgo } from "../../task";
import { routeLink } from "../context";
import { bySince, pauseButton, type PauseControls } from "./pause-control";

const time = (iso: string | undefined) => timeAgo(iso ? new Date(iso) : undefined);

/** The latest slot's time and its task's state; the state links to the task, unless the task is gone. */
function lastRun(schedule: ScheduleStatus): Child {
  if (!schedule.lastSlot) return h("span", { class: "muted" }, "not yet");
  const task = schedule.lastTask;
  if (!task) return time(schedule.lastSlot);
  const badge = stateBadge(task.state);
  const known = (TASK_STATES as readonly string[]).includes(task.state);
  return h(
    "span",
    { class: "last-run" },
    time(schedule.lastSlot),
    " ",
    known
      ? routeLink(
          // The tab of the task's state, so the list beside the detail is the one the task is in.
          { state: task.state as TaskState, filter: {}, task: task.path },
          { class: "task-state-link", title: `Open ${task.path}`, "aria-label": `Last task: ${task.state}, open it` },
          badge,
        )
      : badge,
  );
}

function stateCell(schedule: ScheduleStatus, controls: PauseControls): Child {
  if (schedule.paused) {
    return h("span", { class: "pause-state paused" }, "Paused ", bySince(schedule.paused, controls.user));
  }
  return h("span", { class: "pause-state running" }, "Active");
}

export function schedulesSection(status: QueueStatus, controls: PauseControls): HTMLElement {
  if (!status.schedules.length) {
    return h("p", { class: "muted queue-none" }, "No schedules are registered: no task is written on a timetable.");
  }
  const rows = status.schedules.map((schedule) =>
    h(
      "tr",
      { "data-schedule": schedule.name },
      h(
        "th",
        { scope: "row", "data-label": "Schedule" },
        h("span", { class: "schedule-name" }, breakable(schedule.name)),
        h("code", { class: "handler muted" }, breakable(`${schedule.type}.${schedule.action}`)),
      ),
      h("td", { "data-label": "Cron" }, h("code", { class: "cron" }, schedule.cron)),
      h("td", { "data-label": "Time zone" }, schedule.timeZone),
      h("td", { "data-label": "Last run" }, lastRun(schedule)),
      h(
        "td",
        { "data-label": "Next run" },
        schedule.paused ? h("span", { class: "muted" }, "paused") : time(schedule.nextSlot),
      ),
      h("td", { "data-label": "State", class: "state-cell" }, stateCell(schedule, controls)),
      h("td", { class: "row-action" }, pauseButton(controls, { schedule: schedule.name }, Boolean(schedule.paused))),
    ),
  );
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "queue-table stack", "aria-labelledby": "schedules-title" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Schedule", "Cron", "Time zone", "Last run", "Next run", "State"].map((label) =>
            h("th", { scope: "col" }, label),
          ),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Action")),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}
