// The admin page at scale, measured in Chromium as an operator uses it: with N failed tasks in the emulator (10,000
// by default), the time from opening the page to its first rows (and to all five counts), and the time "Retry all
// matching" takes for another N failed tasks, from the confirm click to the page's report.
//
//   EMULATOR_PORT_OFFSET=200 npm run with-emulators -- node --import tsx bench/admin-page.ts [--tasks 10000] [--runs 5]
//
// The Functions emulator's background triggers are off while the tasks are written and retried: otherwise
// each of those writes would also start `dispatchTask`, and the figures would be of the queue running the retried
// tasks (the drain benchmark's subject), not of the page. Firestore queries and the `retryTasks` callable run as
// usual. Run it in emulators of its own (the command above): it leaves its 2 × N tasks behind.
import { getAuth } from "firebase-admin/auth";
import { Timestamp } from "firebase-admin/firestore";
import type { Browser, Page } from "playwright-core";
import { createUser, uniqueId } from "../test/support/emulators";
import { taskIn } from "../test/support/tasks";
import { HOSTING_ORIGIN, launchBrowser, signIn } from "../test/web-admin/browser";
import { bulkCreate, countTasks, setBackgroundTriggers, spreadTaskRef } from "./firestore";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

/** Writes `count` failed `demo.fail` tasks, one a second further back in time, each with an error of its own. */
async function writeFailedTasks(collection: string, count: number): Promise<number> {
  const now = Date.now();
  const written = await bulkCreate(
    count,
    (i) => {
      const at = Timestamp.fromMillis(now - i * 1000);
      const message = `bench: upstream answered 503 (#${i})`;
      const error = { code: "handler/error", message, stack: `Error: ${message}\n    at bench`, attempt: 3, at };
      const task = taskIn("failed", { action: "fail", data: { n: i }, createdAt: at, error });
      return { ref: spreadTaskRef(collection, i), data: task };
    },
    true,
  );
  return written.seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ms = (value: number) => Math.round(value);

/** Opens the page (already signed in: the session is in the browser profile) and times the first rows and counts. */
async function openAndTime(page: Page, path: string): Promise<{ firstRows: number; counts: number }> {
  const started = performance.now();
  await page.goto(`${HOSTING_ORIGIN}${path}`);
  await page.locator("table.tasks tbody tr[data-path]").first().waitFor({ timeout: 60_000 });
  const firstRows = performance.now() - started;
  await page.waitForFunction(
    () => [...document.querySelectorAll(".state-tab-count")].every((c) => c.getAttribute("data-count") !== ""),
    undefined,
    { timeout: 120_000 },
  );
  return { firstRows, counts: performance.now() - started };
}

async function main() {
  const tasks = option("tasks", 10_000);
  const runs = option("runs", 5);
  const run = uniqueId("run").slice(4);
  const listed = `bench_admin_${run}`; // stays failed: the list the page opens on
  const retried = `bench_retry_${run}`; // retried through the page
  let browser: Browser | undefined;
  await setBackgroundTriggers(false);
  try {
    const setupSeconds = await writeFailedTasks(listed, tasks);
    await writeFailedTasks(retried, tasks);
    const admin = await createUser({ admin: true });
    const chromium = await launchBrowser();
    browser = chromium;
    const viewport = { width: 1440, height: 900 };

    // Retry all first. The Firestore emulator keeps the listen targets of closed pages and tries to send every
    // later change to them ("too many pending messages in the back channel"), which stalls bulk writes that touch
    // their results. The timing runs below each leave such a page behind; a deployed project does not do this.
    const retryContext = await chromium.newContext({ viewport });
    const page = await retryContext.newPage();
    await page.goto(`${HOSTING_ORIGIN}/?state=failed&collection=${retried}`);
    await signIn(page, admin);
    await page.locator("table.tasks tbody tr[data-path]").first().waitFor({ timeout: 60_000 });
    const storageState = await retryContext.storageState({ indexedDB: true }); // Firebase Auth keeps its session there
    await page.getByRole("button", { name: "Retry all matching…" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.waitFor();
    const title = await dialog.locator("h2").innerText();
    const retryStarted = performance.now();
    await dialog.getByRole("button", { name: /^Retry all/ }).click();
    const report = page.locator(".notice", { hasText: "Retry all:" });
    await report.waitFor({ timeout: 600_000 });
    const retrySeconds = (performance.now() - retryStarted) / 1000;
    const reported = (await report.innerText()).split("\n")[0];
    await page.goto("about:blank"); // the page closes its Firestore channel on pagehide
    await retryContext.close();
    const scheduled = await countTasks(retried, "scheduled");

    // Cold: a fresh profile, the sign-in form, then the first rows of the failed tab (no filter: what an operator
    // opens in an incident, here the other N failed tasks).
    const coldContext = await chromium.newContext({ viewport });
    const cold = await coldContext.newPage();
    await cold.goto(`${HOSTING_ORIGIN}/?state=failed`);
    const signInStarted = performance.now();
    await signIn(cold, admin);
    await cold.locator("table.tasks tbody tr[data-path]").first().waitFor({ timeout: 60_000 });
    const signInToRows = performance.now() - signInStarted;
    await coldContext.close();

    // Warm: already signed in (the saved profile), each run in a fresh browser context.
    const opened: { firstRows: number; counts: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await chromium.newContext({ viewport, storageState });
      const warm = await context.newPage();
      opened.push(await openAndTime(warm, "/?state=failed"));
      await warm.goto("about:blank");
      await context.close();
    }
    await getAuth().deleteUser(admin.uid);

    const result = {
      tasks,
      setup: { seconds: Math.round(setupSeconds * 10) / 10 },
      signInToFirstRowsMs: ms(signInToRows),
      openToFirstRowsMs: {
        median: ms(median(opened.map((o) => o.firstRows))),
        runs: opened.map((o) => ms(o.firstRows)),
      },
      openToAllCountsMs: { median: ms(median(opened.map((o) => o.counts))), runs: opened.map((o) => ms(o.counts)) },
      retryAll: {
        dialog: title,
        seconds: Math.round(retrySeconds * 10) / 10,
        tasksPerSecond: Math.round(scheduled / retrySeconds),
        reported,
        verifiedScheduled: scheduled,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `\n${tasks.toLocaleString("en")} failed tasks: first rows ${result.openToFirstRowsMs.median} ms after opening ` +
        `the page (median of ${runs}; all counts after ${result.openToAllCountsMs.median} ms; ` +
        `${result.signInToFirstRowsMs} ms from "Sign in"). Retry all of ${tasks.toLocaleString("en")}: ` +
        `${result.retryAll.seconds} s (${result.retryAll.tasksPerSecond} tasks/s), "${reported}"`,
    );
  } finally {
    await browser?.close();
    // The bench data stays: deleting it would stall on the closed pages' listeners (see above), and the emulators
    // this runs in (`npm run with-emulators`) stop right after.
    await setBackgroundTriggers(true);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
