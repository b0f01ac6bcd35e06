// The signed-in admin's page: top bar with the views (tasks, queue control), state tabs with counts, filters, the
// task list and the task detail, all driven by the URL. Back/forward, reload and shared links land on the same view.
import { signOut } from "firebase/auth";
import type { User } from "firebase/auth";
import { h } from "../dom";
import type { Services } from "../firebase";
import { TASK_STATES } from "../contract";
import { METRICS_ROUTE, QUEUE_ROUTE, parseRoute, routeToSearch, type Route } from "../route";
import { refreshRelativeTimes } from "../task";
import { routeLink, type AdminContext } from "./context";
import { createFilters } from "./filters";
import { createSearchBox } from "./search-box";
import { createQueueControl } from "./queue-control";
import { createMetricsView } from "./metrics";
import { createStateTabs } from "./state-tabs";
import { createTaskDetail } from "./task-detail";
import { createTaskList } from "./task-list";

/** Long enough for a retried task to run on an idle queue; the 30 s refresh covers a busy one. */
const COUNT_AGAIN_AFTER_ACTION_MS = 3000;

export function mountAdmin(root: HTMLElement, services: Services, user: User): () => void {
  let route = parseRoute(location.search);

  const ctx: AdminContext = {
    services,
    user,
    route: () => route,
    navigate(next, options = {}) {
      const search = routeToSearch(next);
      if (search !== location.search) {
        if (options.replace) history.replaceState(null, "", search);
        else history.pushState(null, "", search);
      }
      apply(next);
    },
    refreshCounts: () => tabs.refresh(),
    refreshCountsAfterAction: () => {
      tabs.refreshSoon();
      // A retried or run-now task runs moments later, usually out of the open list's sight: count once more then.
      setTimeout(() => disposed || tabs.refreshSoon(), COUNT_AGAIN_AFTER_ACTION_MS);
    },
  };

  const tabs = createStateTabs(ctx);
  const searchBox = createSearchBox(ctx);
  const filters = createFilters(ctx);
  const list = createTaskList(ctx);
  const detail = createTaskDetail(ctx);
  const queueControl = createQueueControl(ctx);
  const metrics = createMetricsView(ctx);
  /** Returns to the list as it was left (its href follows the list's route), or the default list. */
  const tasksLink = routeLink(route.view ? parseRoute("") : route, { class: "view-link" }, "Tasks");
  const queueLink = routeLink(QUEUE_ROUTE, { class: "view-link" }, "Queue");
  const metricsLink = routeLink(METRICS_ROUTE, { class: "view-link" }, "Metrics");

  const topbar = h(
    "header",
    { class: "topbar" },
    h(
      "div",
      { class: "topbar-left" },
      h("span", { class: "brand-mark small", "aria-hidden": "true" }),
      h("span", { class: "brand" }, "Task queue"),
      h("nav", { class: "views", "aria-label": "Views" }, tasksLink, queueLink, metricsLink),
      h("span", { class: "project", title: "Firebase project" }, services.projectId),
      services.emulators
        ? h("span", { class: "env-badge", title: "Connected to the Emulator Suite" }, "Emulator")
        : null,
    ),
    h(
      "div",
      { class: "topbar-right" },
      h("span", { class: "user", title: user.uid }, user.email ?? user.uid),
      h(
        "button",
        {
          type: "button",
          class: "button small on-dark",
          onclick: () => {
            // Listeners stop first: once signed out, they would only get permission errors.
            dispose();
            void signOut(services.auth);
          },
        },
        "Sign out",
      ),
    ),
  );
  const workspace = h("div", { class: "workspace" }, list.element, detail.element);
  const taskView = h("div", { class: "task-view" }, tabs.element, searchBox.element, filters.element, workspace);
  const main = h(
    "main",
    { id: "content", class: "content", tabindex: "-1" },
    h("div", { id: "notices", class: "notices" }),
    taskView,
    queueControl.element,
    metrics.element,
  );
  // The first stop of the Tab key, shown only when focused: past the top bar's links and buttons to the view.
  // Focus moves by script, so the URL (the route) does not get a #fragment.
  const skipLink = h(
    "a",
    {
      class: "skip-link",
      href: "#content",
      onclick: (event: MouseEvent) => {
        event.preventDefault();
        main.focus();
      },
    },
    "Skip to content",
  );
  const page = h("div", { class: "admin" }, skipLink, topbar, main);
  root.replaceChildren(page);

  function apply(next: Route) {
    const wasOtherView = route.view !== undefined;
    const previousTask = route.task;
    route = next;
    const queue = next.view === "queue";
    for (const [link, current] of [
      [tasksLink, !next.view],
      [queueLink, queue],
      [metricsLink, next.view === "metrics"],
    ] as const) {
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    taskView.hidden = next.view !== undefined;
    if (next.view === "metrics") {
      list.hide();
      queueControl.hide();
      metrics.show(next);
      return;
    }
    metrics.hide();
    if (queue) {
      document.title = "Queue control · Task queue admin";
      list.hide();
      detail.show(next);
      queueControl.show();
      return;
    }
    queueControl.hide();
    tasksLink.setAttribute("href", routeToSearch(next));
    // The counts were not kept up to date while another view was open.
    if (wasOtherView) tabs.refresh();
    document.title = `${next.state[0].toUpperCase()}${next.state.slice(1)} tasks · Task queue admin`;
    // A task opened from the list, the search or a timeline takes the focus, so keyboard users go on in the detail
    // (the list redraws its rows, which would drop the focus on the page's body).
    const opening = Boolean(next.task) && next.task !== previousTask;
    const focusTheDetail = opening && Boolean(document.activeElement?.closest(".list-pane, .search, .timeline"));
    tabs.show(next);
    filters.show(next);
    list.show(next);
    detail.show(next);
    if (focusTheDetail) detail.focus();
    workspace.classList.toggle("with-detail", Boolean(next.task));
  }

  // Links marked data-nav change the view in place; modified clicks (new tab, new window) keep browser behaviour.
  const onClick = (event: MouseEvent) => {
    const link = (event.target as Element).closest?.("a[data-nav]") as HTMLAnchorElement | null;
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    ctx.navigate(parseRoute(link.search));
  };
  const onPopState = () => apply(parseRoute(location.search));
  const onKey = (event: KeyboardEvent) => {
    const typing = (event.target as Element).closest?.("input, textarea, select, [contenteditable]");
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "Escape" && route.task) {
      event.preventDefault();
      ctx.navigate({ ...route, task: undefined });
    } else if (event.key === "/" && !typing && !route.view) {
      event.preventDefault();
      searchBox.focus();
    } else if (!typing && /^[1-5]$/.test(event.key) && !event.metaKey && !event.ctrlKey && !event.altKey) {
      ctx.navigate({ state: TASK_STATES[Number(event.key) - 1], filter: route.filter });
    }
  };
  const ticker = setInterval(() => refreshRelativeTimes(page), 15_000);
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  window.addEventListener("popstate", onPopState);
  history.replaceState(null, "", routeToSearch(route));
  apply(route);

  let disposed = false;
  function dispose() {
    if (disposed) return;
    disposed = true;
    clearInterval(ticker);
    document.removeEventListener("click", onClick);
    document.removeEventListener("keydown", onKey);
    window.removeEventListener("popstate", onPopState);
    tabs.dispose();
    queueControl.hide();
    list.dispose();
    detail.dispose();
  }
  return dispose;
}
