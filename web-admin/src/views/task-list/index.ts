// The list of one state's tasks: live (`onSnapshot`), newest first, 50 a page with cursors in the URL. This part
// owns the listener and composes the toolbar (live status, retries), the table and the pager.
import { onSnapshot, type QuerySnapshot, type Unsubscribe } from "firebase/firestore";
import { h, replaceChildren } from "../../dom";
import { PAGE_SIZE, pageQuery } from "../../queries";
import { describeFilter, hasFilter, type Route } from "../../route";
import { taskFrom, type Task } from "../../task";
import type { AdminContext } from "../context";
import { pagerLinks, type Paging } from "./pager";
import { taskTable } from "./table";
import { createToolbar } from "./toolbar";

/** What the listener depends on: a change of tab, filter or page starts a new one. */
function listKey(route: Route): string {
  const c = route.cursor;
  return JSON.stringify([route.state, route.filter, c ? [c.direction, c.seconds, c.nanoseconds, c.path] : null]);
}

export function createTaskList(ctx: AdminContext) {
  const selected = new Set<string>();
  const toolbar = createToolbar({
    ctx,
    selected,
    pause: () => {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    resume: () => {
      if (listKey(ctx.route()) === key) subscribe(ctx.route());
    },
  });
  const body = h("div", { class: "list-body" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  const element = h("section", { class: "list-pane", "aria-label": "Tasks" }, toolbar.element, body, pager);

  let unsubscribe: Unsubscribe | undefined;
  let key = "";
  let tasks: Task[] = [];

  function subscribe(route: Route) {
    unsubscribe?.();
    tasks = [];
    selected.clear();
    toolbar.setLive("connecting");
    replaceChildren(body, h("p", { class: "empty" }, "Loading…"));
    replaceChildren(pager);
    toolbar.render();
    const failed = (error: Error) => {
      toolbar.setLive("error");
      toolbar.render();
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
    toolbar.setLive(snapshot.metadata.fromCache ? "cached" : "live");
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

  function render(route: Route, paging: Paging) {
    toolbar.render();
    replaceChildren(body, tasks.length ? table(route) : emptyState(route));
    replaceChildren(pager, pagerLinks(route, tasks, paging));
  }

  function table(route: Route): HTMLElement {
    return taskTable(route, tasks, selected, () => rerender(route));
  }

  /** After a selection or route change: the same rows, with their checkboxes and links up to date. */
  function rerender(route: Route) {
    toolbar.render();
    const current = body.querySelector(".table-wrap");
    if (current) current.replaceWith(table(route));
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
    /** Stops listening while another view is shown: a hidden live list would still read every change. */
    hide() {
      unsubscribe?.();
      unsubscribe = undefined;
      key = ""; // the next `show` listens again
    },
    dispose() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}

function emptyState(route: Route): HTMLElement {
  const filtered = hasFilter(route.filter) ? ` matching ${describeFilter(route.filter)}` : "";
  const text = route.cursor ? "No more tasks on this page." : `No ${route.state} tasks${filtered}.`;
  return h("p", { class: "empty" }, text);
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
