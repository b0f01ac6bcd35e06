// The list's toolbar: whether the list is live, and on the failed tab the bulk actions on the selection and the
// filters: retry the selected rows (client transactions), or retry all matching (retry-all.ts).
import { retryTasks, summarize } from "../../actions";
import { confirmDialog, h, replaceChildren } from "../../dom";
import { taskPath } from "../../task";
import { reportRetries } from "../../widgets/retry-report";
import type { AdminContext } from "../context";
import { retryAllMatchingTasks } from "./retry-all";

export type LiveStatus = "connecting" | "live" | "cached" | "error" | "paused";

const STATUS: Record<LiveStatus, [text: string, className: string]> = {
  connecting: ["Connecting…", "status-connecting"],
  live: ["Live", "status-live"],
  cached: ["Offline: showing cached data", "status-cached"],
  error: ["Not updating", "status-error"],
  paused: ["Paused during retry all", "status-cached"],
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
    if (ctx.route().state !== "failed") {
      replaceChildren(element, h("div", { class: "toolbar-left" }), liveBadge);
      return;
    }
    const retrySelected = h(
      "button",
      {
        type: "button",
        class: "button",
        disabled: busy || selected.size === 0,
        onclick: () => void retrySelectedTasks(),
      },
      selected.size ? `Retry selected (${selected.size})` : "Retry selected",
    );
    const retryAllButton = h(
      "button",
      { type: "button", class: "button danger-outline", disabled: busy, onclick: () => void retryAll() },
      "Retry all matching…",
    );
    replaceChildren(element, h("div", { class: "toolbar-left" }, retrySelected, retryAllButton), liveBadge);
  }

  async function retrySelectedTasks() {
    const paths = [...selected];
    if (!paths.length) return;
    const ok = await confirmDialog({
      title: `Retry ${paths.length} ${paths.length === 1 ? "task" : "tasks"}?`,
      body: [
        h("p", {}, "Each task is scheduled again and runs with a fresh round of attempts, if it is still failed."),
        pathList(paths),
      ],
      confirmLabel: `Retry ${paths.length}`,
    });
    if (!ok) return;
    busy = true;
    render();
    const outcomes = await retryTasks(ctx.services.functions, paths);
    busy = false;
    for (const path of paths) selected.delete(path);
    render();
    reportRetries(summarize(outcomes));
    ctx.refreshCountsAfterAction();
  }

  function retryAll() {
    return retryAllMatchingTasks(ctx, {
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
