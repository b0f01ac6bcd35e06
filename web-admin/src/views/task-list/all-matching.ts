// "Retry all matching" (failed tab) and "Cancel all matching" (scheduled tab): count what the filters match, say
// that number in the confirmation, then call the action's callable until it has handled every match.
import { BULK_ACTIONS, actOnAllMatching, errorMessage, type BulkAction } from "../../actions";
import { confirmDialog, h, notify } from "../../dom";
import { countTasks } from "../../queries";
import { describeFilter, hasFilter } from "../../route";
import { ACTION_WORDS } from "../../widgets/action-words";
import type { AdminContext } from "../context";

const n = (count: number) => count.toLocaleString("en");

/** `started` runs once confirmed, `finished` when the server is done (or failed); not at all if nothing runs. */
export async function actOnAllMatchingTasks(
  ctx: AdminContext,
  action: BulkAction,
  hooks: { started(): void; finished(): void },
): Promise<void> {
  const { state } = BULK_ACTIONS[action];
  const words = ACTION_WORDS[action];
  const filter = { ...ctx.route().filter };
  let matching: number;
  try {
    matching = await countTasks(ctx.services.db, state, filter);
  } catch (error) {
    notify("error", `Could not count the matching tasks: ${errorMessage(error)}`);
    return;
  }
  if (matching === 0) {
    notify("info", `No ${state} tasks match ${describeFilter(filter)}.`);
    return;
  }
  const ok = await confirmDialog({
    title: `${words.verb} all ${n(matching)} ${state} tasks?`,
    tone: "danger",
    body: [
      h(
        "p",
        {},
        hasFilter(filter)
          ? [`Every ${state} task matching `, h("strong", {}, describeFilter(filter)), ` ${words.effect}.`]
          : [h("strong", {}, "No filter is set:"), ` every ${state} task in the project ${words.effect}.`],
      ),
      h("p", { class: "muted" }, `Tasks that change state before their write lands are skipped, not ${words.done}.`),
    ],
    confirmLabel: `${words.verb} all ${n(matching)}`,
    dismissLabel: words.dismiss,
  });
  if (!ok) return;
  hooks.started();
  const progress = notify("info", `${words.doing} ${n(matching)} ${state} tasks…`);
  try {
    const total = await actOnAllMatching(ctx.services.functions, action, filter, (sofar) => {
      const text = progress.querySelector(".notice-text");
      if (text) text.textContent = `${words.doing}… ${n(sofar.done)} ${words.done} so far.`;
    });
    progress.remove();
    notify(
      total.errors ? "error" : "success",
      `${words.verb} all: ${n(total.done)} ${words.done}, ${n(total.skipped)} skipped` +
        (total.errors ? `, ${total.errors} failed to write (see the function logs).` : "."),
      `Filter: ${describeFilter(filter)}.${total.complete ? "" : " Stopped before the end: run it again."}`,
    );
  } catch (error) {
    progress.remove();
    notify("error", `${words.verb} all failed: ${errorMessage(error)}`);
  } finally {
    hooks.finished();
    ctx.refreshCountsAfterAction();
  }
}
