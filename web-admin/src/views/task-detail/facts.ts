// What the task is: its progress while it runs, the facts (state, attempts, who did what when, the lease), its data
// and its result.
import { h, type Child } from "../../dom";
import { clockTime, prettyJson } from "../../format";
import { attemptsLabel, isDelayed, stateBadge, timeAgo, type Task } from "../../task";

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

/**
 * Why a cancelled task never ran, when the engine cancelled it: a debounced task names the later task of its key
 * that runs instead (`linkTo` opens it here).
 */
function cancelReason(t: Task, linkTo: (path: string) => Child): Child {
  if (t.raw.cancelReason !== "debounced") return null;
  const by = typeof t.raw.supersededBy === "string" ? t.raw.supersededBy : undefined;
  return fact("Why", ["debounced", by ? [": ", linkTo(by), " runs instead"] : null]);
}

/** A fan-out's child names its group; a continuation, how its group's children ended. */
function fanOutFacts(t: Task): Child {
  const fanIn = t.raw.fanIn as Record<string, unknown> | undefined;
  if (fanIn && typeof fanIn === "object") {
    const n = (key: string) => (typeof fanIn[key] === "number" ? fanIn[key] : "?");
    return fact(
      "Fan-in",
      `${n("completed")} completed, ${n("failed")} failed, ${n("cancelled")} cancelled of ${n("total")}`,
    );
  }
  return typeof t.raw.group === "string" ? fact("Fan-out group", h("code", {}, t.raw.group)) : null;
}

/**
 * The sections about `t`, for the signed-in admin `me` (their own actions say "(you)"); `linkTo` makes a link that
 * opens another task in this panel.
 */
export function factSections(t: Task, me: string, linkTo: (path: string) => Child): Child[] {
  return [
    progressRow(t),
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
        typeof t.raw.dedupKey === "string" ? fact("Dedup key", h("code", {}, t.raw.dedupKey)) : null,
        fanOutFacts(t),
        t.runAt ? fact(isDelayed(t) ? "Runs at" : "Run at", when(t.runAt)) : null,
        t.startedAt ? fact("Started", when(t.startedAt)) : null,
        t.completedAt ? fact("Completed", when(t.completedAt)) : null,
        t.failedAt ? fact("Failed", when(t.failedAt)) : null,
        t.retriedAt || t.retriedBy ? fact("Retried", [when(t.retriedAt), " by ", who(t.retriedBy, me)]) : null,
        t.cancelledAt || t.cancelledBy
          ? fact("Cancelled", [when(t.cancelledAt), t.cancelledBy ? [" by ", who(t.cancelledBy, me)] : null])
          : null,
        cancelReason(t, linkTo),
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
  ];
}

/** A progress bar while the task runs, or while it reports progress below 100 %. */
function progressRow(t: Task): Child {
  if (!(t.state === "running" || (t.progress !== undefined && t.progress < 100))) return null;
  const value = t.progress ?? 0;
  return h(
    "div",
    { class: "progress-row" },
    h("progress", { max: "100", value: String(value), "aria-label": "Progress" }),
    h("span", {}, `${value}%`),
  );
}
