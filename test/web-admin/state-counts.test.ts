// The state tabs' counts are count() queries, taken again when the list changes: at most once per
// METRICS.countRefreshMs whatever the write rate (an open tab's reads per hour are bounded), and never postponed
// while the changes go on (a debounce would wait for a quiet moment that a busy queue never has). The test watches
// the page's count requests while tasks keep failing under its filter.
import assert from "node:assert/strict";
import { METRICS } from "../../functions/src/queue/config";
import { TASK_STATES } from "../../functions/src/queue/model/task";
import { createUser, sleep } from "../support/emulators";
import { isolatedParent, useBrowser, waitForCount, withAdminPage, writeFailedTask } from "./browser";

/** Requests less than this apart belong to one round (a round sends one request per state at once). */
const SAME_ROUND_MS = 1000;
const STREAM_MS = 12_000;

/** When each round of count requests started, from the times of the requests. */
function roundStarts(requestTimes: number[]): number[] {
  const starts: number[] = [];
  let last = -Infinity;
  for (const at of requestTimes) {
    if (at - last > SAME_ROUND_MS) starts.push(at);
    last = at;
  }
  return starts;
}

describe("admin page: state counts", () => {
  const browser = useBrowser();

  it("under a steady stream of new failures, the counts are taken every 5 s: never more often, never postponed", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    await writeFailedTask(parent);
    await withAdminPage(browser(), admin, `/?state=failed&collection=${parent.parent.id}`, async (page) => {
      await waitForCount(page, "failed", 1);
      const requestTimes: number[] = [];
      page.on("request", (request) => {
        if (request.url().includes(":runAggregationQuery")) requestTimes.push(Date.now());
      });
      // A new failed task every 300 ms: each one changes the open list, and each change asks for a recount.
      const start = Date.now();
      let written = 1;
      while (Date.now() - start < STREAM_MS) {
        await writeFailedTask(parent);
        written++;
        await sleep(300);
      }
      const end = Date.now();
      await waitForCount(page, "failed", written); // and the counts catch up once the stream stops

      const during = requestTimes.filter((at) => at <= end);
      const starts = roundStarts(during);
      assert.equal(during.length % TASK_STATES.length, 0, `whole rounds of ${TASK_STATES.length} counts`);
      const gaps = starts.slice(1).map((at, i) => at - starts[i]);
      const detail = `rounds at +${starts.map((at) => at - start).join(", +")} ms`;
      assert.ok(
        gaps.every((gap) => gap >= METRICS.countRefreshMs - 100),
        `never more often than every ${METRICS.countRefreshMs} ms: ${detail}`,
      );
      assert.ok(starts.length >= 2, `rounds go on while the changes do: ${detail}`);
      assert.ok(
        gaps.every((gap) => gap <= METRICS.countRefreshMs + 1500) && end - starts[starts.length - 1] <= 6500,
        `never postponed: ${detail}`,
      );
    });
  });
});
