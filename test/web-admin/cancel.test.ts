// Cancelling, as an operator stops a bad batch: the selected scheduled tasks, or every scheduled task matching the
// filters, after a confirmation that says how many. Only tasks still scheduled are cancelled, with who and when.
import assert from "node:assert/strict";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { createUser } from "../support/emulators";
import { taskIn, writeTask } from "../support/tasks";
import {
  confirm,
  isolatedParent,
  listedPaths,
  notice,
  useBrowser,
  withAdminPage,
  waitForCount,
  writeTaskAs,
} from "./browser";

/** A scheduled task due in an hour: it stays scheduled until cancelled. */
const waiting = (parent: DocumentReference, action = "noop") =>
  writeTaskAs(parent, {
    type: "demo",
    action,
    state: "scheduled",
    runAt: Timestamp.fromMillis(Date.now() + 3_600_000),
  });

async function cancelledBy(tasks: DocumentReference[]): Promise<[string, string | undefined][]> {
  const stored = await Promise.all(tasks.map((task) => task.get()));
  return stored.map((s) => [s.get("state"), s.get("cancelledBy")]);
}

describe("admin page: cancelling scheduled tasks", () => {
  const browser = useBrowser();

  it("select two of three scheduled tasks and cancel them: the dialog names two, exactly those are cancelled", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const [left, ...chosen] = [await waiting(parent), await waiting(parent), await waiting(parent)];
    await withAdminPage(browser(), admin, `/?state=scheduled&collection=${parent.parent.id}`, async (page) => {
      await listedPaths(page, 3);
      for (const task of chosen) await page.getByLabel(`Select ${task.path}`).check();
      await page.getByRole("button", { name: "Cancel selected (2)" }).click();
      assert.equal(await confirm(page, "Cancel 2"), "Cancel 2 tasks?");
      await notice(page, "Cancelled 2 tasks.");
      assert.deepEqual(await cancelledBy(chosen), [
        ["cancelled", admin.uid],
        ["cancelled", admin.uid],
      ]);
      assert.deepEqual(await cancelledBy([left]), [["scheduled", undefined]]);
      assert.deepEqual(await listedPaths(page, 1), [left.path]);
      await waitForCount(page, "cancelled", 2);
    });
  });

  it("“Cancel all matching” states how many it will cancel, cancels those, and leaves running and other tasks alone", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const matching = [await waiting(parent), await waiting(parent), await waiting(parent)];
    const otherAction = await waiting(parent, "record");
    const running = await writeTask(parent, taskIn("running"));
    await withAdminPage(
      browser(),
      admin,
      `/?state=scheduled&collection=${parent.parent.id}&action=noop`,
      async (page) => {
        await listedPaths(page, 3);
        // The way out of the dialog is not called "Cancel": that would read as the action itself.
        await page.getByRole("button", { name: "Cancel all matching…" }).click();
        await page.locator("dialog[open]").getByRole("button", { name: "Keep them" }).click();
        await page.locator("dialog").waitFor({ state: "detached" });
        assert.deepEqual(
          (await cancelledBy(matching)).map(([state]) => state),
          ["scheduled", "scheduled", "scheduled"],
        );
        await page.getByRole("button", { name: "Cancel all matching…" }).click();
        const dialog = page.locator("dialog[open]");
        await dialog.waitFor();
        assert.match(await dialog.innerText(), /Every scheduled task matching[\s\S]*Action = noop/);
        assert.equal(await confirm(page, "Cancel all 3"), "Cancel all 3 scheduled tasks?");
        assert.match(await notice(page, "Cancel all:"), /Cancel all: 3 cancelled, 0 skipped\./);
        assert.deepEqual(await cancelledBy(matching), [
          ["cancelled", admin.uid],
          ["cancelled", admin.uid],
          ["cancelled", admin.uid],
        ]);
        assert.deepEqual(await cancelledBy([otherAction, running]), [
          ["scheduled", undefined],
          ["running", undefined],
        ]);
        await waitForCount(page, "scheduled", 0);
        await page.getByText("No scheduled tasks matching").waitFor();
      },
    );
  });
});
