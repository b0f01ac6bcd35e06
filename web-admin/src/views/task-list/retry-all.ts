// "Retry all matching": counts the failed tasks the filters match, asks for confirmation with that number, then has
// the `retryTasks` callable retry them on the server, showing its progress and then what it did.
import { errorMessage, retryAllMatching } from "../../actions";
import { confirmDialog, h, notify } from "../../dom";
import { countTasks } from "../../queries";
import { describeFilter, hasFilter } from "../../route";
import type { AdminContext } from "../context";

/** `started` runs once confirmed, `finished` when the server is done (or failed); not at all if nothing runs. */
export async function retryAllMatchingTasks(
  ctx: AdminContext,
  hooks: { started(): void; finished(): void },
): Promise<void> {
  const filter = { ...ctx.route().filter };
  let matching: number;
  try {
    matching = await countTasks(ctx.services.db, "failed", filter);
  } catch (error) {
    notify("error", `Could not count the matching tasks: ${errorMessage(error)}`);
    return;
  }
  if (matching === 0) {
    notify("info", `No failed tasks match ${describeFilter(filter)}.`);
    return;
  }
  const ok = await confirmDialog({
    title: `Retry all ${matching.toLocaleString("en")} failed tasks?`,
    tone: "danger",
    body: [
      h(
        "p",
        {},
        hasFilter(filter)
          ? ["Every failed task matching ", h("strong", {}, describeFilter(filter)), " is scheduled again."]
          : [h("strong", {}, "No filter is set:"), " every failed task in the project is scheduled again."],
      ),
      h("p", { class: "muted" }, "Tasks that change state before their write lands are skipped, not retried."),
    ],
    confirmLabel: `Retry all ${matching.toLocaleString("en")}`,
  });
  if (!ok) return;
  hooks.started();
  const progress = notify("info", `Retrying ${matching.toLocaleString("en")} failed tasks…`);
  try {
    const total = await retryAllMatching(ctx.services.functions, filter, (sofar) => {
      const text = progress.querySelector(".notice-text");
      if (text) text.textContent = `Retrying… ${sofar.retried.toLocaleString("en")} retried so far.`;
    });
    progress.remove();
    notify(
      total.errors ? "error" : "success",
      `Retry all: ${total.retried.toLocaleString("en")} retried, ${total.skipped.toLocaleString("en")} skipped` +
        (total.errors ? `, ${total.errors} failed to write (see the function logs).` : "."),
      `Filter: ${describeFilter(filter)}.${total.complete ? "" : " Stopped before the end: run it again."}`,
    );
  } catch (error) {
    progress.remove();
    notify("error", `Retry all failed: ${errorMessage(error)}`);
  } finally {
    hooks.finished();
    ctx.refreshCountsAfterAction();
  }
}
