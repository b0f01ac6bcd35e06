// The list of one state's tasks: live (`onSnapshot`), newest first, 50 a page with cursors in the URL. On the
// failed tab, rows can be selected and retried, and "Retry all matching" hands the whole filter to the server.
import { onSnapshot, type QuerySnapshot, type Unsubscribe } from "firebase/firestore";
import { errorMessage, retryAllMatching, retryTask, summarize, type ActionOutcome } from "../actions";
import { confirmDialog, h, notify, replaceChildren, type Child } from "../dom";
import { PAGE_SIZE, countTasks, cursorFrom, pageQuery } from "../queries";
import { describeFilter, hasFilter, type Route } from "../route";
import { attemptsLabel, breakable, handlerName, taskFrom, taskPath, timeAgo, type Task } from "../task";
import { routeLink, type AdminContext } from "./context";

/** The column that says what matters for tasks in this state. */
const WHEN: Record<string, { label: string; value: (task: Task) => Date | undefined }> = {
  scheduled: { label: "Runs", value: (task) => task.runAt },
  running: { label: "Started", value: (task) => task.startedAt },
  completed: { label: "Completed", value: (task) => task.completedAt },
  failed: { label: "Failed", value: (task) => task.failedAt },
  cancelled: { label: "Cancelled", value: (task) => task.cancelledAt },
};

function listKey(route: Route): string {
  const c = route.cursor;
  return JSON.stringify([route.state, route.filter, c ? [c.direction, c.seconds, c.nanoseconds, c.path] : null]);
}

export function createTaskList(ctx: AdminContext) {
  const toolbar = h("div", { class: "list-toolbar" });
  const body = h("div", { class: "list-body" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  const element = h("section", { class: "list-pane", "aria-label": "Tasks" }, toolbar, body, pager);

  let unsubscribe: Unsubscribe | undefined;
  let key = "";
  let tasks: Task[] = [];
  let live: "connecting" | "live" | "cached" | "error" | "paused" = "connecting";
  const selected = new Set<string>();
  let busy = false;

  function subscribe(route: Route) {
    unsubscribe?.();
    tasks = [];
    selected.clear();
    live = "connecting";
    replaceChildren(body, h("p", { class: "empty" }, "Loading…"));
    replaceChildren(pager);
    renderToolbar();
    const failed = (error: Error) => {
      live = "error";
      renderToolbar();
      replaceChildren(body, queryError(error));
    };
    let first = true;
    try {
      unsubscribe = onSnapshot(
        pageQuery(ctx.services.db, route),
        { includeMetadataChanges: true },
        (snapshot) => {
          onPage(route, snapshot, first);
          first = false;
        },
        failed,
      );
    } catch (error) {
      // An invalid query (a hand-edited cursor, say) throws before it is sent.
      failed(error as Error);
    }
  }

  function onPage(route: Route, snapshot: QuerySnapshot, first: boolean) {
    live = snapshot.metadata.fromCache ? "cached" : "live";
    const docs = snapshot.docs;
    const extra = docs.length > PAGE_SIZE;
    const newerPage = route.cursor?.direction === "before";
    if (newerPage && !extra && !snapshot.metadata.fromCache) {
      // Paged back to the newest tasks: show the first page itself, which also takes new tasks live.
      ctx.navigate({ ...route, cursor: undefined }, { replace: true });
      return;
    }
    const page = extra ? (newerPage ? docs.slice(1) : docs.slice(0, PAGE_SIZE)) : docs;
    tasks = page.map(taskFrom);
    for (const path of [...selected]) if (!tasks.some((task) => task.path === path)) selected.delete(path);
    render(route, { hasNewer: newerPage ? extra : Boolean(route.cursor), hasOlder: newerPage || extra });
    // The counts were taken with the first page; later changes mean tasks moved between states.
    if (!first && !snapshot.metadata.hasPendingWrites && snapshot.docChanges().length) ctx.refreshCounts();
  }

  function render(route: Route, paging: { hasNewer: boolean; hasOlder: boolean }) {
    renderToolbar();
    if (!tasks.length) {
      replaceChildren(body, emptyState(route));
    } else {
      replaceChildren(body, renderTable(route));
    }
    if (!tasks.length && !route.cursor) {
      replaceChildren(pager);
      return;
    }
    const first = tasks[0];
    const last = tasks[tasks.length - 1];
    const newer = paging.hasNewer && first ? cursorFrom("before", first.raw.createdAt, first.path) : undefined;
    const older = paging.hasOlder && last ? cursorFrom("after", last.raw.createdAt, last.path) : undefined;
    replaceChildren(
      pager,
      newer
        ? routeLink({ ...route, cursor: newer }, { class: "button", rel: "prev" }, "← Newer")
        : h("span", { class: "button disabled", "aria-disabled": "true" }, "← Newer"),
      h("span", { class: "muted" }, `${PAGE_SIZE} per page, newest first`),
      older
        ? routeLink({ ...route, cursor: older }, { class: "button", rel: "next" }, "Older →")
        : h("span", { class: "button disabled", "aria-disabled": "true" }, "Older →"),
    );
  }

  function renderTable(route: Route): HTMLElement {
    const failed = route.state === "failed";
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
        rerender(route);
      },
    });
    selectAll.indeterminate = !allSelected && tasks.some((task) => selected.has(task.path));
    const head = h(
      "tr",
      {},
      failed ? h("th", { class: "check" }, selectAll) : null,
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
        failed
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
                  rerender(route);
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

  function emptyState(route: Route): HTMLElement {
    const filtered = hasFilter(route.filter) ? ` matching ${describeFilter(route.filter)}` : "";
    const text = route.cursor ? "No more tasks on this page." : `No ${route.state} tasks${filtered}.`;
    return h("p", { class: "empty" }, text);
  }

  function rerender(route: Route) {
    renderToolbar();
    const table = body.querySelector(".table-wrap");
    if (table) table.replaceWith(renderTable(route));
  }

  function renderToolbar() {
    const route = ctx.route();
    const status = {
      connecting: ["Connecting…", "status-connecting"],
      live: ["Live", "status-live"],
      cached: ["Offline: showing cached data", "status-cached"],
      error: ["Not updating", "status-error"],
      paused: ["Paused during retry all", "status-cached"],
    }[live];
    const liveBadge = h("span", { class: `live ${status[1]}`, role: "status" }, status[0]);
    if (route.state !== "failed") {
      replaceChildren(toolbar, h("div", { class: "toolbar-left" }), liveBadge);
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
    replaceChildren(toolbar, h("div", { class: "toolbar-left" }, retrySelected, retryAllButton), liveBadge);
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
    renderToolbar();
    const { db } = ctx.services;
    const outcomes = await Promise.all(paths.map((path) => retryTask(db, ctx.user.uid, path)));
    busy = false;
    for (const path of paths) selected.delete(path);
    renderToolbar();
    reportRetries(summarize(outcomes));
    ctx.refreshCounts();
  }

  async function retryAll() {
    const route = ctx.route();
    const filter = { ...route.filter };
    let matching: number;
    try {
      matching = await countTasks(ctx.services.db, "failed", filter);
    } catch (error) {
      notify("error", `Could not count the matching tasks: ${errorMessage(error)}`);
      return;
    }
    if (matching === 0) {
      notify("info", `No failed tasks match ${describeFilter(filter)}.`);
      return;
    }
    const ok = await confirmDialog({
      title: `Retry all ${matching.toLocaleString("en")} failed tasks?`,
      tone: "danger",
      body: [
        h(
          "p",
          {},
          hasFilter(filter)
            ? ["Every failed task matching ", h("strong", {}, describeFilter(filter)), " is scheduled again."]
            : [h("strong", {}, "No filter is set:"), " every failed task in the project is scheduled again."],
        ),
        h("p", { class: "muted" }, "Tasks that change state before their write lands are skipped, not retried."),
      ],
      confirmLabel: `Retry all ${matching.toLocaleString("en")}`,
    });
    if (!ok) return;
    busy = true;
    // The list would churn through thousands of changes while the server retries; it resumes with the report.
    unsubscribe?.();
    unsubscribe = undefined;
    live = "paused";
    renderToolbar();
    const progress = notify("info", `Retrying ${matching.toLocaleString("en")} failed tasks…`);
    try {
      const total = await retryAllMatching(ctx.services.functions, filter, (sofar) => {
        const text = progress.querySelector(".notice-text");
        if (text) text.textContent = `Retrying… ${sofar.retried.toLocaleString("en")} retried so far.`;
      });
      progress.remove();
      const tone = total.errors ? "error" : "success";
      notify(
        tone,
        `Retry all: ${total.retried.toLocaleString("en")} retried, ${total.skipped.toLocaleString("en")} skipped` +
          (total.errors ? `, ${total.errors} failed to write (see the function logs).` : "."),
        `Filter: ${describeFilter(filter)}.${total.complete ? "" : " Stopped before the end: run it again."}`,
      );
    } catch (error) {
      progress.remove();
      notify("error", `Retry all failed: ${errorMessage(error)}`);
    } finally {
      busy = false;
      if (listKey(ctx.route()) === key) subscribe(ctx.route());
      ctx.refreshCounts();
    }
  }

  return {
    element,
    show(route: Route) {
      const next = listKey(route);
      if (next !== key) {
        key = next;
        subscribe(route);
        return;
      }
      for (const row of body.querySelectorAll<HTMLTableRowElement>("tr[data-path]")) {
        const open = row.dataset.path === route.task;
        row.classList.toggle("open", open);
        if (open) row.setAttribute("aria-selected", "true");
        else row.removeAttribute("aria-selected");
      }
      // Links in rows carry the open task; keep them pointing at the current route.
      if (tasks.length) rerender(route);
    },
    dispose() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}

export function pathList(paths: string[], max = 5): HTMLElement {
  const shown = paths.slice(0, max);
  return h(
    "ul",
    { class: "path-list" },
    shown.map((path) => h("li", {}, taskPath(path))),
    paths.length > max ? h("li", { class: "muted" }, `and ${paths.length - max} more`) : null,
  );
}

export function reportRetries(summary: ReturnType<typeof summarize>): void {
  const { done, skipped, failed } = summary;
  const details: Child[] = [];
  if (skipped.length) {
    details.push(
      h("p", {}, `Skipped (no longer failed): `),
      h(
        "ul",
        { class: "path-list" },
        skipped.map((o) => h("li", {}, taskPath(o.path), ` is ${(o as { state: string }).state}`)),
      ),
    );
  }
  if (failed.length) {
    details.push(
      h("p", {}, "Failed:"),
      h(
        "ul",
        { class: "path-list" },
        failed.map((o: ActionOutcome) => h("li", {}, taskPath(o.path), `: ${(o as { error: string }).error}`)),
      ),
    );
  }
  const message =
    `Retried ${done.length} ${done.length === 1 ? "task" : "tasks"}` +
    (skipped.length ? `, ${skipped.length} skipped` : "") +
    (failed.length ? `, ${failed.length} failed` : "") +
    ".";
  notify(failed.length ? "error" : skipped.length ? "info" : "success", message, details.length ? details : undefined);
}

function queryError(error: Error): HTMLElement {
  const message = error.message ?? String(error);
  const url = /https:\/\/console\.firebase\.google\.com\/\S+/.exec(message)?.[0];
  return h(
    "div",
    { class: "query-error", role: "alert" },
    h("strong", {}, "The list could not be loaded. "),
    h("span", {}, message.replace(url ?? "\u0000", "")),
    url ? h("p", {}, h("a", { href: url, target: "_blank", rel: "noopener" }, "Create the missing index")) : null,
  );
}
