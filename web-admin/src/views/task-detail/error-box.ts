// The error box: why the task failed (or, once retried, why it last failed): code, message and stack trace.
import { h } from "../../dom";
import { clockTime } from "../../format";
import type { Task } from "../../task";

export function errorBox(t: Task): HTMLElement | null {
  if (!t.error) return null;
  const current = t.state === "failed";
  return h(
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
  );
}
