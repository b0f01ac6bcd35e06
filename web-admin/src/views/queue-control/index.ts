// The queue control view (`?view=queue`): the whole queue's switch, the handlers with their limits and pauses, the
// schedules. It reads the status with one `queueStatus` call when opened and after each action or Refresh (it is not
// live: the pauses change rarely and only through this page or the callable), and composes the banner and tables.
import type { PauseTarget, QueueStatus, SetPausedResult } from "../../contract";
import { errorMessage } from "../../actions";
import { confirmDialog, h, replaceChildren } from "../../dom";
import { clockTime } from "../../format";
import { fetchQueueStatus, setPaused } from "../../queue-actions";
import type { AdminContext } from "../context";
import { handlersTable } from "./handlers-table";
import { confirmation, targetKey, targetName, type PauseControls } from "./pause-control";
import { queueBanner } from "./queue-banner";
import { schedulesSection } from "./schedules-table";

type Tone = "success" | "error" | "info";

export function createQueueControl(ctx: AdminContext) {
  const updated = h("span", { class: "muted small queue-updated" });
  const refreshButton = h("button", { type: "button", class: "button small", onclick: () => void load() }, "Refresh");
  // What the last action did. A live region that stays in place (not a toast): the result of a resume is worth
  // reading after the fact, and screen readers announce each new report.
  const report = h("p", { class: "queue-report", "aria-live": "polite" });
  const body = h("div", { class: "queue-body" });
  const element = h(
    "section",
    { class: "queue-control", "aria-labelledby": "queue-control-title" },
    h(
      "div",
      { class: "queue-head" },
      h("h1", { id: "queue-control-title" }, "Queue control"),
      h("div", { class: "queue-head-right" }, updated, refreshButton),
    ),
    report,
    body,
  );
  element.hidden = true;

  let status: QueueStatus | undefined;
  let loadError: string | undefined;
  let generation = 0;
  /** Progress label per target whose call is in flight. */
  const pending = new Map<string, string>();
  /** The target whose button had focus before its call: focus returns there when the call is done. */
  let focusAfter: string | undefined;

  const controls: PauseControls = {
    user: ctx.user,
    pending: (target) => pending.get(targetKey(target)),
    toggle: (target, pause) => void toggle(target, pause),
  };

  function say(tone: Tone, text: string) {
    report.className = `queue-report ${tone}`;
    report.setAttribute("role", tone === "error" ? "alert" : "status");
    report.textContent = text;
  }

  async function load() {
    const mine = ++generation;
    refreshButton.disabled = true;
    if (!status) render();
    try {
      const next = await fetchQueueStatus(ctx.services.functions);
      if (mine !== generation) return;
      status = next;
      loadError = undefined;
      updated.textContent = `Updated ${clockTime(new Date())}`;
    } catch (error) {
      if (mine !== generation) return;
      loadError = errorMessage(error);
    }
    refreshButton.disabled = false;
    render();
  }

  function render() {
    const parts = [];
    if (loadError) {
      parts.push(
        h(
          "div",
          { class: "query-error", role: "alert" },
          h("strong", {}, "The queue's status could not be loaded. "),
          loadError,
        ),
      );
    }
    if (status) {
      parts.push(
        queueBanner(status, controls),
        h("h2", { id: "handlers-title", class: "queue-section-title" }, "Handlers"),
        handlersTable(status, controls),
        h("h2", { id: "schedules-title", class: "queue-section-title" }, "Schedules"),
        schedulesSection(status, controls),
      );
    } else if (!loadError) {
      parts.push(h("p", { class: "empty" }, "Loading…"));
    }
    replaceChildren(body, parts);
    if (
      focusAfter &&
      !pending.has(focusAfter) &&
      (!document.activeElement || document.activeElement === document.body)
    ) {
      body.querySelector<HTMLElement>(`[data-pause-target="${CSS.escape(focusAfter)}"]`)?.focus();
      focusAfter = undefined;
    }
  }

  async function toggle(target: PauseTarget, pause: boolean) {
    const key = targetKey(target);
    if (pending.has(key)) return;
    const name = targetName(target);
    if (!(await confirmDialog(confirmation(target, pause)))) return;
    focusAfter = key;
    pending.set(key, pause ? "Pausing…" : "Resuming…");
    render();
    say("info", `${pause ? "Pausing" : "Resuming"} ${name}…`);
    let outcome: Parameters<typeof say>;
    try {
      const result = await setPaused(ctx.services.functions, target, pause, (sofar) => {
        if (pause || sofar.complete) return;
        pending.set(key, `Resuming… ${dispatchedLabel(sofar)}`);
        render();
      });
      const rest = result.complete ? "" : " It stopped before the end: resume again to dispatch the rest.";
      // A schedule's resume dispatches nothing: it only writes its next slot again.
      const dispatched = result.dispatched === undefined ? "" : `: ${dispatchedLabel(result)}`;
      outcome = ["success", pause ? `Paused ${name}.` : `Resumed ${name}${dispatched}.${rest}`];
    } catch (error) {
      outcome = ["error", `Could not ${pause ? "pause" : "resume"} ${name}: ${errorMessage(error)}`];
    }
    pending.delete(key);
    // The report comes with the refreshed tables, so what it says and what the rows show never disagree.
    await load();
    say(...outcome);
  }

  return {
    element,
    /** Shows the view and reads the status afresh. */
    show() {
      element.hidden = false;
      void load();
    },
    hide() {
      element.hidden = true;
      generation++; // an answer still on its way is not rendered into a hidden view
      refreshButton.disabled = false;
    },
  };
}

/** "1 held task dispatched", "no held task to dispatch". */
function dispatchedLabel(result: SetPausedResult): string {
  const n = result.dispatched ?? 0;
  if (n === 0) return "no held task to dispatch";
  return `${n.toLocaleString("en")} held ${n === 1 ? "task" : "tasks"} dispatched`;
}
