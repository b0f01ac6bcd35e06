// The overview: one tab per state with its count. Counts are `count()` aggregation queries (cheap: one read per
// 1,000 matches, and no counter document to contend on), with the current filters applied. They are not live, so
// they refresh when the list changes, after an action, and every 30 s.
import { h, replaceChildren } from "../dom";
import { countTasks } from "../queries";
import { TASK_STATES, type TaskFilter, type TaskState } from "../contract";
import { sameFilter, type Route } from "../route";
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
  let countedFilter: TaskFilter | undefined;
  let generation = 0;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  /** Whether `counts` are (being) taken with `filter`. */
  const counted = (filter: TaskFilter) => countedFilter !== undefined && sameFilter(countedFilter, filter);

  function render(route: Route) {
    const tabs = TASK_STATES.map((state) => {
      const value = counted(route.filter) ? counts.get(state) : undefined;
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

  let running = false;
  let again = false;

  /** One round of counts. Rounds never overlap: a request during a round runs one more round after it. */
  async function refreshNow() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const route = ctx.route();
    const filter = { ...route.filter };
    const mine = ++generation;
    if (!counted(filter)) {
      counts.clear();
      countedFilter = filter;
      render(route);
    }
    // The open tab first, and each count shown as soon as it arrives.
    const order = [route.state, ...TASK_STATES.filter((state) => state !== route.state)];
    await Promise.all(
      order.map(async (state) => {
        let value: number | Error;
        try {
          value = await countTasks(ctx.services.db, state, filter);
        } catch (error) {
          value = error as Error;
        }
        if (mine !== generation) return;
        counts.set(state, value);
        render(ctx.route());
      }),
    );
    if (mine !== generation) return; // superseded: a newer round owns `running`
    running = false;
    if (again) {
      again = false;
      void refreshNow();
    }
  }

  function refresh() {
    clearTimeout(debounce);
    debounce = setTimeout(() => void refreshNow(), DEBOUNCE_MS);
  }

  // Counts nobody sees (another view is open) would only cost reads; the view recounts when it comes back.
  const timer = setInterval(() => element.closest("[hidden]") || refresh(), REFRESH_EVERY_MS);
  return {
    element,
    show(route: Route) {
      render(route);
      if (!counted(route.filter)) {
        // Counts of another filter are no use: the round in flight (if any) is superseded by a new one.
        generation++;
        running = false;
        again = false;
        void refreshNow();
      }
    },
    refresh,
    dispose() {
      generation++;
      again = false;
      clearInterval(timer);
      clearTimeout(debounce);
    },
  };
}
