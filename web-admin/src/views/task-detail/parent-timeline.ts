// The parent document's timeline: every task of that parent (an order, say) in time order, live, with the parent
// document itself when the rules let admins read it. Usually the fastest way to see what happened to an order.
import { doc, getDoc, onSnapshot, type Unsubscribe } from "firebase/firestore";
import { isQueueParentPath } from "../../contract";
import { h, replaceChildren } from "../../dom";
import { clockTime, prettyJson } from "../../format";
import { TIMELINE_LIMIT, timelineQuery } from "../../queries";
import type { Route } from "../../route";
import { handlerName, stateBadge, taskFrom, type Task } from "../../task";
import { routeLink, type AdminContext } from "../context";

type ParentData = { state: "loading" | "ok" | "missing" | "denied"; data?: unknown };

/** `currentTask` is the path of the task the detail shows: its entry is marked. */
export function createParentTimeline(ctx: AdminContext, currentTask: () => string | undefined) {
  const element = h("section", { class: "detail-section parent" });
  let parentPath: string | undefined;
  let stopTimeline: Unsubscribe | undefined;
  let timeline: Task[] = [];
  let parentData: ParentData = { state: "loading" };

  function open(nextParent: string) {
    stopTimeline?.();
    parentPath = nextParent;
    timeline = [];
    parentData = { state: "loading" };
    render();
    stopTimeline = onSnapshot(
      timelineQuery(ctx.services.db, nextParent),
      (snapshot) => {
        timeline = snapshot.docs.map(taskFrom);
        render();
      },
      (error) => {
        replaceChildren(element, h("h3", {}, "Parent"), h("p", { class: "query-error" }, error.message));
      },
    );
    // The parent gives context (whose order, what amount); the rules decide whether admins may read it.
    getDoc(doc(ctx.services.db, nextParent)).then(
      (snapshot) => {
        if (parentPath !== nextParent) return;
        parentData = snapshot.exists() ? { state: "ok", data: snapshot.data() } : { state: "missing" };
        render();
      },
      () => {
        if (parentPath !== nextParent) return;
        parentData = { state: "denied" };
        render();
      },
    );
  }

  function render() {
    if (!parentPath) return;
    const route = ctx.route();
    const collectionId = parentPath.split("/")[0];
    replaceChildren(
      element,
      h(
        "div",
        { class: "parent-head" },
        h("h3", {}, "Parent"),
        h(
          "span",
          { class: "parent-links" },
          isQueueParentPath(parentPath)
            ? routeLink(
                { state: route.state, filter: { parent: parentPath }, task: route.task },
                { class: "muted small", title: "Filter the list to the tasks of this parent" },
                "its tasks",
              )
            : null,
          routeLink(
            { state: route.state, filter: { collection: collectionId }, task: route.task },
            { class: "muted small", title: `Filter the list to the ${collectionId} collection` },
            `all ${collectionId}`,
          ),
        ),
      ),
      h("p", { class: "parent-path" }, h("code", {}, parentPath)),
      parentContext(parentData),
      h("h4", {}, `Timeline (${timeline.length}${timeline.length === TIMELINE_LIMIT ? "+" : ""} tasks, oldest first)`),
      timeline.length
        ? h(
            "ol",
            { class: "timeline", "aria-label": "Parent timeline" },
            timeline.map((entry) => item(entry, route)),
          )
        : h("p", { class: "muted" }, "Loading…"),
    );
  }

  function item(entry: Task, route: Route): HTMLElement {
    const current = entry.path === currentTask();
    return h(
      "li",
      { class: `timeline-item${current ? " current" : ""}`, "data-path": entry.path },
      h("span", { class: `timeline-dot state-${entry.state}` }),
      h(
        "div",
        { class: "timeline-body" },
        h(
          "div",
          { class: "timeline-line" },
          routeLink(
            { ...route, task: entry.path },
            { "aria-current": current ? "true" : undefined },
            h("code", { class: "handler" }, handlerName(entry)),
          ),
          stateBadge(entry.state),
          h("span", { class: "muted" }, entry.createdAt ? clockTime(entry.createdAt) : "—"),
        ),
        entry.error && entry.state === "failed"
          ? h("div", { class: "timeline-error" }, h("code", {}, entry.error.code), " ", entry.error.message)
          : null,
      ),
    );
  }

  return {
    element,
    /** Shows the timeline of `nextParent`: a new listener for another parent, a redraw for the same one. */
    show(nextParent: string) {
      if (nextParent !== parentPath) open(nextParent);
      else render();
    },
    render,
    /** Empties the section (the detail shows no task), keeping the listener. */
    clear: () => replaceChildren(element),
    stop() {
      stopTimeline?.();
      stopTimeline = undefined;
      parentPath = undefined;
    },
  };
}

function parentContext(parent: ParentData): HTMLElement | null {
  if (parent.state === "ok") {
    return h(
      "details",
      {},
      h("summary", {}, "Parent document"),
      h("pre", { class: "json", tabindex: "0" }, prettyJson(parent.data)),
    );
  }
  if (parent.state === "missing")
    return h("p", { class: "muted" }, "The parent document does not exist (its tasks still do).");
  if (parent.state === "denied") {
    return h("p", { class: "muted" }, "The security rules do not let admins read this parent document.");
  }
  return null;
}
