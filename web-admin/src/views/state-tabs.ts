// The overview: one tab per state with its count. Counts are `count()` aggregation queries (one read per 1,000
// matches, and no counter document to contend on), with the current filters applied, capped at METRICS.countCap
// ("10,000+"): a round costs at most 5 × 10 reads however many tasks are stored. They are not live: they refresh
// when the list changes and every 30 s, at most once per METRICS.countRefreshMs (5 s), and after an admin's action
// within METRICS.countAfterActionMs (1.5 s). Throttled, not debounced: under a steady stream of changes a round still
// runs every 5 s, never postponed forever, and an open tab costs at most 720 rounds an hour (plus one per action)
// whatever the write rate.
import { h, replaceChildren } from "../dom";
import { countTasks } from "../queries";
import { countLabel } from "../format";
import { METRICS, TASK_STATES, type TaskFilter, type TaskState } from "../contract";
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

export function createStateTabs(ctx: AdminContext) {
  const element = h("nav", { class: "state-tabs", "aria-label": "Task states" });
  const counts = new Map<TaskState, number | Error>();
  let countedFilter: TaskFilter | undefined;
  let generation = 0;
  let throttle: ReturnType<typeof setTimeout> | undefined;
  /** When the last round started (epoch ms). */
  let lastRound = 0;

  /** Whether `counts` are (being) taken with `filter`. */
  const counted = (filter: TaskFilter) => countedFilter !== undefined && sameFilter(countedFilter, filter);

  function render(route: Route) {
    const tabs = TASK_STATES.map((state) => {
      const value = counted(route.filter) ? counts.get(state) : undefined;
      const label = value === undefined ? "…" : value instanceof Error ? "!" : countLabel(value, METRICS.countCap);
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
    lastRound = Date.now();
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
          value = await countTasks(ctx.services.db, state, filter, METRICS.countCap);
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

  let throttleAt = Infinity;
  /**
   * A round once `gapMs` has passed since the last one started: at once, or at the end of the gap. Requests in
   * between share that one round; a sooner request moves it earlier, never later.
   */
  function refreshAfterGap(gapMs: number) {
    const at = Math.max(Date.now(), lastRound + gapMs);
    if (throttle !== undefined && throttleAt <= at) return;
    clearTimeout(throttle);
    throttleAt = at;
    throttle = setTimeout(() => {
      throttle = undefined;
      throttleAt = Infinity;
      void refreshNow();
    }, at - Date.now());
  }
  /** The list changed, or the timer: at most one round per METRICS.countRefreshMs. */
  const refresh = () => refreshAfterGap(METRICS.countRefreshMs);
  /** After an admin's action: the counts catch up within METRICS.countAfterActionMs. */
  const refreshSoon = () => refreshAfterGap(METRICS.countAfterActionMs);

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
    refreshSoon,
    dispose() {
      generation++;
      again = false;
      clearInterval(timer);
      clearTimeout(throttle);
    },
  };
}
