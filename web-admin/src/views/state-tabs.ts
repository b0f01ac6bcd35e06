// The overview: one tab per state with its count. Counts are `count()` aggregation queries (cheap: one read per
// 1,000 matches, and no counter document to contend on), with the current filters applied. They are not live, so
// they refresh when the list changes, after an action, and every 30 s.
import { h, replaceChildren } from "../dom";
import { countTasks } from "../queries";
import { STATES, sameFilter, type Filter, type Route, type TaskState } from "../route";
import { routeLink, type AdminContext } from "./context";

const LABELS: Record<TaskState, string> = {
  scheduled: "Scheduled",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

const REFRESH_EVERY_MS = 30_000;
const DEBOUNCE_MS = 1_000;

export function createStateTabs(ctx: AdminContext) {
  const element = h("nav", { class: "state-tabs", "aria-label": "Task states" });
  const counts = new Map<TaskState, number | Error>();
  let countedFilter: Filter | undefined;
  let generation = 0;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  function render(route: Route) {
    const tabs = STATES.map((state) => {
      const value = sameFilter(countedFilter ?? {}, route.filter) ? counts.get(state) : undefined;
      const label =
        value === undefined ? "…" : value instanceof Error ? "!" : new Intl.NumberFormat("en").format(value);
      const active = state === route.state;
      return routeLink(
        { state, filter: route.filter },
        {
          class: `state-tab state-${state}${active ? " active" : ""}${value && value !== 0 && state === "failed" ? " alert" : ""}`,
          "aria-current": active ? "page" : undefined,
          "data-tab": state,
          title: value instanceof Error ? `Could not count: ${value.message}` : undefined,
        },
        h("span", { class: "state-tab-label" }, LABELS[state]),
        h("span", { class: "state-tab-count", "data-count": typeof value === "number" ? String(value) : "" }, label),
      );
    });
    replaceChildren(element, tabs);
  }

  async function refreshNow() {
    const route = ctx.route();
    const filter = { ...route.filter };
    const mine = ++generation;
    if (!sameFilter(countedFilter ?? {}, filter)) {
      counts.clear();
      countedFilter = filter;
      render(route);
    }
    await Promise.all(
      STATES.map(async (state) => {
        let value: number | Error;
        try {
          value = await countTasks(ctx.services.db, state, filter);
        } catch (error) {
          value = error as Error;
        }
        if (mine !== generation) return;
        counts.set(state, value);
      }),
    );
    if (mine === generation) render(ctx.route());
  }

  function refresh() {
    clearTimeout(debounce);
    debounce = setTimeout(() => void refreshNow(), DEBOUNCE_MS);
  }

  const timer = setInterval(refresh, REFRESH_EVERY_MS);
  return {
    element,
    show(route: Route) {
      render(route);
      if (!sameFilter(countedFilter ?? {}, route.filter)) void refreshNow();
    },
    refresh,
    dispose() {
      generation++;
      clearInterval(timer);
      clearTimeout(debounce);
    },
  };
}
