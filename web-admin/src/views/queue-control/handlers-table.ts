// The registered handlers: each one's limits as the engine enforces them, whether it is paused, and its switch.
// On a narrow screen the rows stack (styles.css, `table.stack`): each cell then shows its column's name.
import type { HandlerStatus, QueueStatus } from "../../contract";
import { h, type Child } from "../../dom";
import { breakable } from "../../task";
import { bySince, pauseButton, type PauseControls } from "./pause-control";

/** "5/s", "1 at a time", both, or "—" for a handler without limits. */
export function limitsLabel(handler: HandlerStatus): string {
  const limits = [
    handler.rateLimit ? `${handler.rateLimit.perSecond}/s` : "",
    handler.maxConcurrent !== undefined ? `${handler.maxConcurrent} at a time` : "",
  ].filter(Boolean);
  return limits.length ? limits.join(", ") : "—";
}

function stateCell(handler: HandlerStatus, status: QueueStatus, controls: PauseControls): Child {
  if (handler.paused)
    return h("span", { class: "pause-state paused" }, "Paused ", bySince(handler.paused, controls.user));
  // The handler's own switch is on, but nothing of it starts while the whole queue is paused.
  if (status.paused) return h("span", { class: "pause-state held" }, "Held (queue paused)");
  return h("span", { class: "pause-state running" }, "Running");
}

export function handlersTable(status: QueueStatus, controls: PauseControls): HTMLElement {
  const rows = status.handlers.map((handler) => {
    const name = `${handler.type}.${handler.action}`;
    return h(
      "tr",
      { "data-handler": name },
      h("th", { scope: "row", "data-label": "Handler" }, h("code", { class: "handler" }, breakable(name))),
      h("td", { "data-label": "Limits", class: "limits" }, limitsLabel(handler)),
      h("td", { "data-label": "State", class: "state-cell" }, stateCell(handler, status, controls)),
      h(
        "td",
        { class: "row-action" },
        pauseButton(controls, { type: handler.type, action: handler.action }, Boolean(handler.paused)),
      ),
    );
  });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "queue-table stack", "aria-labelledby": "handlers-title" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Handler"),
          h("th", { scope: "col" }, "Limits"),
          h("th", { scope: "col" }, "State"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Action")),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}
