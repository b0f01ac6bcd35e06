// The task detail panel: the task the URL's `task` names, live. This part owns the task's listener and composes, in
// order: the header and path, the action bar, the error box, the facts, the attempts table, the parent timeline.
import { doc, onSnapshot, type Unsubscribe } from "firebase/firestore";
import { TASKS_COLLECTION } from "../../contract";
import { h, notify, replaceChildren } from "../../dom";
import type { Route } from "../../route";
import { handlerName, stateBadge, taskFrom, taskPath, type Task } from "../../task";
import { routeLink, type AdminContext } from "../context";
import { createActionBar } from "./action-bar";
import { attemptsSection } from "./attempts";
import { errorBox } from "./error-box";
import { factSections } from "./facts";
import { createParentTimeline } from "./parent-timeline";

/**
 * A queue task (`{parent}/tasks/{taskId}`, the parent at depth 1 to MAX_PARENT_DEPTH), or one of a `tasks` collection
 * deeper down: what may be opened from a URL. The lists show those deeper tasks too (collection-group queries), so
 * the detail opens them as well, without actions.
 */
function isTaskPath(path: string): boolean {
  const segments = path.split("/");
  return (
    segments.length >= 4 && segments.length % 2 === 0 && segments.at(-2) === TASKS_COLLECTION && !segments.includes("")
  );
}

export function createTaskDetail(ctx: AdminContext) {
  const element = h("aside", { class: "detail-pane", "aria-label": "Task detail", tabindex: "-1" });
  element.hidden = true; // until a task is opened: an empty pane would show as a blank box under the list
  const main = h("div", { class: "detail-main" });
  const parent = createParentTimeline(ctx, () => path);
  const actionBar = createActionBar(ctx, renderMain);
  element.append(main, parent.element);

  let path: string | undefined;
  let stopTask: Unsubscribe | undefined;
  let task: Task | undefined;

  function close() {
    ctx.navigate({ ...ctx.route(), task: undefined });
  }

  function stop() {
    stopTask?.();
    stopTask = undefined;
    parent.stop();
  }

  function open(nextPath: string) {
    stopTask?.();
    task = undefined;
    path = nextPath;
    replaceChildren(main, header(undefined), h("p", { class: "empty" }, "Loading…"));
    if (!isTaskPath(nextPath)) {
      replaceChildren(main, header(undefined), h("p", { class: "query-error" }, `Not a task path: ${nextPath}`));
      parent.clear();
      return;
    }
    stopTask = onSnapshot(
      doc(ctx.services.db, nextPath),
      (snapshot) => {
        if (!snapshot.exists()) {
          task = undefined;
          replaceChildren(main, header(undefined), h("p", { class: "empty" }, `No task at ${nextPath}.`));
          return;
        }
        task = taskFrom(snapshot);
        renderMain();
      },
      (error) => replaceChildren(main, header(undefined), h("p", { class: "query-error" }, error.message)),
    );
    parent.show(nextPath.split("/").slice(0, -2).join("/"));
  }

  function header(current: Task | undefined): HTMLElement {
    return h(
      "header",
      { class: "detail-head" },
      h(
        "div",
        { class: "detail-title" },
        current ? stateBadge(current.state) : null,
        h("h2", {}, current ? handlerName(current) : "Task"),
      ),
      h("button", { type: "button", class: "icon-button", "aria-label": "Close task detail", onclick: close }, "×"),
    );
  }

  function pathRow(t: Task): HTMLElement {
    return h(
      "div",
      { class: "detail-path" },
      taskPath(t.path),
      h(
        "button",
        {
          type: "button",
          class: "button small subtle",
          onclick: () => void navigator.clipboard?.writeText(t.path).then(() => notify("info", "Path copied.")),
        },
        "Copy path",
      ),
    );
  }

  function renderMain() {
    if (!task) return;
    const t = task;
    replaceChildren(
      main,
      header(t),
      pathRow(t),
      actionBar(t),
      errorBox(t),
      factSections(t, ctx.user.uid, (other) => routeLink({ ...ctx.route(), task: other }, {}, h("code", {}, other))),
      attemptsSection(t.history),
    );
    parent.render();
  }

  return {
    element,
    show(route: Route) {
      if (route.task === path) {
        if (task) parent.render();
        return;
      }
      if (!route.task) {
        stop();
        path = undefined;
        task = undefined;
        element.hidden = true;
        return;
      }
      element.hidden = false;
      open(route.task);
    },
    focus() {
      element.focus();
    },
    dispose: stop,
  };
}
