#!/usr/bin/env node
// `npm run with-emulators -- <command...>`: builds the functions and the admin page, starts the Firestore, Auth,
// Functions, Cloud Tasks and Hosting emulators for the demo project, runs the command with the emulator variables
// set (FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST, CLOUD_TASKS_EMULATOR_HOST, GCLOUD_PROJECT, ...),
// stops everything and exits with the command's exit code. Beside the emulators it runs what they lack: a task
// scheduler that holds Cloud Tasks until their time (lib/task-scheduler.mjs), and the sweeper on its production
// schedule, which the Functions emulator does not run (lib/background-sweeper.mjs).
//
// The emulators' own output goes to a log file (EMULATOR_LOG, shown on failure), and so does the sweeper's, so the
// command's output, a test runner's summary for instance, is what the terminal ends with.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkJava, resolveFirestoreEmulator, SetupError } from "./lib/firestore-emulator.mjs";
import { functionsRuntime } from "./lib/functions-runtime.mjs";
import { startTaskScheduler } from "./lib/task-scheduler.mjs";
import { startBackgroundSweeper } from "./lib/background-sweeper.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEMO_PROJECT = "demo-taskqueue";
const EMULATORS = ["firestore", "auth", "functions", "tasks", "hosting"];
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;

function readConfig(file) {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8"));
}

/**
 * The emulator configuration to use. With EMULATOR_PORT_OFFSET=N every port in firebase.json moves up by N, so a
 * second suite (tests while `npm start` runs) does not collide with the first. firebase.json keeps all ports in
 * 8000-8099, so any multiple of 100 is a safe offset.
 */
function emulatorConfig(offset) {
  const config = readConfig("firebase.json");
  if (!offset) return { configFile: "firebase.json", config };
  for (const emulator of Object.values(config.emulators)) {
    if (typeof emulator.port === "number") emulator.port += offset;
    if (typeof emulator.websocketPort === "number") emulator.websocketPort += offset;
  }
  // firebase-tools resolves the paths inside the config against the config file's folder: keep it at the root.
  const configFile = `firebase.ports-${offset}.json`;
  writeFileSync(join(ROOT, configFile), JSON.stringify(config, null, 2));
  return { configFile, config };
}

/**
 * Where the task scheduler listens: the port after the Cloud Tasks emulator's. It holds delayed Cloud Tasks until
 * their time, which the emulator does not (scripts/lib/task-scheduler.mjs).
 */
function taskSchedulerAddress(emulators) {
  return { host: emulators.tasks.host, port: emulators.tasks.port + 1 };
}

/** The variables a program needs to reach the emulators (what `firebase emulators:exec` would set, and more). */
function emulatorEnv(emulators) {
  const host = (name) => `${emulators[name].host}:${emulators[name].port}`;
  const scheduler = taskSchedulerAddress(emulators);
  return {
    GCLOUD_PROJECT: DEMO_PROJECT,
    FIRESTORE_EMULATOR_HOST: host("firestore"),
    FIREBASE_AUTH_EMULATOR_HOST: host("auth"),
    // Cloud Tasks requests go through the scheduler: from this program, and from the functions (the Functions
    // emulator sets their CLOUD_TASKS_EMULATOR_HOST to the emulator itself; the engine prefers this variable).
    CLOUD_TASKS_EMULATOR_HOST: `${scheduler.host}:${scheduler.port}`,
    TASK_SCHEDULER_EMULATOR_HOST: `${scheduler.host}:${scheduler.port}`,
    FIREBASE_EMULATOR_HUB: host("hub"),
    FUNCTIONS_EMULATOR_ORIGIN: `http://${host("functions")}`,
    HOSTING_EMULATOR_ORIGIN: `http://${host("hosting")}`,
  };
}

function build() {
  const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new SetupError("The build failed (see above); the emulators were not started.");
}

function tail(file, lines = 60) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Starts the emulator suite in its own process group; resolves once every emulator is ready. firebase-tools runs on
 * `node`, and the Functions emulator runs the functions on that same binary.
 */
function startEmulators(node, configFile, env, logFile, firestorePort) {
  const firebase = join(ROOT, "node_modules", "firebase-tools", "lib", "bin", "firebase.js");
  const args = ["emulators:start", "--config", configFile, "--only", EMULATORS.join(","), "--project", DEMO_PROJECT];
  const log = createWriteStream(logFile);
  const child = spawn(node, [firebase, ...args], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const ready = new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new SetupError(`The emulators did not start within ${START_TIMEOUT_MS / 1000} s.`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on("data", (chunk) => {
      seen = (seen + chunk).slice(-4096);
      if (seen.includes("All emulators ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new SetupError(`The emulators exited during start-up (code ${code}).`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGINT"); // firebase-tools shuts the emulators down cleanly on SIGINT
        const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS));
        if ((await Promise.race([exited, timeout])) === "timeout") process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // firebase-tools starts the Firestore emulator (Java) in a process group of its own; if firebase-tools had to
    // be killed, that JVM would outlive it and keep the port.
    spawnSync("pkill", ["-f", `--port ${firestorePort} --websocket_port`]);
    log.end();
  };
  /** Appends a line of another process's (the sweeper's) to the same log. */
  const logLine = (line) => log.writable && log.write(`${line}\n`);
  return { ready, stop, logLine };
}

/** Runs `command` (an argv array) inside the emulator suite and resolves to its exit code. */
export async function withEmulators(command, { skipBuild = false } = {}) {
  checkJava();
  const firestoreEnv = await resolveFirestoreEmulator(join(ROOT, ".emulator"));
  if (!skipBuild) build();
  const offset = Number(process.env.EMULATOR_PORT_OFFSET ?? 0);
  const { configFile, config } = emulatorConfig(offset);
  mkdirSync(join(ROOT, ".emulator"), { recursive: true });
  const logFile = process.env.EMULATOR_LOG ?? join(ROOT, ".emulator", `emulators-${offset}.log`);
  const env = { ...process.env, ...firestoreEnv, ...emulatorEnv(config.emulators), EMULATOR_LOG: logFile };

  const runtime = functionsRuntime(ROOT, config);
  if (runtime.warning) console.error(`Warning: ${runtime.warning}`);
  const emulators = startEmulators(runtime.node, configFile, env, logFile, config.emulators.firestore.port);
  let interrupted = false;
  let commandProcess;
  // Ctrl-C reaches the command through the terminal; a SIGTERM (CI, `timeout`) reaches only us: pass it on.
  // Either way, the emulators are stopped once the command has exited.
  const onSignal = (signal) => {
    interrupted = true;
    if (signal === "SIGTERM") commandProcess?.kill("SIGTERM");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let scheduler;
  let sweeper;
  try {
    console.error(`Starting emulators (log: ${logFile}) ...`);
    await emulators.ready;
    const { tasks } = config.emulators;
    scheduler = await startTaskScheduler({
      ...taskSchedulerAddress(config.emulators),
      upstream: `${tasks.host}:${tasks.port}`,
      log: (line) => console.error(`task scheduler: ${line}`),
    });
    // Scheduled functions are not emulated: the sweeper runs here, every minute as in production.
    sweeper = await startBackgroundSweeper({ env, log: emulators.logLine });
  } catch (error) {
    await scheduler?.close();
    await emulators.stop();
    console.error(tail(logFile));
    throw error;
  }
  const code = interrupted
    ? 130
    : await new Promise((resolve) => {
        commandProcess = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: "inherit" });
        commandProcess.on("error", (error) => {
          console.error(`Could not run ${command[0]}: ${error.message}`);
          resolve(127);
        });
        commandProcess.on("exit", (exitCode, signal) => resolve(exitCode ?? 128 + (constants.signals[signal] ?? 1)));
      });
  await sweeper.stop();
  await scheduler.close();
  await emulators.stop();
  return code;
}

/** Command-line entry: runs `command` in the emulators and exits with its code, or explains a setup problem. */
export async function runAndExit(command, options) {
  try {
    process.exit(await withEmulators(command, options));
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv.slice(2);
  if (command.length === 0) {
    console.error("usage: npm run with-emulators -- <command...>");
    process.exit(2);
  }
  await runAndExit(command, { skipBuild: process.env.SKIP_BUILD === "1" });
}
