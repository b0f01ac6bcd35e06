// What can be done to the open task, by state: Retry (failed), Run now and Cancel (scheduled). Each asks for
// confirmation and reports what happened; the buttons stay disabled while one runs.
import { cancelTasks, errorMessage, retryTasks, runTaskNow, summarize } from "../../actions";
import { MAX_PARENT_DEPTH, isQueueTaskPath } from "../../contract";
import { confirmDialog, h, notify, type Child } from "../../dom";
import { clockTime } from "../../format";
import { handlerName, isDelayed, taskPath, type Task } from "../../task";
import { reportOutcomes } from "../../widgets/action-report";
import type { AdminContext } from "../context";

/** `rerender` redraws the detail, so the buttons show whether an action is running. */
export function createActionBar(ctx: AdminContext, rerender: () => void) {
  let busy = false;

  function button(label: string, tone: string, run: () => Promise<void>): HTMLElement {
    return h(
      "button",
      {
        type: "button",
        class: `button ${tone}`,
        disabled: busy,
        onclick: async () => {
          busy = true;
          rerender();
          try {
            await run();
          } finally {
            busy = false;
            rerender();
            ctx.refreshCountsAfterAction();
          }
        },
      },
      label,
    );
  }

  async function retry(t: Task) {
    const ok = await confirmDialog({
      title: "Retry this task?",
      body: [
        h("p", {}, taskPath(t.path)),
        h("p", {}, `${handlerName(t)} is scheduled again and runs with a fresh round of attempts.`),
      ],
      confirmLabel: "Retry",
    });
    if (ok) reportOutcomes("retry", summarize(await retryTasks(ctx.services.functions, [t.path])));
  }

  async function cancel(t: Task) {
    const ok = await confirmDialog({
      title: "Cancel this task?",
      body: [h("p", {}, taskPath(t.path)), h("p", {}, `${handlerName(t)} will not run. This cannot be undone.`)],
      confirmLabel: "Cancel task",
      dismissLabel: "Keep it",
      tone: "danger",
    });
    if (!ok) return;
    const [outcome] = await cancelTasks(ctx.services.functions, [t.path]);
    if (outcome.done) notify("success", "Cancelled the task.", taskPath(t.path));
    else if ("state" in outcome) notify("info", `Not cancelled: the task is ${outcome.state} now.`, taskPath(t.path));
    else notify("error", `Cancel failed: ${outcome.error}`, taskPath(t.path));
  }

  async function runNow(t: Task) {
    const ok = await confirmDialog({
      title: "Run this task now?",
      body: [
        h("p", {}, taskPath(t.path)),
        h(
          "p",
          {},
          t.runAt && isDelayed(t)
            ? `It is due ${clockTime(t.runAt)}; it runs now instead.`
            : "It is dispatched again now (use this for a task stuck in scheduled).",
        ),
      ],
      confirmLabel: "Run now",
    });
    if (!ok) return;
    try {
      const result = await runTaskNow(ctx.services.functions, t.path);
      if (result.ran) notify("success", "The task is due now and runs at once.", taskPath(t.path));
      else notify("info", `Not run: the task is ${result.state} now.`, taskPath(t.path));
    } catch (error) {
      notify("error", `Run now failed: ${errorMessage(error)}`, taskPath(t.path));
    }
  }

  /** The buttons for `t` as it is now. */
  return function actionBar(t: Task): HTMLElement {
    const buttons: Child[] = [];
    // A `tasks` collection deeper than the queue serves is the app's own: the engine never runs it.
    if (!isQueueTaskPath(t.path)) {
      const note = `Not a queue task: its parent is deeper than depth ${MAX_PARENT_DEPTH}, so nothing runs it.`;
      return h("div", { class: "detail-actions" }, h("span", { class: "muted" }, note));
    }
    if (t.state === "failed") {
      buttons.push(button("Retry", "primary", () => retry(t)));
    }
    if (t.state === "scheduled") {
      buttons.push(button("Run now", "primary", () => runNow(t)));
      buttons.push(button("Cancel", "danger-outline", () => cancel(t)));
    }
    if (!buttons.length) {
      const note = { completed: "Completed tasks are final.", running: "Running: the worker owns this task." };
      buttons.push(h("span", { class: "muted" }, note[t.state as keyof typeof note] ?? "No action applies."));
    }
    return h("div", { class: "detail-actions" }, buttons);
  };
}
