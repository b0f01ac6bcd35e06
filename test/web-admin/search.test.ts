// Finding a task a customer asks about: a pasted Firestore console URL or path opens it; a parent's path lists every
// task of that order, at any depth, tab by tab; `by:<uid>` and the "Created by" filter list what someone created.
// What the search finds is in the URL, so a reload or a shared link shows the same.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Timestamp } from "firebase-admin/firestore";
import { createUser, uniqueId } from "../support/emulators";
import { newParentAt, taskIn, writeTask } from "../support/tasks";
import {
  HOSTING_ORIGIN,
  isolatedParent,
  listedPaths,
  useBrowser,
  withAdminPage,
  waitForCount,
  writeFailedTask,
  writeTaskAs,
} from "./browser";

async function find(page: Page, text: string): Promise<void> {
  await page.getByLabel("Find", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Find", exact: true }).click();
}

const params = (page: Page) => new URL(page.url()).searchParams;

describe("admin page: find anything", () => {
  const browser = useBrowser();

  it("a pasted Firestore console URL (both forms) or path opens the task, on its state's tab, among its parent's tasks", async () => {
    const admin = await createUser({ admin: true });
    const parent = await newParentAt(2, { ownerId: "someone" }, uniqueId("find").replace("-", "_"));
    const failed = await writeFailedTask(parent);
    const completed = await writeTask(parent, taskIn("completed"));
    await withAdminPage(browser(), admin, "/?state=scheduled", async (page) => {
      const escaped = `~2F${failed.path.split("/").join("~2F")}`;
      await find(page, `https://console.firebase.google.com/project/p/firestore/databases/-default-/data/${escaped}`);
      await page.locator(`.detail-head [data-state=failed]`).waitFor();
      assert.equal(params(page).get("task"), failed.path);
      assert.equal(params(page).get("state"), "failed");
      assert.equal(params(page).get("parent"), parent.path);
      assert.deepEqual(await listedPaths(page, 1), [failed.path]);

      await find(
        page,
        `https://console.firebase.google.com/project/p/firestore/data/${escaped.replace(failed.id, completed.id)}`,
      );
      await page.locator(`.detail-head [data-state=completed]`).waitFor();
      assert.equal(params(page).get("task"), completed.path);
      assert.deepEqual(await listedPaths(page, 1), [completed.path]);

      await find(page, `/${failed.path}`);
      await page.locator(`.detail-head [data-state=failed]`).waitFor();
      assert.equal(params(page).get("task"), failed.path);

      // A bare id: found under the parent filtered on.
      await find(page, completed.id);
      await page.locator(`.detail-head [data-state=completed]`).waitFor();

      await find(page, `${parent.path}/tasks/does-not-exist`);
      await page.getByText(`No task at ${parent.path}/tasks/does-not-exist.`).waitFor();
    });
  });

  it("a parent's path lists every task of that parent, tab by tab, and the URL keeps it across a reload", async () => {
    const admin = await createUser({ admin: true });
    const root = uniqueId("order").replace("-", "_");
    const parent = await newParentAt(3, { ownerId: "someone" }, root);
    const sibling = await newParentAt(3, { ownerId: "someone" }, root); // same collection, another order
    const failed = [await writeFailedTask(parent), await writeFailedTask(parent)];
    const runAt = Timestamp.fromMillis(Date.now() + 3_600_000); // stays scheduled
    const scheduled = await writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt });
    await writeFailedTask(sibling);
    await withAdminPage(browser(), admin, `/?state=failed&collection=${root}`, async (page) => {
      await listedPaths(page, 3);
      await find(page, parent.path);
      assert.deepEqual(await listedPaths(page, 2), [failed[1].path, failed[0].path]);
      assert.equal(params(page).get("parent"), parent.path);
      assert.equal(params(page).get("collection"), null, "the parent replaces the collection filter");
      await waitForCount(page, "failed", 2);
      await waitForCount(page, "scheduled", 1);
      await page.locator('[data-tab="scheduled"]').click();
      assert.deepEqual(await listedPaths(page, 1), [scheduled.path]);
      await page.reload();
      assert.deepEqual(await listedPaths(page, 1), [scheduled.path]);
      assert.equal(await page.getByLabel("Parent", { exact: true }).inputValue(), parent.path);
    });
  });

  it("by:<uid> and the Created by filter list the tasks one user created, combined with the other filters", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const creator = uniqueId("uid");
    const mine = [
      await writeFailedTask(parent, { createdBy: creator }),
      await writeFailedTask(parent, { createdBy: creator, action: "flaky" }),
    ];
    await writeFailedTask(parent, { createdBy: "someone-else" });
    await withAdminPage(browser(), admin, `/?state=failed&collection=${parent.parent.id}`, async (page) => {
      await listedPaths(page, 3);
      await find(page, `by:${creator}`);
      assert.deepEqual(await listedPaths(page, 2), [mine[1].path, mine[0].path]);
      assert.equal(params(page).get("by"), creator);
      await page.getByLabel("Action", { exact: true }).fill("flaky");
      await page.getByRole("button", { name: "Apply" }).click();
      assert.deepEqual(await listedPaths(page, 1), [mine[1].path]);
      await waitForCount(page, "failed", 1);
      await page.goto(`${HOSTING_ORIGIN}/?state=failed&by=${creator}&action=fail`);
      assert.deepEqual(await listedPaths(page, 1), [mine[0].path]);
    });
  });

  it("a bare task id without a parent, or text that is no path, gets an answer that says what to paste instead", async () => {
    const admin = await createUser({ admin: true });
    await withAdminPage(browser(), admin, "/?state=failed", async (page) => {
      await find(page, "abc123");
      await page.getByText("A task id alone cannot be looked up").waitFor();
      await find(page, "https://example.com/orders/o-1");
      await page.getByText("That URL is not a Firestore console link").waitFor();
      assert.equal(params(page).get("task"), null);
    });
  });
});
