// The metrics view: charts (uPlot canvases) of completed and failed tasks, failure rate and run durations, drawn from
// the rollups the every-minute pass writes, and each handler's totals. The test writes tasks as the engine leaves
// them, ended in a minute 50 minutes ago (before these emulators started, so no pass has rolled it up), and rolls
// that minute up directly instead of waiting for the clock.
import assert from "node:assert/strict";
import { Timestamp } from "firebase-admin/firestore";
import type { Browser } from "playwright-core";
import { rollUpMinute } from "../../functions/src/queue/metrics/rollup";
import { handlers } from "../../functions/src/handlers";
import { adminDb, createUser, type TestUser } from "../support/emulators";
import { taskIn } from "../support/tasks";
import { assertNoProblems, isolatedParent, launchBrowser, openAsAdmin } from "./browser";

const MINUTE = 60_000;

describe("admin page: metrics", () => {
  let browser: Browser;
  let admin: TestUser;
  let minute: number;
  before(async () => {
    browser = await launchBrowser();
    admin = await createUser({ admin: true });
    minute = Math.floor(Date.now() / MINUTE) * MINUTE - 50 * MINUTE;
    const parent = await isolatedParent();
    const endedAt = (s: number) => Timestamp.fromMillis(minute + s * 1000);
    const batch = adminDb().batch();
    for (let i = 0; i < 4; i++) {
      batch.set(parent.collection("tasks").doc(), taskIn("completed", { endedAt: endedAt(i), runBucket: 2 }));
    }
    for (let i = 0; i < 2; i++) {
      const failed = taskIn("failed", { action: "fail", endedAt: endedAt(10 + i), runBucket: 0 });
      batch.set(parent.collection("tasks").doc(), failed);
    }
    await batch.commit();
    const rollup = await rollUpMinute(adminDb(), handlers, minute);
    assert.equal(rollup.doc.handlers["demo/noop"].completed, 4);
  });
  after(() => browser?.close());

  it("charts the last hour, day and week, overall and per handler, with each handler's totals", async () => {
    const opened = await openAsAdmin(browser, admin);
    const { page } = opened;
    try {
      await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: "Metrics" }).click();
      await page.waitForURL(/view=metrics/);
      // Three charts, each a uPlot canvas with data drawn.
      await page.waitForFunction(() => document.querySelectorAll(".metrics-chart canvas").length === 3);
      const titles = await page.locator(".metrics-chart .u-title").allTextContents();
      assert.deepEqual(titles, ["Tasks ended per minute", "Failure rate", "Run duration"]);
      const count = async (handler: string, column: "completed" | "failed") =>
        Number(await page.locator(`tr[data-handler="${handler}"] td[data-${column}]`).getAttribute(`data-${column}`));
      assert.ok((await count("demo/noop", "completed")) >= 4);
      assert.ok((await count("demo/fail", "failed")) >= 2);

      // The week reads hour rollups: the minute is in its hour.
      await page.getByRole("link", { name: "Last week" }).click();
      await page.waitForURL(/range=week/);
      await page.waitForFunction(() =>
        document.querySelector(".metrics-chart .u-title")?.textContent?.includes("hour"),
      );
      assert.ok((await count("demo/noop", "completed")) >= 4);

      // One handler: its link narrows the charts, and the URL keeps it.
      await page.locator('tr[data-handler="demo/fail"] a').click();
      await page.waitForURL(/handler=demo\/fail/);
      await page.locator(".metrics-status", { hasText: "Handler demo/fail" }).waitFor();
      assert.equal(await page.locator(".metrics-chart canvas").count(), 3);

      // The window narrows to a phone's width (a rotated phone, a resized window): the charts are drawn again to
      // fit, one per row, and the page does not scroll sideways.
      const chartWidths = () =>
        page.$$eval(".metrics-chart canvas", (canvases) => canvases.map((c) => c.getBoundingClientRect().width));
      const wide = await chartWidths();
      await page.setViewportSize({ width: 375, height: 800 });
      await page.waitForFunction(() =>
        [...document.querySelectorAll(".metrics-chart canvas")].every(
          (c) => c.getBoundingClientRect().right <= document.documentElement.clientWidth,
        ),
      );
      const narrow = await chartWidths();
      assert.ok(
        narrow.every((w, i) => w < wide[i] && w <= 375),
        `chart widths ${wide} -> ${narrow}`,
      );
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
      // The handlers' table stacks its rows, each cell labelled: nothing hidden to the right of its box.
      const table = await page.locator(".metrics-table").evaluate((box) => [box.scrollWidth, box.clientWidth]);
      assert.ok(table[0] <= table[1], `the table fits its box at 375 px: ${table}`);
      assertNoProblems(opened);
    } finally {
      await opened.close();
    }
  });
});
