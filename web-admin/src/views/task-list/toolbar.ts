// The list's toolbar: whether the list is live, and the bulk actions of the tab, on the selection and the filters:
// on the failed tab retry, on the scheduled tab cancel, the selected rows or all matching (all-matching.ts), each
// through its callable.
import { actOnTasks, bulkActionFor, summarize, type BulkAction } from "../../actions";
import { confirmDialog, h, replaceChildren } from "../../dom";
import { taskPath } from "../../task";
import { reportOutcomes } from "../../widgets/action-report";
import { ACTION_WORDS } from "../../widgets/action-words";
import type { AdminContext } from "../context";
import { actOnAllMatchingTasks } from "./all-matching";

export type LiveStatus = "connecting" | "live" | "cached" | "error" | "paused";

const STATUS: Record<LiveStatus, [text: string, className: string]> = {
  connecting: ["Connecting…", "status-connecting"],
  live: ["Live", "status-live"],
  cached: ["Offline: showing cached data", "status-cached"],
  error: ["Not updating", "status-error"],
  paused: ["Paused while acting on all matching", "status-cached"],
};

export interface ToolbarHost {
  ctx: AdminContext;
  /** Paths of the rows checked in the table. */
  selected: Set<string>;
  /** Stops the list's listener: it would churn through thousands of changes while the server retries. */
  pause(): void;
  /** Starts it again, if the list still shows what it showed when paused. */
  resume(): void;
}

export function createToolbar(host: ToolbarHost) {
  const { ctx, selected } = host;
  const element = h("div", { class: "list-toolbar" });
  let live: LiveStatus = "connecting";
  let busy = false;

  function render() {
    const [text, className] = STATUS[live];
    const liveBadge = h("span", { class: `live ${className}`, role: "status" }, text);
    const action = bulkActionFor(ctx.route().state);
    if (!action) {
      replaceChildren(element, liveBadge);
      return;
    }
    const { verb } = ACTION_WORDS[action];
    const actOnSelected = h(
      "button",
      {
        type: "button",
        class: "button",
        disabled: busy || selected.size === 0,
        onclick: () => void actOnSelectedTasks(action),
      },
      selected.size ? `${verb} selected (${selected.size})` : `${verb} selected`,
    );
    const allButton = h(
      "button",
      { type: "button", class: "button danger-outline", disabled: busy, onclick: () => void actOnAll(action) },
      `${verb} all matching…`,
    );
    replaceChildren(element, h("div", { class: "toolbar-left" }, actOnSelected, allButton), liveBadge);
  }

  async function actOnSelectedTasks(action: BulkAction) {
    const words = ACTION_WORDS[action];
    const paths = [...selected];
    if (!paths.length) return;
    const ok = await confirmDialog({
      title: `${words.verb} ${paths.length} ${paths.length === 1 ? "task" : "tasks"}?`,
      tone: action === "cancel" ? "danger" : "primary",
      body: [h("p", {}, `Each task ${words.effect}, if it is still ${words.state}.`), pathList(paths)],
      confirmLabel: `${words.verb} ${paths.length}`,
      dismissLabel: words.dismiss,
    });
    if (!ok) return;
    busy = true;
    render();
    const outcomes = await actOnTasks(ctx.services.functions, action, paths);
    busy = false;
    for (const path of paths) selected.delete(path);
    render();
    reportOutcomes(action, summarize(outcomes));
    ctx.refreshCountsAfterAction();
  }

  function actOnAll(action: BulkAction) {
    return actOnAllMatchingTasks(ctx, action, {
      started() {
        busy = true;
        host.pause();
        live = "paused";
        render();
      },
      finished() {
        busy = false;
        host.resume();
      },
    });
  }

  return {
    element,
    render,
    /** Records the list's listener status; shown at the next `render`. */
    setLive(status: LiveStatus) {
      live = status;
    },
  };
}

function pathList(paths: string[], max = 5): HTMLElement {
  const shown = paths.slice(0, max);
  return h(
    "ul",
    { class: "path-list" },
    shown.map((path) => h("li", {}, taskPath(path))),
    paths.length > max ? h("li", { class: "muted" }, `and ${paths.length - max} more`) : null,
  );
}
