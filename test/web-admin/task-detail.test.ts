// The task detail: the error and its stack first, then what the task is, and the parent document's timeline;
// and the actions that apply to a scheduled task: Run now and Cancel.
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { Timestamp } from "firebase-admin/firestore";
import { createUser, uniqueId, type TestUser } from "../support/emulators";
import { newParentAt, waitForState } from "../support/tasks";
import {
  assertNoProblems,
  confirm,
  isolatedParent,
  launchBrowser,
  listedPaths,
  notice,
  openAsAdmin,
  writeFailedTask,
  writeTaskAs,
} from "./browser";

const inAnHour = () => Timestamp.fromMillis(Date.now() + 3_600_000);

describe("admin page: the task detail", () => {
  let browser: Browser;
  let admin: TestUser;
  before(async () => {
    browser = await launchBrowser();
    admin = await createUser({ admin: true });
  });
  after(async () => {
    await browser?.close();
  });

  it("a failed task shows its error code, message and stack first, and its parent's timeline in time order", async () => {
    const parent = await isolatedParent();
    const email = await writeTaskAs(parent, {
      type: "order",
      action: "sendConfirmationEmail",
      state: "completed",
      attempts: 1,
    });
    const stack = [
      "Error: inventory service refused the reservation: SKU-42 out of stock",
      "    at reserve (handlers/inventory/initiate-order-processing.ts:31:13)",
      "    at runWithTimeout (queue/run-handler.ts:22:34)",
    ].join("\n");
    const failed = await writeFailedTask(parent, {
      type: "inventory",
      action: "mutations.initiateOrderProcessing",
      data: { warehouse: "berlin", lines: [{ sku: "SKU-42", quantity: 2 }] },
      error: {
        code: "inventory/out-of-stock",
        message: "inventory service refused the reservation: SKU-42 out of stock",
        stack,
        attempt: 3,
        at: Timestamp.now(),
      },
    });
    const cancelled = await writeTaskAs(parent, { type: "demo", action: "noop", state: "cancelled" });
    const later = await writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt: inAnHour() });

    // Every test filters its list to its own collection: a closed page's listeners linger in the Firestore
    // emulator, and one on the whole failed list would receive every later test's failures.
    const opened = await openAsAdmin(
      browser,
      admin,
      `/?state=failed&collection=${parent.parent.id}&task=${failed.path}`,
    );
    try {
      const { page } = opened;
      const detail = page.locator(".detail-pane");
      await detail.locator(".detail-head [data-state=failed]").waitFor();
      assert.equal(await detail.locator("h2").innerText(), "inventory.mutations.initiateOrderProcessing");
      assert.match(await detail.locator(".detail-path").innerText(), new RegExp(`${parent.path}/tasks/${failed.id}`));

      const error = detail.getByRole("region", { name: "Error" });
      assert.match(await error.innerText(), /inventory\/out-of-stock[\s\S]*attempt 3[\s\S]*SKU-42 out of stock/);
      assert.equal(await error.getByLabel("Stack trace").innerText(), stack);
      // The error comes before everything else about the task.
      const sections = await detail
        .locator(".detail-main h3, .detail-main .error-box")
        .evaluateAll((nodes) =>
          nodes.map((node) => (node.classList.contains("error-box") ? "error" : node.textContent)),
        );
      assert.deepEqual(sections.slice(0, 2), ["error", "Details"]);
      assert.match(await detail.getByLabel("Task data").innerText(), /"warehouse": "berlin"[\s\S]*"sku": "SKU-42"/);

      const timeline = detail.getByRole("list", { name: "Parent timeline" });
      await timeline.locator("li").nth(3).waitFor();
      const order = await timeline
        .locator("li")
        .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.path));
      assert.deepEqual(order, [email.path, failed.path, cancelled.path, later.path]);
      assert.equal(await timeline.locator("li.current").getAttribute("data-path"), failed.path);
      assert.match(await timeline.innerText(), /order\.sendConfirmationEmail\s*completed[\s\S]*demo\.noop\s*scheduled/);

      // The timeline links to its tasks.
      await timeline.getByRole("link", { name: "order.sendConfirmationEmail" }).click();
      await detail.locator(".detail-head [data-state=completed]").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("task"), email.path);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("a task under a parent at depth 3: listed under its top-level collection, its detail, its direct parent's timeline", async () => {
    const root = uniqueId("deep").replace("-", "_"); // this test's own top-level collection
    const parent = await newParentAt(3, { ownerId: "someone" }, root); // deep_x/s/users/u/orders/o
    const failed = await writeFailedTask(parent, { action: "fail" });
    const sibling = await writeTaskAs(parent, { type: "demo", action: "noop", state: "cancelled" });
    // A task of an ancestor (users/u): not this parent's, so not in its timeline.
    const ancestor = parent.parent.parent!;
    await writeFailedTask(ancestor, { action: "fail" });

    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${root}&task=${failed.path}`);
    try {
      const { page } = opened;
      assert.equal(
        (await listedPaths(page, 2)).includes(failed.path),
        true,
        "the list filters by top-level collection",
      );
      const detail = page.locator(".detail-pane");
      await detail.locator(".detail-head [data-state=failed]").waitFor();
      assert.match(await detail.locator(".detail-path").innerText(), new RegExp(`${parent.path}/tasks/${failed.id}`));

      const timeline = detail.getByRole("list", { name: "Parent timeline" });
      await timeline.locator("li").nth(1).waitFor();
      const paths = await timeline
        .locator("li")
        .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.path));
      assert.deepEqual(paths, [failed.path, sibling.path], "the direct parent's tasks, and only those");

      // The URL keeps the nested path: following the timeline's link, and opening the URL again, show the task.
      await timeline.getByRole("link", { name: "demo.noop" }).click();
      await detail.locator(".detail-head [data-state=cancelled]").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("task"), sibling.path);
      await page.reload();
      await page.locator(".detail-pane .detail-head [data-state=cancelled]").waitFor();
      assert.match(await page.locator(".detail-pane .detail-path").innerText(), new RegExp(sibling.id));

      // One level deeper, a `tasks` collection is the app's own: shown, with no action the engine would refuse.
      const tooDeep = await writeFailedTask(await newParentAt(4, { ownerId: "someone" }, root), { action: "fail" });
      await page.goto(new URL(`/?state=failed&collection=${root}&task=${tooDeep.path}`, page.url()).href);
      await page.locator(".detail-pane .detail-head [data-state=failed]").waitFor();
      assert.match(await page.locator(".detail-actions").innerText(), /Not a queue task/);
      assert.equal(await page.locator(".detail-actions button").count(), 0);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("Run now on a delayed task runs it at once, and the page shows it completed", async () => {
    const parent = await isolatedParent();
    const task = await writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt: inAnHour() });
    const opened = await openAsAdmin(
      browser,
      admin,
      `/?state=scheduled&collection=${parent.parent.id}&task=${task.path}`,
    );
    try {
      const { page } = opened;
      await page.locator(".detail-head [data-state=scheduled]").waitFor();
      assert.match(await page.locator(".facts").innerText(), /Runs at/);
      await page.getByRole("button", { name: "Run now" }).click();
      assert.equal(await confirm(page, "Run now"), "Run this task now?");
      await notice(page, "The task is due now and runs at once.");
      await page.locator(".detail-head [data-state=completed]").waitFor({ timeout: 30_000 });
      const done = (await task.get()).data() ?? {};
      assert.equal(done.state, "completed");
      assert.ok((done.runAt as Timestamp).toMillis() <= Date.now(), "runAt moved to now");
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("Cancel on a scheduled task cancels it, records who did, and sets when it expires", async () => {
    const parent = await isolatedParent();
    const task = await writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt: inAnHour() });
    const opened = await openAsAdmin(
      browser,
      admin,
      `/?state=scheduled&collection=${parent.parent.id}&task=${task.path}`,
    );
    try {
      const { page } = opened;
      await page.locator(".detail-head [data-state=scheduled]").waitFor();
      await page.getByRole("button", { name: "Cancel", exact: true }).click();
      assert.equal(await confirm(page, "Cancel task"), "Cancel this task?");
      await notice(page, "Cancelled the task.");
      await page.locator(".detail-head [data-state=cancelled]").waitFor();
      const stored = await waitForState(task, ["cancelled"]);
      assert.equal(stored.get("cancelledBy"), admin.uid);
      assert.ok(stored.get("cancelledAt") instanceof Timestamp);
      // Deleted by the TTL policy after demo's retention for cancelled tasks (the default, 90 days).
      const kept = (stored.get("expireAt") as Timestamp).toMillis() - Date.now();
      assert.ok(kept > 89 * 86_400_000 && kept <= 90 * 86_400_000, `expireAt ${kept} ms ahead`);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("dismissing the confirmation changes nothing", async () => {
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}&task=${task.path}`);
    try {
      const { page } = opened;
      await page.locator(".detail-head [data-state=failed]").waitFor();
      const before = await task.get();
      await page.getByRole("button", { name: "Retry", exact: true }).click();
      await page.locator("dialog[open]").waitFor();
      await page.keyboard.press("Escape");
      await page.locator("dialog").waitFor({ state: "detached" });
      const after = await task.get();
      assert.equal(after.get("state"), "failed");
      assert.ok(after.updateTime?.isEqual(before.updateTime!), "the task was not written");
      assert.equal(await page.locator(".notice").count(), 0);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("shows no detail pane until a task is opened, and none again once it is closed", async () => {
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await listedPaths(page, 1);
      const pane = page.getByRole("complementary", { name: "Task detail" });
      assert.equal(await pane.isVisible(), false, "no empty pane under the list");
      await page.getByRole("link", { name: task.id }).click();
      await pane.waitFor({ state: "visible" });
      await page.keyboard.press("Escape");
      await pane.waitFor({ state: "hidden" });
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("a debounced task shows its dedup key, why it never ran, and a link to the task that runs instead", async () => {
    const parent = await isolatedParent();
    const dedupKey = uniqueId("recalc");
    const runs = await writeTaskAs(parent, { type: "demo", action: "debounced", state: "completed", dedupKey });
    const superseded = await writeTaskAs(parent, {
      type: "demo",
      action: "debounced",
      state: "cancelled",
      dedupKey,
      cancelReason: "debounced",
      supersededBy: runs.path,
      cancelledAt: Timestamp.now(),
    });
    const opened = await openAsAdmin(
      browser,
      admin,
      `/?state=cancelled&collection=${parent.parent.id}&task=${superseded.path}`,
    );
    try {
      const { page } = opened;
      const detail = page.locator(".detail-pane");
      await detail.locator(".detail-head [data-state=cancelled]").waitFor();
      const facts = await detail.locator("dl.facts").innerText();
      assert.match(facts, new RegExp(`Dedup key\\s+${dedupKey}`));
      assert.match(facts, /Why\s+debounced: .* runs instead/);
      assert.doesNotMatch(facts, /Cancelled[^\n]* by\s*$/m, "no empty 'by': the engine cancelled it");
      await detail.getByRole("link", { name: runs.path }).click();
      await detail.locator(".detail-head [data-state=completed]").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("task"), runs.path);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("a fan-out's child names its group, and the continuation shows how the children ended", async () => {
    const parent = await isolatedParent();
    const group = uniqueId("group");
    const child = await writeTaskAs(parent, { type: "demo", action: "noop", state: "completed", group });
    const fanIn = { group, total: 3, parent: parent.path, completed: 2, failed: 1, cancelled: 0 };
    const continuation = await writeTaskAs(parent, { type: "demo", action: "fanIn", state: "completed", fanIn });
    const opened = await openAsAdmin(
      browser,
      admin,
      `/?state=completed&collection=${parent.parent.id}&task=${continuation.path}`,
    );
    try {
      const { page } = opened;
      const facts = page.locator(".detail-pane dl.facts");
      await facts.getByText("Fan-in").waitFor();
      assert.match(await facts.innerText(), /Fan-in\s+2 completed, 1 failed, 0 cancelled of 3/);
      await page.getByRole("link", { name: child.id }).click();
      await facts.getByText("Fan-out group").waitFor();
      assert.match(await facts.innerText(), new RegExp(`Fan-out group\\s+${group}`));
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });
});
