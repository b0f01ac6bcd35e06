// The notice after retrying tasks one by one (from the list's selection or the detail's Retry button): how many were
// retried, and which were skipped (no longer failed) or failed to write, with their paths.
import type { ActionOutcome, Summary } from "../actions";
import { h, notify, type Child } from "../dom";
import { taskPath } from "../task";

export function reportRetries(summary: Summary): void {
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
