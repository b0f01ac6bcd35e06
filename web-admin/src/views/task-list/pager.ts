// Paging: "Newer" and "Older" links whose cursors (the `createdAt` and path of the first or last row) go in the URL.
import { h, type Child } from "../../dom";
import { PAGE_SIZE, cursorFrom } from "../../queries";
import type { Route } from "../../route";
import type { Task } from "../../task";
import { routeLink } from "../context";

export interface Paging {
  hasNewer: boolean;
  hasOlder: boolean;
}

/** The pager's content for the page `tasks` of `route`; nothing when there is nothing to page through. */
export function pagerLinks(route: Route, tasks: Task[], paging: Paging): Child[] {
  if (!tasks.length && !route.cursor) return [];
  const first = tasks[0];
  const last = tasks[tasks.length - 1];
  const newer = paging.hasNewer && first ? cursorFrom("before", first.raw.createdAt, first.path) : undefined;
  const older = paging.hasOlder && last ? cursorFrom("after", last.raw.createdAt, last.path) : undefined;
  return [
    newer
      ? routeLink({ ...route, cursor: newer }, { class: "button", rel: "prev" }, "← Newer")
      : h("span", { class: "button disabled", "aria-disabled": "true" }, "← Newer"),
    h("span", { class: "muted" }, `${PAGE_SIZE} per page, newest first`),
    older
      ? routeLink({ ...route, cursor: older }, { class: "button", rel: "next" }, "Older →")
      : h("span", { class: "button disabled", "aria-disabled": "true" }, "Older →"),
  ];
}
