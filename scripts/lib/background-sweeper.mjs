// The Functions emulator does not run scheduled functions, so the emulator suite runs them itself, in one child
// process with the emulators' variables, on the built engine (functions/lib): the sweeper's `sweep()` on its
// production schedule (`SWEEPER.schedule`), as Cloud Scheduler would call `sweepTasks`, and the recurring schedules'
// `runSchedules()` at each minute of the wall clock (hh:mm:00), as Cloud Scheduler fires `runSchedules`'s
// every-minute job. `npm run with-emulators` starts it once the emulators are up and stops it before them
// (scripts/with-emulators.mjs).
//
// A pass that is still running when the next one is due is not doubled: that tick is skipped and logged (Cloud
// Scheduler would start a second invocation; the passes are safe side by side, but they would only load the
// emulators).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const SELF = fileURLToPath(import.meta.url);
const FUNCTIONS_LIB = join(dirname(SELF), "..", "..", "functions", "lib");
const STOP_TIMEOUT_MS = 20_000;

/** Every line the child writes carries this, after an ISO time: `2026-01-01T00:00:00.000Z sweeper: ...`. */
export const LOG_PREFIX = "sweeper:";
/** The line before each pass of the schedules (the sweeper's is "pass started"). */
export const SCHEDULES_PASS = "schedules pass started";

/** Milliseconds from `now` to the next minute of the wall clock (hh:mm:00.000); a whole minute on the dot. */
export function msToNextMinute(now = Date.now()) {
  return 60_000 - (now % 60_000);
}

/** A schedule in Cloud Scheduler's "every N minutes" / "every N hours" form (what `onSchedule` takes), in ms. */
export function scheduleIntervalMs(schedule) {
  const match = /^every (\d+) (minute|minutes|hour|hours)$/.exec(String(schedule).trim());
  if (!match || Number(match[1]) < 1) {
    throw new Error(`the emulator suite reads a schedule as "every N minutes" or "every N hours", not "${schedule}"`);
  }
  return Number(match[1]) * (match[2].startsWith("hour") ? 3_600_000 : 60_000);
}

const importLib = (file) => import(pathToFileURL(join(FUNCTIONS_LIB, file)).href);

/** The production schedule's interval, from the built engine's config (functions/lib/queue/config.js). */
export async function productionIntervalMs() {
  const { SWEEPER } = await importLib("queue/config.js");
  return scheduleIntervalMs(SWEEPER.schedule);
}

/**
 * Starts the sweeper and the schedules in a child process with `env` (the emulators' variables) and resolves once
 * it is running: `{ intervalMs, stop() }` (the sweeper's interval); `stop()` lets the passes in progress finish and
 * resolves to the child's exit code (or signal). Its output, line by line with the time and LOG_PREFIX, goes to
 * `log`. The first sweep comes one interval after the start, as Cloud Scheduler's first run comes within one after
 * a deploy; the schedules' first pass at the next minute of the clock.
 */
export async function startBackgroundSweeper({ env, intervalMs, log = () => {} }) {
  const interval = intervalMs ?? (await productionIntervalMs());
  const child = spawn(process.execPath, [SELF, "--run", String(interval)], {
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const write = (line) => log(`${new Date().toISOString()} ${LOG_PREFIX} ${line}`);
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", write);
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("error", reject);
    exited.then((code) => reject(new Error(`the sweeper exited while starting (${code})`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS));
      if ((await Promise.race([exited, timeout])) === "timeout") child.kill("SIGKILL");
    }
    return exited;
  };
  return { intervalMs: interval, stop };
}

/** Runs `pass` unless the previous one is still running; `pass` resolves when it ends. */
function oneAtATime(started, pass) {
  let running;
  const run = () => {
    if (running) {
      console.log(`${started.replace("started", "skipped")}: the previous one is still running`);
      return;
    }
    console.log(started);
    running = pass()
      .catch((error) => console.error(`${started.replace("started", "failed")}: ${error?.stack ?? error}`))
      .finally(() => (running = undefined));
  };
  return { run, done: () => running };
}

/**
 * The child: sweeps every `intervalMs` and runs the schedules at each minute of the clock, until SIGTERM or SIGINT;
 * then finishes the passes in progress and exits.
 */
async function runChild(intervalMs) {
  const { sweep } = await importLib("queue/triggers/sweep-tasks.js");
  const { runSchedules } = await importLib("queue/triggers/run-schedules.js");
  const { runMetricsPass } = await importLib("queue/triggers/roll-up-metrics.js");
  const { handlers } = await importLib("handlers/index.js");
  const { schedules } = await importLib("handlers/schedules.js");
  const sweeper = oneAtATime("pass started", () => sweep(handlers));
  // The metrics pass shares the schedules' minute, as it shares their deployed function (runSchedules).
  const scheduler = oneAtATime(SCHEDULES_PASS, () =>
    Promise.allSettled([runSchedules(schedules), runMetricsPass(handlers)]).then((results) => {
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    }),
  );
  const sweepTimer = setInterval(sweeper.run, intervalMs);
  let minuteTimer;
  const atNextMinute = () => {
    const minute = Date.now() + msToNextMinute();
    minuteTimer = setTimeout(async () => {
      // A timer may fire a millisecond early; the pass reads the clock, which must have reached the minute.
      while (Date.now() < minute) await new Promise((resolve) => setTimeout(resolve, minute - Date.now()));
      scheduler.run();
      atNextMinute();
    }, minute - Date.now());
  };
  atNextMinute();
  const stop = async () => {
    clearInterval(sweepTimer);
    clearTimeout(minuteTimer);
    await Promise.all([sweeper.done(), scheduler.done()]);
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  console.log(`started: a sweep every ${intervalMs / 1000} s, the schedules at each minute`);
  process.send?.("ready", () => process.disconnect());
}

if (process.argv[1] === SELF && process.argv[2] === "--run") {
  await runChild(Number(process.argv[3]));
}
