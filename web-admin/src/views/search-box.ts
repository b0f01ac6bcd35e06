// The search box: paste a task's path or Firestore console URL to open it, a parent's path to list all its tasks,
// `by:<uid>` to list what someone created, or a task id to open it under the parent filtered on (search.ts). What it
// finds lands in the URL like any filter, so it combines with the state tabs and can be shared.
import { h } from "../dom";
import { isQueueParentPath } from "../contract";
import { errorMessage } from "../actions";
import { parentOf, parseSearch, taskStateAt } from "../search";
import type { AdminContext } from "./context";

export function createSearchBox(ctx: AdminContext) {
  const input = h("input", {
    id: "search",
    name: "search",
    type: "search",
    placeholder: "orders/o-1/tasks/t1, a console URL, orders/o-1, by:uid",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "search-message",
  });
  const message = h("p", { id: "search-message", class: "search-message", role: "status" });
  const say = (text: string) => {
    message.textContent = text;
    message.hidden = !text;
  };
  say("");

  async function find() {
    const route = ctx.route();
    const target = parseSearch(input.value, route.filter);
    if (target.kind === "error") return say(target.message);
    if (target.kind === "filter") {
      const filter = { ...route.filter, ...target.filter };
      // A parent names its collection already; a collection filter left over from before could only hide it.
      if (target.filter.parent) delete filter.collection;
      say("");
      input.value = "";
      return ctx.navigate({ state: route.state, filter });
    }
    say("Looking…");
    let state;
    try {
      state = await taskStateAt(ctx.services.db, target.path);
    } catch (error) {
      return say(`Could not read ${target.path}: ${errorMessage(error)}`);
    }
    if (!state) return say(`No task at ${target.path}.`);
    say("");
    input.value = "";
    // Its state's tab, among the tasks of its parent: the row is in the list, next to its siblings.
    const parent = parentOf(target.path);
    ctx.navigate({ state, filter: isQueueParentPath(parent) ? { parent } : {}, task: target.path });
  }

  const element = h(
    "form",
    {
      class: "search",
      role: "search",
      "aria-label": "Find tasks",
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        void find();
      },
    },
    h("label", { for: "search" }, "Find"),
    input,
    h("button", { type: "submit", class: "button primary" }, "Find"),
    message,
  );

  return {
    element,
    focus() {
      input.focus();
    },
  };
}
