// The attempts table: each finished attempt of the task (the engine keeps the last few in `history`), newest first,
// with when it started, how long it took and how it ended.
import { h } from "../../dom";
import { clockTime, duration } from "../../format";
import type { Attempt } from "../../task";

export function attemptsSection(history: Attempt[]): HTMLElement {
  return h("section", { class: "detail-section" }, h("h3", {}, "Attempts"), attemptsTable(history));
}

function attemptsTable(history: Attempt[]): HTMLElement {
  if (!history.length) return h("p", { class: "muted" }, "No attempt has finished yet.");
  return h(
    "table",
    { class: "history" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", { class: "num" }, "#"), h("th", {}, "Started"), h("th", {}, "Took"), h("th", {}, "Outcome")),
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
