// The filter bar: collection, type, action and error code. Applying it changes the URL, so a filtered view can be
// shared; the fields are exact matches (Firestore equality filters), which is what makes every list and count a
// cheap indexed query.
import { h } from "../dom";
import type { TaskFilter } from "../contract";
import { FILTER_FIELDS, hasFilter, type Route } from "../route";
import type { AdminContext } from "./context";

export function createFilters(ctx: AdminContext) {
  const inputs = new Map<keyof TaskFilter, HTMLInputElement>();
  const clear = h("button", { type: "button", class: "button subtle" }, "Clear");
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter tasks" },
    FILTER_FIELDS.map(({ key, label, placeholder }) => {
      const id = `filter-${key}`;
      const input = h("input", { id, name: key, type: "text", placeholder, autocomplete: "off", spellcheck: "false" });
      inputs.set(key, input);
      return h("div", { class: "field" }, h("label", { for: id }, label), input);
    }),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "button primary" }, "Apply"), clear),
  );

  const go = (filter: TaskFilter) => {
    const route = ctx.route();
    ctx.navigate({ state: route.state, filter, task: route.task });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const filter: TaskFilter = {};
    for (const [key, input] of inputs) if (input.value.trim()) filter[key] = input.value.trim();
    go(filter);
  });
  clear.addEventListener("click", () => go({}));

  return {
    element: form,
    show(route: Route) {
      for (const [key, input] of inputs) input.value = route.filter[key] ?? "";
      clear.disabled = !hasFilter(route.filter);
    },
    focus() {
      inputs.get("collection")?.focus();
    },
  };
}
