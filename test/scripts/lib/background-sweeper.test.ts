// The Functions emulator does not run scheduled functions, so `npm run with-emulators` runs them itself, in a child
// process: the sweeper on its production schedule, the schedules at each minute of the clock
// (scripts/lib/background-sweeper.mjs).
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { SWEEPER } from "../../../functions/src/queue/config";
import { slotId } from "../../../functions/src/queue/flow/schedules";
import { adminDb, emulatorVariable, sleep } from "../../support/emulators";
import { newParent, runsOf, waitForState, writeTask } from "../../support/tasks";

const LIB = join(__dirname, "..", "..", "..", "scripts", "lib", "background-sweeper.mjs");

interface BackgroundSweeper {
  intervalMs: number;
  stop(): Promise<number | string | null>;
}
interface Lib {
  LOG_PREFIX: string;
  SCHEDULES_PASS: string;
  msToNextMinute(now?: number): number;
  scheduleIntervalMs(schedule: string): number;
  startBackgroundSweeper(options: {
    env: NodeJS.ProcessEnv;
    intervalMs?: number;
    log?: (line: string) => void;
  }): Promise<BackgroundSweeper>;
}
const lib = (): Promise<Lib> => import(LIB);

/** When each pass in `lines` started (the child says so before each pass). */
async function passStarts(lines: string[]): Promise<number[]> {
  const { LOG_PREFIX } = await lib();
  return lines.filter((l) => l.includes(`${LOG_PREFIX} pass started`)).map((l) => Date.parse(l.split(" ")[0]));
}

describe("the emulator suite's sweeper", () => {
  it("reads Cloud Scheduler's 'every N minutes' and 'every N hours'", async () => {
    const { scheduleIntervalMs } = await lib();
    assert.equal(scheduleIntervalMs(SWEEPER.schedule), 60_000);
    assert.equal(scheduleIntervalMs("every 5 minutes"), 300_000);
    assert.equal(scheduleIntervalMs("every 1 minute"), 60_000);
    assert.equal(scheduleIntervalMs("every 2 hours"), 7_200_000);
    assert.throws(() => scheduleIntervalMs("*/5 * * * *"), /every N minutes/);
  });

  it("sweeps on its interval in a child process with the emulators' variables, until stopped", async () => {
    const { startBackgroundSweeper } = await lib();
    // A task the trigger never saw (created cancelled, then made scheduled), two hours old and without runAt.
    const task = await writeTask(await newParent(), {
      type: "demo",
      action: "record",
      state: "cancelled",
      createdAt: Timestamp.fromMillis(Date.now() - 7200_000),
    });
    await task.update({ state: "scheduled" });
    const lines: string[] = [];
    const sweeper = await startBackgroundSweeper({ env: process.env, intervalMs: 1000, log: (l) => lines.push(l) });
    let exit: number | string | null | undefined;
    try {
      const done = await waitForState(task, ["completed", "failed"], 40_000);
      assert.equal(done.get("state"), "completed");
      assert.equal(await runsOf(task), 1);
      while ((await passStarts(lines)).length < 3) await sleep(200);
    } finally {
      exit = await sweeper.stop();
    }
    assert.equal(exit, 0, `stopped cleanly:\n${lines.join("\n")}`);
    const starts = await passStarts(lines);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 900, "one pass a second");
    assert.ok(
      lines.some((l) => l.includes('"message":"sweep finished"')),
      "the sweeper's own log lines",
    );
    const count = starts.length;
    await sleep(1500);
    assert.equal((await passStarts(lines)).length, count, "no pass after stop()");
  });

  it(`runs inside npm run with-emulators on the production schedule, "${SWEEPER.schedule}"`, async function () {
    const { scheduleIntervalMs } = await lib();
    const interval = scheduleIntervalMs(SWEEPER.schedule);
    this.timeout(2 * interval + 60_000);
    // Its lines go to the emulators' log; in a whole test run there are several passes by the time this runs.
    const log = emulatorVariable("EMULATOR_LOG");
    const passes = () => passStarts(readFileSync(log, "utf8").split("\n"));
    const deadline = Date.now() + 2 * interval + 30_000;
    while ((await passes()).length < 2 && Date.now() < deadline) await sleep(1000);
    const starts = await passes();
    assert.ok(starts.length >= 2, `passes in ${log}: ${starts.length}`);
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i] - starts[i - 1];
      const off = Math.abs(gap - Math.round(gap / interval) * interval);
      assert.ok(gap >= interval - 2000 && off <= 2000, `passes ${gap} ms apart, every ${interval} ms expected`);
    }
  });

  it("times the schedules' passes by the clock's minutes", async () => {
    const { msToNextMinute } = await lib();
    assert.equal(msToNextMinute(Date.parse("2026-01-01T10:00:00.000Z")), 60_000);
    assert.equal(msToNextMinute(Date.parse("2026-01-01T10:00:59.999Z")), 1);
    assert.equal(msToNextMinute(Date.parse("2026-01-01T10:00:15.250Z")), 44_750);
  });

  it("runs the schedules inside npm run with-emulators at each minute (hh:mm:00), and demo-heartbeat's task completes", async function () {
    this.timeout(4 * 60_000);
    const { LOG_PREFIX, SCHEDULES_PASS } = await lib();
    const log = emulatorVariable("EMULATOR_LOG");
    const passes = () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.includes(`${LOG_PREFIX} ${SCHEDULES_PASS}`))
        .map((l) => Date.parse(l.split(" ")[0]));
    const deadline = Date.now() + 2 * 60_000 + 30_000;
    while (passes().length < 2 && Date.now() < deadline) await sleep(1000);
    const starts = passes();
    assert.ok(starts.length >= 2, `schedules passes in ${log}: ${starts.length}`);
    for (const at of starts) {
      assert.ok(at % 60_000 < 3000, `a pass began at ${new Date(at).toISOString()}, not at the start of a minute`);
    }
    // The latest pass wrote demo-heartbeat's slot of its minute, and the trigger ran it.
    const minute = new Date(Math.floor(starts[starts.length - 1] / 60_000) * 60_000);
    const task = adminDb().doc(`taskSchedules/demo-heartbeat/tasks/${slotId(minute)}`);
    const done = await waitForState(task, ["completed", "failed"], 60_000);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("slot").toMillis(), minute.getTime());
  });
});
