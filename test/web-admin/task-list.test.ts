// The task list: filters and the open task live in the URL, pages are cursors (also in the URL), and the list
// follows Firestore live.
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { Timestamp } from "firebase-admin/firestore";
import { adminDb, createUser, type TestUser } from "../support/emulators";
import { TEST_SHARD } from "../support/tasks";
import {
  assertNoProblems,
  isolatedParent,
  launchBrowser,
  listedPaths,
  nextCreatedAt,
  openAsAdmin,
  waitForCount,
  writeFailedTask,
  writeTaskAs,
} from "./browser";

describe("admin page: the task list", () => {
  let browser: Browser;
  let admin: TestUser;
  before(async () => {
    browser = await launchBrowser();
    admin = await createUser({ admin: true });
  });
  after(async () => {
    await browser?.close();
  });

  it("a filter URL opened cold shows only the matching tasks, with the filters filled in", async () => {
    const parent = await isolatedParent();
    const elsewhere = await isolatedParent();
    const declined = { code: "demo/failed", message: "card declined", attempt: 1 };
    const match1 = await writeFailedTask(parent, { error: declined });
    const match2 = await writeFailedTask(parent, { error: declined });
    await writeFailedTask(parent); // same type and action, another error code
    await writeFailedTask(parent, { action: "flaky", error: declined }); // another action
    await writeFailedTask(elsewhere, { error: declined }); // another collection
    await writeTaskAs(parent, { type: "demo", action: "fail", state: "completed", error: declined });

    const collection = parent.parent.id;
    const url = `/?state=failed&collection=${collection}&type=demo&action=fail&code=demo/failed`;
    const opened = await openAsAdmin(browser, admin, url);
    try {
      const { page } = opened;
      assert.deepEqual(await listedPaths(page, 2), [match2.path, match1.path]);
      assert.equal(await page.getByLabel("Collection").inputValue(), collection);
      assert.equal(await page.getByLabel("Type").inputValue(), "demo");
      assert.equal(await page.getByLabel("Action").inputValue(), "fail");
      assert.equal(await page.getByLabel("Error code").inputValue(), "demo/failed");
      await waitForCount(page, "failed", 2);
      await waitForCount(page, "completed", 1);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("applying filters in the form puts them in the URL, and Back restores the previous view", async () => {
    const parent = await isolatedParent();
    const fail = await writeFailedTask(parent);
    const flaky = await writeFailedTask(parent, { action: "flaky" });
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      assert.deepEqual(await listedPaths(page, 2), [flaky.path, fail.path]);
      await page.getByLabel("Action").fill("flaky");
      await page.getByLabel("Action").press("Enter");
      assert.deepEqual(await listedPaths(page, 1), [flaky.path]);
      assert.equal(new URL(page.url()).searchParams.get("action"), "flaky");
      await page.goBack();
      assert.deepEqual(await listedPaths(page, 2), [flaky.path, fail.path]);
      assert.equal(await page.getByLabel("Action").inputValue(), "");
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("pages hold 50 tasks, newest first; the cursor is in the URL, so a reload stays on the page", async () => {
    const parent = await isolatedParent();
    const batch = adminDb().batch();
    const paths: string[] = [];
    for (let i = 0; i < 55; i++) {
      const ref = parent.collection("tasks").doc();
      const at = nextCreatedAt();
      const fields = { type: "demo", action: "fail", state: "failed", data: {}, createdAt: at, failedAt: at };
      batch.set(ref, { ...fields, shard: TEST_SHARD }); // as the engine leaves a task: with its index shard
      paths.unshift(ref.path); // newest first
    }
    await batch.commit();
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      assert.deepEqual(await listedPaths(page, 50), paths.slice(0, 50));
      await page.getByRole("link", { name: "Older →" }).click();
      assert.deepEqual(await listedPaths(page, 5), paths.slice(50));
      assert.ok(new URL(page.url()).searchParams.get("after"), "the page's cursor is in the URL");
      await page.reload();
      assert.deepEqual(await listedPaths(page, 5), paths.slice(50));
      await page.getByRole("link", { name: "← Newer" }).click();
      assert.deepEqual(await listedPaths(page, 50), paths.slice(0, 50));
      assert.equal(new URL(page.url()).searchParams.get("before"), null, "back on the first page, no cursor");
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("the list is live: a task that fails appears and a task that leaves the state disappears, without reloading", async () => {
    const parent = await isolatedParent();
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await page.getByText("No failed tasks matching").waitFor();
      const task = await writeFailedTask(parent);
      assert.deepEqual(await listedPaths(page, 1), [task.path]);
      await waitForCount(page, "failed", 1);
      await task.update({ state: "completed", completedAt: Timestamp.now() });
      await page.getByText("No failed tasks matching").waitFor();
      await waitForCount(page, "failed", 0);
      await waitForCount(page, "completed", 1);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("the keyboard gets around: a skip link past the top bar, digits switch tabs, Enter on a row link opens the task, Escape closes it", async () => {
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const opened = await openAsAdmin(browser, admin, `/?state=scheduled&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await page.getByText("No scheduled tasks matching").waitFor();
      // The first Tab stop skips the top bar: Enter on it puts the focus on the view, and the URL stays as it was.
      const url = page.url();
      await page.keyboard.press("Tab");
      const skip = page.getByRole("link", { name: "Skip to content" });
      assert.ok(
        await skip.evaluate((link) => link === document.activeElement && link.getBoundingClientRect().top >= 0),
      );
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "content");
      assert.equal(page.url(), url);
      await page.keyboard.press("4"); // the fourth tab: failed
      await listedPaths(page, 1);
      assert.equal(new URL(page.url()).searchParams.get("state"), "failed");
      await page.locator(`tr[data-path="${task.path}"] a.row-link`).focus();
      await page.keyboard.press("Enter");
      await page.locator(".detail-head [data-state=failed]").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("task"), task.path);
      await page.keyboard.press("Escape");
      await page.locator(".detail-pane").waitFor({ state: "hidden" });
      assert.equal(new URL(page.url()).searchParams.get("task"), null);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  // Last in the suite on purpose: the only page without a filter, so the listener it leaves in the emulator (see
  // task-detail.test.ts) sees no later test's tasks.
  it("without a filter, the tabs count every task of the project as soon as the page opens", async () => {
    await writeFailedTask(await isolatedParent());
    const opened = await openAsAdmin(browser, admin, "/?state=failed");
    try {
      const { page } = opened;
      await listedPaths(page);
      await page.waitForFunction(
        () => [...document.querySelectorAll(".state-tab-count")].every((c) => c.getAttribute("data-count") !== ""),
        undefined,
        { timeout: 15_000 }, // shorter than the 30 s refresh: the first counts come with the page
      );
      const failed = Number(await page.locator('[data-tab="failed"] .state-tab-count').getAttribute("data-count"));
      assert.ok(failed >= 1, `failed count ${failed}`);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });
});
