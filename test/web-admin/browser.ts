// Helpers for the admin page's browser suite: Debian's Chromium driven by playwright-core against the page the
// Hosting emulator serves, signing in through the page's form, and task documents written as the engine would
// leave them. Every test makes its own users and its own parent collection, so tests never see each other's tasks.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { Timestamp, type DocumentData, type DocumentReference } from "firebase-admin/firestore";
import { PROJECT_ID, emulatorVariable, uniqueId, type TestUser } from "../support/emulators";
import { newParent, taskIn, writeTask } from "../support/tasks";

export const HOSTING_ORIGIN = emulatorVariable("HOSTING_EMULATOR_ORIGIN");
export const FUNCTIONS_ORIGIN = emulatorVariable("FUNCTIONS_EMULATOR_ORIGIN");

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = CHROMIUM_CANDIDATES.find((path) => path && existsSync(path));
  if (!executablePath) {
    throw new Error(
      "Chromium was not found: install it with `sudo apt-get install -y chromium` (or set CHROMIUM_PATH).",
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Chromium for the tests of the calling `describe`: launched before them, closed after them. Call it in the
 * `describe` body, and the returned function in the tests: `const browser = useBrowser(); ... browser()`.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("useBrowser(): Chromium is not running (call it in a describe body)");
    return browser;
  };
}

export interface AdminPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far: the page must produce none. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens the page at `path` (a URL path with query) in a fresh browser profile, collecting console errors. */
export async function openPage(
  browser: Browser,
  path = "/",
  viewport = { width: 1440, height: 900 },
): Promise<AdminPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  await page.goto(`${HOSTING_ORIGIN}${path}`);
  // Signing out first, if signed in: it stops the page's listeners one by one, which the Firestore emulator then
  // drops. A tab closed without that (pagehide: the page terminates its Firestore client) leaves its listen targets
  // in the emulator, which keeps evaluating them on every later write: measured here, 15 such pages made 200
  // updates take 13 s instead of 0.15 s, against 0.9 s more for 15 pages signed out first. (Production's backend
  // drops a closed connection's targets.) Then leaving the page as a person closes a tab, then the profile.
  const close = async () => {
    const signOut = page.getByRole("button", { name: "Sign out" });
    if (await signOut.isVisible().catch(() => false)) {
      await signOut.click({ timeout: 3000 }).catch(() => undefined);
      await page
        .getByRole("button", { name: "Sign in", exact: true })
        .waitFor({ timeout: 5000 })
        .catch(() => undefined);
    }
    await page.goto("about:blank").catch(() => undefined);
    await context.close();
  };
  return { page, context, problems, close };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Opens the page at `path` and signs in as `user`, waiting for the admin view. */
export async function openAsAdmin(
  browser: Browser,
  user: TestUser,
  path = "/",
  viewport?: { width: number; height: number },
): Promise<AdminPage> {
  const opened = await openPage(browser, path, viewport);
  await signIn(opened.page, user);
  await opened.page.locator(".state-tabs").waitFor();
  return opened;
}

export function assertNoProblems(opened: AdminPage): void {
  assert.deepEqual(opened.problems, [], "the page logged errors");
}

/** Opens the page at `path` as `user`, runs `test` on it, checks that the page logged no errors, and closes it. */
export async function withAdminPage(
  browser: Browser,
  user: TestUser,
  path: string,
  test: (page: Page) => Promise<void>,
  viewport?: { width: number; height: number },
): Promise<void> {
  const opened = await openAsAdmin(browser, user, path, viewport);
  try {
    await test(opened.page);
    assertNoProblems(opened);
  } finally {
    await opened.close();
  }
}

/** The paths of the rows in the task list, top to bottom, once the list has rendered `count` rows. */
export async function listedPaths(page: Page, count?: number): Promise<string[]> {
  if (count !== undefined) {
    await page.waitForFunction(
      (n) => document.querySelectorAll("table.tasks tbody tr[data-path]").length === n,
      count,
      { timeout: 20_000 },
    );
  } else {
    await page.locator("table.tasks tbody tr[data-path]").first().waitFor();
  }
  return page
    .locator("table.tasks tbody tr[data-path]")
    .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.path ?? ""));
}

/** Waits until the count shown on a state tab is `expected`. */
export async function waitForCount(page: Page, state: string, expected: number): Promise<void> {
  await page.waitForFunction(
    ([s, n]) => document.querySelector(`[data-tab="${s}"] .state-tab-count`)?.getAttribute("data-count") === String(n),
    [state, expected] as const,
    { timeout: 20_000 },
  );
}

/** Presses the confirm button of the open confirmation dialog and returns the dialog's title. */
export async function confirm(page: Page, label: string | RegExp): Promise<string> {
  const dialog = page.locator("dialog[open]");
  await dialog.waitFor();
  const title = (await dialog.locator("h2").textContent()) ?? "";
  await dialog.getByRole("button", { name: label }).click();
  await dialog.waitFor({ state: "detached" });
  return title;
}

/** A notice (toast) whose text contains `text`, within `timeoutMs` (the page's default: 20 s). */
export async function notice(page: Page, text: string | RegExp, timeoutMs?: number): Promise<string> {
  const locator = page.locator(".notice", { hasText: text }).first();
  await locator.waitFor(timeoutMs === undefined ? undefined : { timeout: timeoutMs });
  return (await locator.textContent()) ?? "";
}

/** A parent document in a collection of its own: filtering by that collection shows exactly this test's tasks. */
export async function isolatedParent(fields: DocumentData = {}): Promise<DocumentReference> {
  return newParent(uniqueId("orders").replace("-", "_"), { ownerId: "someone", ...fields });
}

let clock = Date.now() - 3_600_000;
/** Creation times that increase with every call, so "newest first" is predictable. */
export function nextCreatedAt(): Timestamp {
  clock += 1_000;
  return Timestamp.fromMillis(clock);
}

/** A `demo.fail` task as the engine leaves it after its last attempt failed: times, error with stack, history. */
export async function writeFailedTask(
  parent: DocumentReference,
  fields: DocumentData = {},
): Promise<DocumentReference> {
  return writeTask(
    parent,
    taskIn("failed", { action: "fail", createdAt: fields.createdAt ?? nextCreatedAt(), ...fields }),
  );
}

/** A task with `fields` (type, action and state among them), created after the previous one, by `someone`. */
export async function writeTaskAs(parent: DocumentReference, fields: DocumentData): Promise<DocumentReference> {
  return writeTask(parent, { createdAt: nextCreatedAt(), createdBy: "someone", ...fields });
}

export interface CallResult {
  status: number;
  result?: Record<string, unknown>;
  error?: { status: string; message: string };
}

/** Calls the callable `name` over HTTP as the page would, with `token` (an ID token) or anonymously. */
export async function callCallable(name: string, data: unknown, token?: string): Promise<CallResult> {
  const response = await fetch(`${FUNCTIONS_ORIGIN}/${PROJECT_ID}/us-central1/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ data }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}
