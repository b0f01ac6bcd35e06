// Retrying, as an operator does it during an incident: one task, a selection, everything matching the filter.
// Each retry lands only if the task is still failed when the write commits, and says who retried it.
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { Timestamp } from "firebase-admin/firestore";
import { adminDb, createUser, type TestUser } from "../support/emulators";
import { TEST_SHARD, waitForState } from "../support/tasks";
import {
  assertNoProblems,
  confirm,
  isolatedParent,
  launchBrowser,
  listedPaths,
  nextCreatedAt,
  notice,
  openAsAdmin,
  waitForCount,
  writeFailedTask,
} from "./browser";

/** A demo.flaky task that used up its 3 attempts: retried, its 4th attempt succeeds. */
const exhaustedFlaky = { type: "demo", action: "flaky", data: { failTimes: 3 }, attempts: 3 };

describe("admin page: retrying failed tasks", () => {
  let browser: Browser;
  let admin: TestUser;
  before(async () => {
    browser = await launchBrowser();
    admin = await createUser({ admin: true });
  });
  after(async () => {
    await browser?.close();
  });

  it("Retry on a failed demo.flaky task: it becomes completed live, without reloading, and says who retried it", async () => {
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent, exhaustedFlaky);
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}&task=${task.path}`);
    try {
      const { page } = opened;
      await page.locator(".detail-head [data-state=failed]").waitFor();
      await page.getByRole("button", { name: "Retry", exact: true }).click();
      assert.equal(await confirm(page, "Retry"), "Retry this task?");
      await notice(page, "Retried 1 task.");
      // The engine runs it; the page follows the document live.
      await page.locator(".detail-head [data-state=completed]").waitFor({ timeout: 30_000 });
      assert.match(await page.locator(".facts").innerText(), new RegExp(`Retried[\\s\\S]*${admin.uid} \\(you\\)`));
      assert.match(await page.locator(".detail-pane").innerText(), /"succeededOnAttempt": 4/);
      await page.getByText("No failed tasks matching").waitFor();

      const stored = (await task.get()).data() ?? {};
      assert.equal(stored.state, "completed");
      assert.equal(stored.retriedBy, admin.uid);
      assert.ok(stored.retriedAt instanceof Timestamp);
      assert.equal(stored.attempts, 4);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("select three of four failed tasks and retry them: exactly those three run again", async () => {
    const parent = await isolatedParent();
    const tasks = [];
    for (let i = 0; i < 4; i++) tasks.push(await writeFailedTask(parent, exhaustedFlaky));
    const [left, ...chosen] = tasks;
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await listedPaths(page, 4);
      for (const task of chosen) await page.getByLabel(`Select ${task.path}`).check();
      await page.getByRole("button", { name: "Retry selected (3)" }).click();
      assert.equal(await confirm(page, "Retry 3"), "Retry 3 tasks?");
      await notice(page, "Retried 3 tasks.");
      for (const task of chosen) {
        const done = await waitForState(task, ["completed"], 30_000);
        assert.equal(done.get("retriedBy"), admin.uid);
      }
      assert.deepEqual(await listedPaths(page, 1), [left.path]);
      const untouched = (await left.get()).data() ?? {};
      assert.equal(untouched.state, "failed");
      assert.equal(untouched.retriedBy, undefined);
      await waitForCount(page, "completed", 3);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("a task that stops being failed while the admin confirms is skipped, not retried", async () => {
    const parent = await isolatedParent();
    const stays = await writeFailedTask(parent, exhaustedFlaky);
    const moves = await writeFailedTask(parent, exhaustedFlaky);
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${parent.parent.id}`);
    try {
      const { page } = opened;
      await listedPaths(page, 2);
      await page.getByLabel("Select all on this page").check();
      await page.getByRole("button", { name: "Retry selected (2)" }).click();
      await page.locator("dialog[open]").waitFor();
      // Meanwhile, someone else retries one of them and it completes.
      await moves.update({ state: "completed", completedAt: Timestamp.now() });
      await listedPaths(page, 1);
      await confirm(page, "Retry 2");
      const text = await notice(page, "Retried 1 task, 1 skipped.");
      assert.match(text, new RegExp(`${moves.id} is completed`));
      assert.equal((await moves.get()).get("retriedBy"), undefined, "the completed task was not touched");
      assert.equal((await waitForState(stays, ["completed"], 30_000)).get("retriedBy"), admin.uid);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("“Retry all matching” retries the 200 failed tasks of the filter, reports 200 retried, touches nothing else", async function () {
    // 200 conditioned writes and 200 dispatches in one call: seconds on an idle emulator, tens of seconds on a
    // loaded one. The page waits as long as the function may run; the test, up to 90 s for its answer.
    this.timeout(150_000);
    const parent = await isolatedParent();
    const other = await isolatedParent();
    // Failed tasks whose `runAt` lies ahead: once retried they wait in the Cloud Tasks queue instead of running, so
    // this test measures the retry itself without adding 200 handler runs to a shared machine. (Retried tasks
    // running to completion is what the tests above show.)
    const later = Timestamp.fromMillis(Date.now() + 3_600_000);
    const batch = adminDb().batch();
    for (let i = 0; i < 200; i++) {
      const at = nextCreatedAt();
      const error = { code: "handler/error", message: `upstream timeout #${i}`, attempt: 3, at };
      batch.set(parent.collection("tasks").doc(), {
        type: "demo",
        action: "noop",
        state: "failed",
        data: {},
        runAt: later,
        createdAt: at,
        failedAt: at,
        attempts: 3,
        maxAttempts: 3,
        error,
        shard: TEST_SHARD, // as the engine leaves a task: with its index shard
      });
    }
    await batch.commit();
    const outside = await writeFailedTask(other, { runAt: later });

    const collection = parent.parent.id;
    const opened = await openAsAdmin(browser, admin, `/?state=failed&collection=${collection}`);
    try {
      const { page } = opened;
      await listedPaths(page, 50);
      await page.getByRole("button", { name: "Retry all matching…" }).click();
      assert.equal(await confirm(page, "Retry all 200"), "Retry all 200 failed tasks?");
      const text = await notice(page, "Retry all:", 90_000);
      assert.match(text, /Retry all: 200 retried, 0 skipped\./);
      await page.getByText("No failed tasks matching").waitFor();
      await waitForCount(page, "failed", 0);
      await waitForCount(page, "scheduled", 200);

      const tasks = await parent.collection("tasks").get();
      assert.equal(tasks.size, 200);
      for (const doc of tasks.docs) {
        assert.equal(doc.get("state"), "scheduled", doc.ref.path);
        assert.equal(doc.get("retriedBy"), admin.uid, doc.ref.path);
        assert.ok(doc.get("retriedAt") instanceof Timestamp, doc.ref.path);
      }
      const untouched = (await outside.get()).data() ?? {};
      assert.equal(untouched.state, "failed", "a failed task outside the filter stays failed");
      assert.equal(untouched.retriedBy, undefined);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });
});
