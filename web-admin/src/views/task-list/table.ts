// The table of one page of tasks: a row per task that opens it, the column that matters for the state, on the tabs
// with a bulk action (failed, scheduled) a checkbox per row (and one for the page), and on the failed tab the error.
import { h, type Child } from "../../dom";
import type { Route } from "../../route";
import { attemptsLabel, breakable, handlerName, taskPath, timeAgo, type Task } from "../../task";
import { routeLink } from "../context";
import { bulkActionFor } from "../../actions";
import type { TaskState } from "../../contract";

/** The column that says what matters for tasks in this state. */
const WHEN: Record<TaskState, { label: string; value: (task: Task) => Date | undefined }> = {
  scheduled: { label: "Runs", value: (task) => task.runAt },
  running: { label: "Started", value: (task) => task.startedAt },
  completed: { label: "Completed", value: (task) => task.completedAt },
  failed: { label: "Failed", value: (task) => task.failedAt },
  cancelled: { label: "Cancelled", value: (task) => task.cancelledAt },
};

/** `selected` holds the checked paths; `onSelect` runs after a checkbox changed it. */
export function taskTable(route: Route, tasks: Task[], selected: Set<string>, onSelect: () => void): HTMLElement {
  const failed = route.state === "failed";
  const selectable = bulkActionFor(route.state) !== undefined;
  const when = WHEN[route.state];
  const allSelected = tasks.length > 0 && tasks.every((task) => selected.has(task.path));
  const selectAll = h("input", {
    type: "checkbox",
    "aria-label": "Select all on this page",
    checked: allSelected,
    onchange: (event: Event) => {
      const on = (event.target as HTMLInputElement).checked;
      for (const task of tasks)
        if (on) selected.add(task.path);
        else selected.delete(task.path);
      onSelect();
    },
  });
  selectAll.indeterminate = !allSelected && tasks.some((task) => selected.has(task.path));
  const head = h(
    "tr",
    {},
    selectable ? h("th", { class: "check" }, selectAll) : null,
    h("th", {}, "Task"),
    h("th", { class: "num col-attempts" }, "Attempts"),
    h("th", { class: "col-age" }, "Age"),
    h("th", {}, when.label),
    failed ? h("th", {}, "Error") : null,
  );
  const rows = tasks.map((task) => {
    const open = route.task === task.path;
    const link = routeLink(
      { ...route, task: task.path },
      { class: "row-link" },
      h("code", { class: "handler" }, breakable(handlerName(task))),
      taskPath(task.path),
    );
    const row = h(
      "tr",
      { "data-path": task.path, class: open ? "open" : undefined, "aria-selected": open ? "true" : undefined },
      selectable
        ? h(
            "td",
            { class: "check" },
            h("input", {
              type: "checkbox",
              "aria-label": `Select ${task.path}`,
              checked: selected.has(task.path),
              onchange: (event: Event) => {
                if ((event.target as HTMLInputElement).checked) selected.add(task.path);
                else selected.delete(task.path);
                onSelect();
              },
            }),
          )
        : null,
      h("td", { class: "task-cell" }, link),
      h("td", { class: "num col-attempts" }, attemptsLabel(task)),
      h("td", { class: "col-age" }, timeAgo(task.createdAt)),
      h("td", {}, whenCell(task, when.value(task))),
      failed ? h("td", { class: "error-cell" }, errorSummary(task)) : null,
    );
    // The whole row opens the task; the link inside is what keyboards and new-tab clicks use.
    row.addEventListener("click", (event) => {
      if ((event.target as Element).closest("a, input, button")) return;
      link.click();
    });
    return row;
  });
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "tasks", "aria-label": `${route.state} tasks` }, h("thead", {}, head), h("tbody", {}, rows)),
  );
}

function whenCell(task: Task, date: Date | undefined): Child {
  if (task.state === "scheduled" && !date) return h("span", { class: "muted" }, "now");
  if (task.state === "running" && task.progress !== undefined) {
    return [timeAgo(date), " ", h("span", { class: "muted" }, `${task.progress}%`)];
  }
  return timeAgo(date);
}

function errorSummary(task: Task): Child {
  if (!task.error) return h("span", { class: "muted" }, "—");
  return h(
    "div",
    { class: "error-summary", title: task.error.message },
    h("code", { class: "error-code" }, task.error.code),
    h("div", { class: "error-message" }, task.error.message),
  );
}
