// The queue control view: an operator sees every handler with its limits, and pauses and resumes the whole queue,
// one handler or one schedule from the page. A pause holds tasks (they stay scheduled, no handler code runs); a
// resume dispatches what it held and says how many. Every test resumes what it paused in `finally`, and `after`
// resumes everything once more, so a failing test never leaves the queue paused for the suites that follow.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { PauseTarget, QueueStatus, SetPausedResult } from "../../functions/src/queue/model/queue-status";
import { callAs, createUser, sleep, type TestUser } from "../support/emulators";
import { runsOf, waitForState, writeTask } from "../support/tasks";
import {
  assertNoProblems,
  confirm,
  isolatedParent,
  launchBrowser,
  openAsAdmin,
  openPage,
  signIn,
  type AdminPage,
} from "./browser";

const RECORD = { type: "demo", action: "record" };
const HEARTBEAT = "demo-heartbeat";
/** How long a held task is watched to stay scheduled. */
const HELD_FOR_MS = 3000;

function resume(admin: TestUser, target: PauseTarget): Promise<SetPausedResult> {
  return callAs<SetPausedResult>(admin, "setPaused", { target, paused: false });
}

/** Opens the queue control view through the header's "Queue" link, as an operator would. */
async function openQueueControl(browser: Browser, admin: TestUser): Promise<AdminPage> {
  const opened = await openAsAdmin(browser, admin);
  await opened.page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: "Queue" }).click();
  await opened.page.locator("table.queue-table tr[data-handler]").first().waitFor();
  return opened;
}

function handlerRow(page: Page, name: string) {
  return page.locator(`tr[data-handler="${name}"]`);
}

/** The live report of the last action, once it contains `text`. */
async function report(page: Page, text: string | RegExp): Promise<string> {
  const region = page.locator(".queue-report", { hasText: text });
  await region.waitFor();
  return (await region.textContent()) ?? "";
}

describe("admin page: queue control", () => {
  let browser: Browser;
  let admin: TestUser;
  before(async () => {
    browser = await launchBrowser();
    admin = await createUser({ admin: true });
  });
  after(async () => {
    // Whatever a failed test left paused, the suites after this one need a running queue.
    await resume(admin, { queue: true }).catch(() => undefined);
    await resume(admin, RECORD).catch(() => undefined);
    await resume(admin, { schedule: HEARTBEAT }).catch(() => undefined);
    await browser?.close();
  });

  it("the header's Queue link opens the view with every handler and its limits; Back returns to the list", async () => {
    const opened = await openQueueControl(browser, admin);
    try {
      const { page } = opened;
      assert.equal(new URL(page.url()).search, "?view=queue");
      assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Queue control");
      assert.equal(await handlerRow(page, "demo.throttled").locator(".limits").textContent(), "5/s");
      assert.equal(await handlerRow(page, "demo.serial").locator(".limits").textContent(), "1 at a time");
      assert.equal(await handlerRow(page, "demo.record").locator(".limits").textContent(), "—");
      assert.equal(await handlerRow(page, "demo.record").locator(".pause-state").textContent(), "Running");
      await page.getByRole("button", { name: "Pause demo.record" }).waitFor();
      await page.getByText("Queue running:").waitFor();
      await page.getByRole("button", { name: "Pause the whole queue" }).waitFor();

      await page.goBack();
      await page.locator(".state-tabs").waitFor();
      assert.equal(await page.locator(".queue-control").isHidden(), true);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("a link to ?view=queue opens the view after sign-in, and the header's Tasks link returns to the list", async () => {
    const opened = await openPage(browser, "/?view=queue");
    try {
      const { page } = opened;
      await signIn(page, admin);
      await handlerRow(page, "demo.serial").waitFor();
      const views = page.getByRole("navigation", { name: "Views" });
      assert.equal(await views.getByRole("link", { name: "Queue" }).getAttribute("aria-current"), "page");
      await views.getByRole("link", { name: "Tasks" }).click();
      await page.locator(".state-tabs").waitFor();
      assert.equal(new URL(page.url()).searchParams.get("state"), "failed");
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("at 375 px the view fits the screen: no horizontal scrolling of the page", async () => {
    const opened = await openQueueControl(browser, admin);
    try {
      const { page } = opened;
      await page.setViewportSize({ width: 375, height: 800 });
      await handlerRow(page, "demo.serial").waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `the page is ${width} px wide`);
      assert.ok(await page.getByRole("button", { name: "Pause demo.serial" }).isVisible());
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });

  it("Pause on demo.record holds a task written meanwhile; Resume dispatches it and says so, and it completes", async () => {
    const opened = await openQueueControl(browser, admin);
    try {
      const { page } = opened;
      await page.getByRole("button", { name: "Pause demo.record" }).click();
      assert.equal(await confirm(page, "Pause"), "Pause demo.record?");
      await report(page, "Paused demo.record.");
      assert.match(
        (await handlerRow(page, "demo.record").locator(".pause-state").textContent()) ?? "",
        new RegExp(`^Paused by ${admin.email} \\(you\\) since \\d\\d:\\d\\d:\\d\\d$`),
      );
      const status = await callAs<QueueStatus>(admin, "queueStatus", {});
      assert.equal(status.handlers.find((h) => h.action === "record")?.paused?.by, admin.uid);

      const task = await writeTask(await isolatedParent(), { ...RECORD, createdBy: "someone" });
      await sleep(HELD_FOR_MS);
      assert.equal((await task.get()).get("state"), "scheduled", "held while paused");
      assert.equal(await runsOf(task), 0, "no handler code ran");

      await page.getByRole("button", { name: "Resume demo.record" }).click();
      assert.equal(await confirm(page, "Resume"), "Resume demo.record?");
      const text = await report(page, /Resumed demo\.record: \d+ held tasks? dispatched\./);
      assert.ok(Number(/(\d+) held/.exec(text)?.[1]) >= 1, text);
      await waitForState(task, ["completed"], 30_000);
      assert.equal(await runsOf(task), 1);
      assert.equal(await handlerRow(page, "demo.record").locator(".pause-state").textContent(), "Running");
      assertNoProblems(opened);
    } finally {
      await resume(admin, RECORD);
      await opened.close();
    }
  });

  it("Pause the whole queue asks first, shows its progress, then the banner says who paused it; Resume clears it", async () => {
    const opened = await openQueueControl(browser, admin);
    try {
      const { page } = opened;
      await page.getByRole("button", { name: "Pause the whole queue" }).click();
      assert.equal(await confirm(page, "Pause queue"), "Pause the whole queue?");
      // The call returns once every instance sees the pause (about 2 s): meanwhile the button says so and waits.
      const inFlight = page.locator('[data-pause-target="queue"]', { hasText: "Pausing…" });
      await inFlight.waitFor();
      assert.equal(await inFlight.isDisabled(), true);
      await report(page, "Paused the whole queue.");
      const banner = page.locator(".queue-banner.paused");
      assert.match(
        (await banner.textContent()) ?? "",
        new RegExp(`Queue paused by ${admin.email} \\(you\\) since \\d\\d:\\d\\d:\\d\\d`),
      );
      assert.equal(await handlerRow(page, "demo.noop").locator(".pause-state").textContent(), "Held (queue paused)");

      const task = await writeTask(await isolatedParent(), { ...RECORD, createdBy: "someone" });
      await sleep(HELD_FOR_MS);
      assert.equal((await task.get()).get("state"), "scheduled", "held while the queue is paused");

      await page.getByRole("button", { name: "Resume the whole queue" }).click();
      assert.equal(await confirm(page, "Resume queue"), "Resume the whole queue?");
      await report(page, /Resumed the whole queue: \d+ held tasks? dispatched\./);
      await page.locator(".queue-banner:not(.paused)").waitFor();
      await waitForState(task, ["completed"], 30_000);
      assertNoProblems(opened);
    } finally {
      await resume(admin, { queue: true });
      await opened.close();
    }
  });

  it("queueStatus and setPaused refuse a signed-in user without the admin claim, and nothing is paused", async () => {
    const user = await createUser({ admin: false });
    await assert.rejects(callAs(user, "queueStatus", {}), /PERMISSION_DENIED/);
    await assert.rejects(callAs(user, "setPaused", { target: { queue: true }, paused: true }), /PERMISSION_DENIED/);
    const status = await callAs<QueueStatus>(admin, "queueStatus", {});
    assert.equal(status.paused, undefined);
  });

  // Needs the schedules in the engine and the demo registry's `demo-heartbeat` (every minute).
  it("schedule demo-heartbeat: its row shows the cron and time zone, and it pauses and resumes from the page", async () => {
    const opened = await openQueueControl(browser, admin);
    try {
      const { page } = opened;
      const row = page.locator(`tr[data-schedule="${HEARTBEAT}"]`);
      await row.waitFor();
      assert.equal(await row.locator("code.cron").textContent(), "* * * * *");
      assert.ok((await row.locator('td[data-label="Time zone"]').textContent())?.trim(), "a time zone");
      assert.equal(await row.locator(".pause-state").textContent(), "Active");
      await page.getByRole("button", { name: `Pause schedule ${HEARTBEAT}` }).click();
      assert.equal(await confirm(page, "Pause"), `Pause schedule ${HEARTBEAT}?`);
      await report(page, `Paused schedule ${HEARTBEAT}.`);
      assert.match((await row.locator(".pause-state").textContent()) ?? "", new RegExp(`^Paused by ${admin.email}`));
      await page.getByRole("button", { name: `Resume schedule ${HEARTBEAT}` }).click();
      assert.equal(await confirm(page, "Resume"), `Resume schedule ${HEARTBEAT}?`);
      await report(page, `Resumed schedule ${HEARTBEAT}`);
      assert.equal(await row.locator(".pause-state").textContent(), "Active");
      assertNoProblems(opened);
    } finally {
      await resume(admin, { schedule: HEARTBEAT }).catch(() => undefined);
      await opened.close();
    }
  });
});
