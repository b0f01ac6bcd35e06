// One task, live: what failed and why first (error code, message, stack), then what it is (handler, data,
// timestamps, attempts, progress), and the parent document's timeline: every task of that parent in time order,
// which is usually the fastest way to see what happened to an order.
import { doc, getDoc, onSnapshot, type Unsubscribe } from "firebase/firestore";
import { cancelTask, errorMessage, retryTask, runTaskNow, summarize } from "../actions";
import { confirmDialog, h, notify, replaceChildren, type Child } from "../dom";
import { clockTime, duration, prettyJson } from "../format";
import { TIMELINE_LIMIT, timelineQuery } from "../queries";
import type { Route } from "../route";
import {
  attemptsLabel,
  handlerName,
  isDelayed,
  stateBadge,
  taskFrom,
  taskPath,
  timeAgo,
  type Attempt,
  type Task,
} from "../task";
import { routeLink, type AdminContext } from "./context";
import { reportRetries } from "../widgets/retry-report";

/** `{collection}/{parentId}/tasks/{taskId}` (and deeper parents): what may be opened from a URL. */
function isTaskPath(path: string): boolean {
  const segments = path.split("/");
  return segments.length >= 4 && segments.length % 2 === 0 && segments.at(-2) === "tasks" && !segments.includes("");
}

function when(date: Date | undefined): Child {
  if (!date) return h("span", { class: "muted" }, "—");
  return [h("span", { class: "clock" }, clockTime(date)), " ", h("span", { class: "muted" }, "(", timeAgo(date), ")")];
}

function fact(label: string, value: Child): Child {
  return [h("dt", {}, label), h("dd", {}, value)];
}

function who(uid: string | undefined, me: string): Child {
  if (!uid) return null;
  return uid === me ? [h("code", {}, uid), " (you)"] : h("code", {}, uid);
}

export function createTaskDetail(ctx: AdminContext) {
  const element = h("aside", { class: "detail-pane", "aria-label": "Task detail", tabindex: "-1" });
  const main = h("div", { class: "detail-main" });
  const parentSection = h("section", { class: "detail-section parent" });
  element.append(main, parentSection);

  let path: string | undefined;
  let parentPath: string | undefined;
  let stopTask: Unsubscribe | undefined;
  let stopTimeline: Unsubscribe | undefined;
  let task: Task | undefined;
  let timeline: Task[] = [];
  let parentData: { state: "loading" | "ok" | "missing" | "denied"; data?: unknown } = { state: "loading" };
  let busy = false;

  function close() {
    const route = ctx.route();
    ctx.navigate({ ...route, task: undefined });
  }

  function stop() {
    stopTask?.();
    stopTimeline?.();
    stopTask = stopTimeline = undefined;
  }

  function open(nextPath: string) {
    stopTask?.();
    task = undefined;
    path = nextPath;
    replaceChildren(main, header(undefined), h("p", { class: "empty" }, "Loading…"));
    if (!isTaskPath(nextPath)) {
      replaceChildren(main, header(undefined), h("p", { class: "query-error" }, `Not a task path: ${nextPath}`));
      replaceChildren(parentSection);
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
    const parent = nextPath.split("/").slice(0, -2).join("/");
    if (parent !== parentPath) openParent(parent);
    else renderParent();
  }

  function openParent(nextParent: string) {
    stopTimeline?.();
    parentPath = nextParent;
    timeline = [];
    parentData = { state: "loading" };
    renderParent();
    stopTimeline = onSnapshot(
      timelineQuery(ctx.services.db, nextParent),
      (snapshot) => {
        timeline = snapshot.docs.map(taskFrom);
        renderParent();
      },
      (error) => {
        replaceChildren(parentSection, h("h3", {}, "Parent"), h("p", { class: "query-error" }, error.message));
      },
    );
    // The parent gives context (whose order, what amount); the rules decide whether admins may read it.
    getDoc(doc(ctx.services.db, nextParent)).then(
      (snapshot) => {
        if (parentPath !== nextParent) return;
        parentData = snapshot.exists() ? { state: "ok", data: snapshot.data() } : { state: "missing" };
        renderParent();
      },
      () => {
        if (parentPath !== nextParent) return;
        parentData = { state: "denied" };
        renderParent();
      },
    );
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

  function renderMain() {
    if (!task) return;
    const t = task;
    const me = ctx.user.uid;
    const sections: Child[] = [
      header(t),
      h(
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
      ),
      actions(t),
    ];
    if (t.error) {
      const current = t.state === "failed";
      sections.push(
        h(
          "section",
          { class: `error-box${current ? "" : " past"}`, "aria-label": current ? "Error" : "Last error" },
          h(
            "div",
            { class: "error-head" },
            h("strong", {}, current ? "Error" : "Last error"),
            h("code", { class: "error-code" }, t.error.code),
            t.error.attempt !== undefined ? h("span", { class: "muted" }, `attempt ${t.error.attempt}`) : null,
            t.error.at ? h("span", { class: "muted" }, clockTime(t.error.at)) : null,
          ),
          h("p", { class: "error-text" }, t.error.message || "(no message)"),
          t.error.stack
            ? h("pre", { class: "stack", "aria-label": "Stack trace", tabindex: "0" }, t.error.stack)
            : h("p", { class: "muted" }, "No stack trace recorded."),
        ),
      );
    }
    if (t.state === "running" || (t.progress !== undefined && t.progress < 100)) {
      const value = t.progress ?? 0;
      sections.push(
        h(
          "div",
          { class: "progress-row" },
          h("progress", { max: "100", value: String(value), "aria-label": "Progress" }),
          h("span", {}, `${value}%`),
        ),
      );
    }
    sections.push(
      h(
        "section",
        { class: "detail-section" },
        h("h3", {}, "Details"),
        h(
          "dl",
          { class: "facts" },
          fact("State", stateBadge(t.state)),
          fact("Attempts", attemptsLabel(t)),
          fact("Created", when(t.createdAt)),
          t.createdBy ? fact("Created by", h("code", {}, t.createdBy)) : null,
          t.runAt ? fact(isDelayed(t) ? "Runs at" : "Run at", when(t.runAt)) : null,
          t.startedAt ? fact("Started", when(t.startedAt)) : null,
          t.completedAt ? fact("Completed", when(t.completedAt)) : null,
          t.failedAt ? fact("Failed", when(t.failedAt)) : null,
          t.retriedAt || t.retriedBy ? fact("Retried", [when(t.retriedAt), " by ", who(t.retriedBy, me)]) : null,
          t.cancelledAt || t.cancelledBy
            ? fact("Cancelled", [when(t.cancelledAt), " by ", who(t.cancelledBy, me)])
            : null,
          t.updatedAt ? fact("Updated", when(t.updatedAt)) : null,
          t.lease
            ? fact("Lease", [
                h("code", {}, t.lease.owner.slice(0, 8)),
                t.lease.expiresAt ? [" until ", clockTime(t.lease.expiresAt)] : null,
              ])
            : null,
        ),
      ),
      h(
        "section",
        { class: "detail-section" },
        h("h3", {}, "Data"),
        h("pre", { class: "json", tabindex: "0", "aria-label": "Task data" }, prettyJson(t.raw.data ?? {})),
      ),
      t.raw.result !== undefined
        ? h(
            "section",
            { class: "detail-section" },
            h("h3", {}, "Result"),
            h("pre", { class: "json", tabindex: "0" }, prettyJson(t.raw.result)),
          )
        : null,
      h("section", { class: "detail-section" }, h("h3", {}, "Attempts"), attemptsTable(t.history)),
    );
    replaceChildren(main, sections);
    renderParent();
  }

  function attemptsTable(history: Attempt[]): Child {
    if (!history.length) return h("p", { class: "muted" }, "No attempt has finished yet.");
    return h(
      "table",
      { class: "history" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { class: "num" }, "#"),
          h("th", {}, "Started"),
          h("th", {}, "Took"),
          h("th", {}, "Outcome"),
        ),
      ),
      h(
        "tbody",
        {},
        [...history]
          .reverse()
          .map((entry) =>
            h(
              "tr",
              {},
              h("td", { class: "num" }, entry.attempt ?? "?"),
              h("td", {}, entry.startedAt ? clockTime(entry.startedAt) : "—"),
              h(
                "td",
                {},
                entry.startedAt && entry.endedAt ? duration(entry.endedAt.getTime() - entry.startedAt.getTime()) : "—",
              ),
              h(
                "td",
                {},
                h("span", { class: `outcome outcome-${entry.outcome}` }, entry.outcome),
                entry.error ? [" ", h("code", {}, entry.error.code), " ", entry.error.message] : null,
              ),
            ),
          ),
      ),
    );
  }

  function actions(t: Task): HTMLElement {
    const buttons: Child[] = [];
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
  }

  function button(label: string, tone: string, run: () => Promise<void>): HTMLElement {
    return h(
      "button",
      {
        type: "button",
        class: `button ${tone}`,
        disabled: busy,
        onclick: async () => {
          busy = true;
          renderMain();
          try {
            await run();
          } finally {
            busy = false;
            renderMain();
            ctx.refreshCounts();
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
    if (ok) reportRetries(summarize([await retryTask(ctx.services.db, ctx.user.uid, t.path)]));
  }

  async function cancel(t: Task) {
    const ok = await confirmDialog({
      title: "Cancel this task?",
      body: [h("p", {}, taskPath(t.path)), h("p", {}, `${handlerName(t)} will not run. This cannot be undone.`)],
      confirmLabel: "Cancel task",
      tone: "danger",
    });
    if (!ok) return;
    const outcome = await cancelTask(ctx.services.db, ctx.user.uid, t.path);
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

  function renderParent() {
    if (!parentPath) return;
    const route = ctx.route();
    const collectionId = parentPath.split("/")[0];
    const context =
      parentData.state === "ok"
        ? h(
            "details",
            {},
            h("summary", {}, "Parent document"),
            h("pre", { class: "json", tabindex: "0" }, prettyJson(parentData.data)),
          )
        : parentData.state === "missing"
          ? h("p", { class: "muted" }, "The parent document does not exist (its tasks still do).")
          : parentData.state === "denied"
            ? h("p", { class: "muted" }, "The security rules do not let admins read this parent document.")
            : null;
    const items = timeline.map((entry) => {
      const current = entry.path === path;
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
    });
    replaceChildren(
      parentSection,
      h(
        "div",
        { class: "parent-head" },
        h("h3", {}, "Parent"),
        routeLink(
          { state: route.state, filter: { collection: collectionId }, task: route.task },
          { class: "muted small", title: `Filter the list to the ${collectionId} collection` },
          `all ${collectionId}`,
        ),
      ),
      h("p", { class: "parent-path" }, h("code", {}, parentPath)),
      context,
      h("h4", {}, `Timeline (${timeline.length}${timeline.length === TIMELINE_LIMIT ? "+" : ""} tasks, oldest first)`),
      timeline.length
        ? h("ol", { class: "timeline", "aria-label": "Parent timeline" }, items)
        : h("p", { class: "muted" }, "Loading…"),
    );
  }

  return {
    element,
    show(route: Route) {
      if (route.task === path) {
        if (task) renderParent();
        return;
      }
      if (!route.task) {
        stop();
        path = parentPath = undefined;
        task = undefined;
        element.hidden = true;
        return;
      }
      element.hidden = false;
      open(route.task);
    },
    dispose: stop,
  };
}
