// Who sees what: an admin signs in and sees the failed tasks with their errors; a signed-in user without the
// `admin` claim sees "Not authorized" and no task data, until the claim is granted.
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { getAuth } from "firebase-admin/auth";
import { createUser } from "../support/emulators";
import {
  assertNoProblems,
  isolatedParent,
  launchBrowser,
  listedPaths,
  openPage,
  signIn,
  waitForCount,
  writeFailedTask,
} from "./browser";

describe("admin page: signing in", () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it("an admin signs in with Email and Password and sees the failed tasks, newest first, with their error", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const older = await writeFailedTask(parent, {
      error: { code: "demo/failed", message: "payment provider declined the card", attempt: 1 },
    });
    const newer = await writeFailedTask(parent, { type: "demo", action: "flaky", data: { failTimes: 3 } });
    const opened = await openPage(browser, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await signIn(page, admin);
      assert.deepEqual(await listedPaths(page, 2), [newer.path, older.path]);
      const olderRow = page.locator(`tr[data-path="${older.path}"]`);
      assert.match(
        await olderRow.innerText(),
        /demo\.fail[\s\S]*demo\/failed[\s\S]*payment provider declined the card/,
      );
      const newerRow = page.locator(`tr[data-path="${newer.path}"]`);
      assert.match(await newerRow.innerText(), /demo\.flaky[\s\S]*3 \/ 3[\s\S]*handler\/error/);
      await waitForCount(page, "failed", 2);
      await waitForCount(page, "completed", 0);
      assert.match(await page.locator(".topbar").innerText(), new RegExp(admin.email));
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("a signed-in user without the admin claim sees “Not authorized” and no task data", async () => {
    const user = await createUser({ admin: false });
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const opened = await openPage(browser, `/?state=failed&collection=${parent.parent.id}&task=${task.path}`);
    try {
      const { page } = opened;
      await signIn(page, user);
      await page.getByRole("heading", { name: "Not authorized" }).waitFor();
      const text = await page.locator("body").innerText();
      assert.match(text, new RegExp(`signed in as ${user.email}`));
      assert.doesNotMatch(text, new RegExp(task.id), "no task data on the page");
      assert.equal(await page.locator(".state-tabs, table.tasks, .detail-pane").count(), 0);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("once the admin claim is granted, “Check again” opens the page without signing in again", async () => {
    const user = await createUser({ admin: false });
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const opened = await openPage(browser, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await signIn(page, user);
      await page.getByRole("heading", { name: "Not authorized" }).waitFor();
      await getAuth().setCustomUserClaims(user.uid, { admin: true });
      await page.getByRole("button", { name: "Check again" }).click();
      assert.deepEqual(await listedPaths(page, 1), [task.path]);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("signing out returns to the sign-in form and stops showing data", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const opened = await openPage(browser, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await signIn(page, admin);
      await listedPaths(page, 1);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
      assert.doesNotMatch(await page.locator("body").innerText(), new RegExp(task.id));
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });
});
