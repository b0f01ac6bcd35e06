// The Functions emulator does not run scheduled functions, so the emulator suite runs the sweeper itself: a child
// process that calls the built engine's `sweep()` (functions/lib) on the production schedule (`SWEEPER.schedule`)
// with the emulators' variables, as Cloud Scheduler would call `sweepTasks`. `npm run with-emulators` starts it once
// the emulators are up and stops it before them (scripts/with-emulators.mjs).
//
// A pass that is still running when the next one is due is not doubled: that tick is skipped and logged (Cloud
// Scheduler would start a second invocation; the sweeper's passes are safe side by side, but they would only load the
// emulators).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const SELF = fileURLToPath(import.meta.url);
const FUNCTIONS_LIB = join(dirname(SELF), "..", "..", "functions", "lib");
const STOP_TIMEOUT_MS = 20_000;

/** Every line the sweeper writes carries this, after an ISO time: `2026-01-01T00:00:00.000Z sweeper: ...`. */
export const LOG_PREFIX = "sweeper:";

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
 * Starts the sweeper in a child process with `env` (the emulators' variables) and resolves once it is running:
 * `{ intervalMs, stop() }`; `stop()` lets a pass in progress finish and resolves to the child's exit code (or
 * signal). Its output, line by line with the time and LOG_PREFIX, goes to `log`. The first pass comes one interval
 * after the start, as Cloud Scheduler's first run comes within one after a deploy.
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

/** The child: sweeps every `intervalMs` until SIGTERM or SIGINT, then finishes the pass in progress and exits. */
async function runSweeper(intervalMs) {
  const { sweep } = await importLib("queue/triggers/sweep-tasks.js");
  const { handlers } = await importLib("handlers/index.js");
  let running;
  const pass = () => {
    if (running) {
      console.log("pass skipped: the previous one is still running");
      return;
    }
    console.log("pass started");
    running = sweep(handlers)
      .catch((error) => console.error(`pass failed: ${error?.stack ?? error}`))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(pass, intervalMs);
  const stop = async () => {
    clearInterval(timer);
    await running;
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  console.log(`started: a pass every ${intervalMs / 1000} s`);
  process.send?.("ready", () => process.disconnect());
}

if (process.argv[1] === SELF && process.argv[2] === "--run") {
  await runSweeper(Number(process.argv[3]));
}
