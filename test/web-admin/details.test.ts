// The details people notice: sign-in errors in plain words, no empty bordered panels, a page that works at a phone's
// width, no serious or critical accessibility violation (axe-core), and every part reachable by keyboard.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createUser } from "../support/emulators";
import { seriousViolations } from "./accessibility";
import {
  HOSTING_ORIGIN,
  isolatedParent,
  listedPaths,
  openPage,
  signIn,
  useBrowser,
  withAdminPage,
  writeFailedTask,
} from "./browser";

const PHONE = { width: 375, height: 740 };

/** Visible elements with a border on three sides or more and nothing inside: a box that shows nothing. */
function emptyBorderedBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>("#app *")) {
      if (element.matches("input, button, select, textarea, [aria-hidden=true]") || element.offsetHeight === 0)
        continue;
      const style = getComputedStyle(element);
      const sides = ["top", "right", "bottom", "left"].filter(
        (side) =>
          parseFloat(style.getPropertyValue(`border-${side}-width`)) > 0 &&
          style.getPropertyValue(`border-${side}-style`) !== "none",
      );
      const empty = element.innerText.trim() === "" && !element.querySelector("input, button, img, svg, canvas");
      if (sides.length >= 3 && empty) found.push(`${element.tagName.toLowerCase()}.${element.className}`);
    }
    return found;
  });
}

/** Whether the page is wider than the window (it would scroll sideways). */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Presses Tab until `selector` has the focus; the number of presses, or undefined after `max`. */
async function tabTo(page: Page, selector: string, max = 40): Promise<number | undefined> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => Boolean(document.activeElement?.matches(s)), selector)) return presses;
  }
  return undefined;
}

describe("admin page: details people notice", () => {
  const browser = useBrowser();

  it("a wrong password reads “Wrong email or password.”, not the SDK's error code", async () => {
    const admin = await createUser({ admin: true });
    const opened = await openPage(browser(), "/");
    try {
      await signIn(opened.page, { ...admin, password: "not-the-password" });
      const alert = opened.page.getByRole("alert");
      await alert.waitFor();
      assert.equal(await alert.innerText(), "Wrong email or password.");
      await signIn(opened.page, { ...admin, email: `nobody-${admin.uid}@example.com` });
      await opened.page.getByRole("alert").getByText("Wrong email or password.").waitFor();
      assert.doesNotMatch(await opened.page.locator("#app").innerText(), /Firebase|auth\//);
    } finally {
      await opened.close();
    }
  });

  it("axe-core finds no serious or critical violation on sign-in, list, detail and queue views", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const signInPage = await openPage(browser(), "/");
    try {
      await signInPage.page.getByLabel("Email").waitFor();
      assert.deepEqual(await seriousViolations(signInPage.page), [], "sign-in");
    } finally {
      await signInPage.close();
    }
    await withAdminPage(browser(), admin, `/?state=failed&collection=${parent.parent.id}`, async (page) => {
      await listedPaths(page, 1);
      assert.deepEqual(await seriousViolations(page), [], "list");
      await page.locator(`tr[data-path="${task.path}"] a.row-link`).click();
      await page.locator(".detail-head [data-state=failed]").waitFor();
      await page.locator(".timeline").waitFor();
      assert.deepEqual(await seriousViolations(page), [], "detail");
      await page.getByRole("link", { name: "Queue" }).click();
      await page.locator(".queue-table").first().waitFor();
      assert.deepEqual(await seriousViolations(page), [], "queue");
    });
  });

  it("at 375 px: counts, list and detail are reachable without scrolling sideways, and no bordered box is empty", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent, {
      error: { code: "demo/failed", message: "a long message ".repeat(20), attempt: 3 },
    });
    const list = `/?state=failed&collection=${parent.parent.id}`;
    await withAdminPage(
      browser(),
      admin,
      list,
      async (page) => {
        await listedPaths(page, 1);
        await page.locator('[data-tab="failed"] [data-count="1"]').waitFor();
        assert.equal(await scrollsSideways(page), false, "list");
        assert.deepEqual(await emptyBorderedBoxes(page), [], "list, nothing selected");
        for (const tab of ["scheduled", "running", "completed", "failed", "cancelled"]) {
          assert.ok(await page.locator(`[data-tab="${tab}"]`).isVisible(), `the ${tab} count is on screen`);
        }
        await page.locator(`tr[data-path="${task.path}"] a.row-link`).click();
        await page.locator(".detail-head [data-state=failed]").waitFor();
        assert.equal(await scrollsSideways(page), false, "detail");
        assert.ok(await page.getByRole("button", { name: "Retry", exact: true }).isVisible());
        await page.goto(`${HOSTING_ORIGIN}/?state=running&collection=${parent.parent.id}`);
        await page.getByText("No running tasks").waitFor();
        assert.deepEqual(await emptyBorderedBoxes(page), [], "an empty tab");
      },
      PHONE,
    );
  });

  it("by keyboard alone: Tab reaches the list's rows, Enter opens one, and Tab goes on to the detail's actions", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    await withAdminPage(browser(), admin, `/?state=failed&collection=${parent.parent.id}`, async (page) => {
      await listedPaths(page, 1);
      const row = `tr[data-path="${task.path}"] a.row-link`;
      assert.ok(await tabTo(page, row), "Tab reaches the row's link");
      await page.keyboard.press("Enter");
      await page.locator(".detail-head [data-state=failed]").waitFor();
      const presses = await tabTo(page, ".detail-pane .detail-actions button");
      assert.ok(presses !== undefined && presses <= 5, `the detail's actions are a few Tabs away (${presses})`);
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Retry");
    });
  });
});
