// The whole queue's switch: a warning banner while the queue is paused (who, since when, Resume), otherwise a quiet
// line with "Pause the whole queue", kept visible because it is the brake an operator reaches for in an incident.
import type { QueueStatus } from "../../contract";
import { h } from "../../dom";
import { bySince, pauseButton, type PauseControls } from "./pause-control";

const QUEUE = { queue: true } as const;

export function queueBanner(status: QueueStatus, controls: PauseControls): HTMLElement {
  if (status.paused) {
    return h(
      "div",
      { class: "queue-banner paused", "data-queue-state": "paused" },
      h(
        "p",
        {},
        h("strong", { class: "queue-banner-title" }, "Queue paused"),
        " ",
        bySince(status.paused, controls.user),
      ),
      pauseButton(controls, QUEUE, true, { label: "Resume the whole queue" }),
    );
  }
  return h(
    "div",
    { class: "queue-banner", "data-queue-state": "running" },
    h("p", {}, h("strong", { class: "queue-banner-title" }, "Queue running:"), " tasks start as they come due."),
    pauseButton(controls, QUEUE, false, { label: "Pause the whole queue", tone: "danger-outline" }),
  );
}
