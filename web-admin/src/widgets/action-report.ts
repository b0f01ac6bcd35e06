// The notice after retrying or cancelling tasks one by one (from the list's selection or the detail's buttons): how
// many were changed, and which were skipped (no longer in the state acted on) or failed to write, with their paths.
import type { ActionOutcome, BulkAction, Summary } from "../actions";
import { h, notify, type Child } from "../dom";
import { taskPath } from "../task";
import { ACTION_WORDS } from "./action-words";

export function reportOutcomes(action: BulkAction, summary: Summary): void {
  const words = ACTION_WORDS[action];
  const { done, skipped, failed } = summary;
  const details: Child[] = [];
  if (skipped.length) {
    details.push(
      h("p", {}, `Skipped (${words.skippedBecause}): `),
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
    `${words.done[0].toUpperCase()}${words.done.slice(1)} ${done.length} ${done.length === 1 ? "task" : "tasks"}` +
    (skipped.length ? `, ${skipped.length} skipped` : "") +
    (failed.length ? `, ${failed.length} failed` : "") +
    ".";
  notify(failed.length ? "error" : skipped.length ? "info" : "success", message, details.length ? details : undefined);
}
