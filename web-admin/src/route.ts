// The page's state lives in the URL, so a link shows a colleague exactly what you see: the state tab, the
// filters, the page (a cursor) and the open task. `?state=failed&type=demo&code=demo%2Ffailed&task=orders/o1/tasks/t1`
// The queue control view (handlers, schedules, pauses) is `?view=queue`.

import {
  ERROR_CODES,
  FILTER_KEYS,
  METRICS_RANGES,
  TASK_STATES,
  type MetricsRange,
  type TaskFilter,
  type TaskState,
} from "./contract";

/** How each of the engine's filters appears on the page: its URL parameter, its label and an example value. */
const FILTER_UI: Record<keyof TaskFilter, { param: string; label: string; placeholder: string }> = {
  collection: { param: "collection", label: "Collection", placeholder: "orders" },
  parent: { param: "parent", label: "Parent", placeholder: "orders/o-1" },
  type: { param: "type", label: "Type", placeholder: "order" },
  action: { param: "action", label: "Action", placeholder: "sendConfirmationEmail" },
  errorCode: { param: "code", label: "Error code", placeholder: ERROR_CODES.handlerError },
  createdBy: { param: "by", label: "Created by", placeholder: "uid" },
};

/** The filters in the engine's order (FILTER_KEYS), each with how the page shows it. */
export const FILTER_FIELDS = FILTER_KEYS.map((key) => ({ key, ...FILTER_UI[key] }));

/** A page boundary: the `createdAt` and path of the row the page starts after (older) or ends before (newer). */
export interface Cursor {
  direction: "after" | "before";
  seconds: number;
  nanoseconds: number;
  path: string;
}

export interface Route {
  /** The queue control or metrics view instead of the task list (and then nothing below applies but range, handler). */
  view?: "queue" | "metrics";
  /** The metrics view's range (default the last hour) and handler (`type/action`; default all). */
  range?: MetricsRange;
  handler?: string;
  state: TaskState;
  filter: TaskFilter;
  cursor?: Cursor;
  /** Path of the task shown in the detail panel. */
  task?: string;
}

export const DEFAULT_STATE: TaskState = "failed";

function parseCursor(direction: Cursor["direction"], value: string | null): Cursor | undefined {
  const match = value ? /^(\d+)\.(\d{1,9}),(.+)$/.exec(value) : null;
  if (!match) return undefined;
  return { direction, seconds: Number(match[1]), nanoseconds: Number(match[2]), path: match[3] };
}

export const QUEUE_ROUTE: Route = { view: "queue", state: DEFAULT_STATE, filter: {} };

export const METRICS_ROUTE: Route = { view: "metrics", state: DEFAULT_STATE, filter: {} };

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  if (params.get("view") === "queue") return { ...QUEUE_ROUTE, filter: {} };
  if (params.get("view") === "metrics") {
    const range = params.get("range");
    const handler = params.get("handler")?.trim() || undefined;
    return {
      ...METRICS_ROUTE,
      filter: {},
      ...((METRICS_RANGES as readonly string[]).includes(range ?? "") ? { range: range as MetricsRange } : {}),
      ...(handler ? { handler } : {}),
    };
  }
  const state = params.get("state");
  const filter: TaskFilter = {};
  for (const field of FILTER_FIELDS) {
    const value = params.get(field.param)?.trim();
    if (value) filter[field.key] = value;
  }
  const task = params.get("task")?.trim() || undefined;
  return {
    state: (TASK_STATES as readonly string[]).includes(state ?? "") ? (state as TaskState) : DEFAULT_STATE,
    filter,
    cursor: parseCursor("after", params.get("after")) ?? parseCursor("before", params.get("before")),
    task,
  };
}

export function routeToSearch(route: Route): string {
  if (route.view === "queue") return "?view=queue";
  if (route.view === "metrics") {
    const params = new URLSearchParams({ view: "metrics" });
    if (route.range) params.set("range", route.range);
    if (route.handler) params.set("handler", route.handler);
    return `?${params.toString().replace(/%2F/g, "/")}`;
  }
  const params = new URLSearchParams();
  params.set("state", route.state);
  for (const field of FILTER_FIELDS) {
    const value = route.filter[field.key];
    if (value) params.set(field.param, value);
  }
  if (route.cursor) {
    const { direction, seconds, nanoseconds, path } = route.cursor;
    params.set(direction, `${seconds}.${String(nanoseconds).padStart(9, "0")},${path}`);
  }
  if (route.task) params.set("task", route.task);
  // Keep `/` readable in paths and codes: it is legal in a query string.
  return `?${params.toString().replace(/%2F/g, "/")}`;
}

export function sameFilter(a: TaskFilter, b: TaskFilter): boolean {
  return FILTER_FIELDS.every(({ key }) => (a[key] ?? "") === (b[key] ?? ""));
}

export function hasFilter(filter: TaskFilter): boolean {
  return FILTER_FIELDS.some(({ key }) => Boolean(filter[key]));
}

/** "collection = orders, type = demo" */
export function describeFilter(filter: TaskFilter): string {
  const parts = FILTER_FIELDS.filter(({ key }) => filter[key]).map(({ key, label }) => `${label} = ${filter[key]}`);
  return parts.length ? parts.join(", ") : "no filter";
}
