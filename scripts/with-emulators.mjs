#!/usr/bin/env node
// `npm run with-emulators -- <command...>`: builds the functions and the admin page, starts the Firestore, Auth,
// Functions, Cloud Tasks and Hosting emulators for the demo project, runs the command with the emulator
// variables set (FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST, CLOUD_TASKS_EMULATOR_HOST,
// GCLOUD_PROJECT, ...), stops everything and exits with the command's exit code.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkJava, resolveFirestoreEmulator, SetupError } from "./lib/firestore-emulator.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEMO_PROJECT = "demo-taskqueue";
const EMULATORS = "firestore,auth,functions,tasks,hosting";

function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The emulator configuration to use. With EMULATOR_PORT_OFFSET=N every port in firebase.json moves up by N, so a
 * second suite (tests while `npm start` runs) does not collide with the first. Returns the config file's name.
 */
function emulatorConfig(offset) {
  if (!offset) return { configFile: "firebase.json", config: readConfig("firebase.json") };
  const config = readConfig("firebase.json");
  for (const emulator of Object.values(config.emulators)) {
    if (typeof emulator.port === "number") emulator.port += offset;
    if (typeof emulator.websocketPort === "number") emulator.websocketPort += offset;
  }
  // firebase-tools resolves the paths inside the config against the config file's folder: keep it at the root.
  const configFile = `firebase.ports-${offset}.json`;
  writeFileSync(join(ROOT, configFile), JSON.stringify(config, null, 2));
  return { configFile, config };
}

function readConfig(file) {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8"));
}

function build() {
  const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new SetupError("The build failed (see above); the emulators were not started.");
}

/** Runs `command` (an argv array) inside the emulator suite and resolves to its exit code. */
export async function withEmulators(command, { skipBuild = false } = {}) {
  checkJava();
  const firestoreEnv = await resolveFirestoreEmulator(join(ROOT, ".emulator"));
  if (!skipBuild) build();
  const { configFile, config } = emulatorConfig(Number(process.env.EMULATOR_PORT_OFFSET ?? 0));
  const { hosting, functions } = config.emulators;
  const firebase = join(ROOT, "node_modules", ".bin", "firebase");
  const script = command.map(shellQuote).join(" ");
  const args = ["emulators:exec", "--config", configFile, "--only", EMULATORS, "--project", DEMO_PROJECT, script];
  const child = spawn(firebase, args, {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      ...firestoreEnv,
      GCLOUD_PROJECT: DEMO_PROJECT,
      // firebase-tools sets the other emulator hosts; these two are for the tests and the seed script.
      HOSTING_EMULATOR_ORIGIN: `http://${hosting.host}:${hosting.port}`,
      FUNCTIONS_EMULATOR_ORIGIN: `http://${functions.host}:${functions.port}`,
    },
  });
  // Ctrl-C reaches firebase-tools through the process group; it stops the emulators and the command itself.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv.slice(2);
  if (command.length === 0) {
    console.error("usage: npm run with-emulators -- <command...>");
    process.exit(2);
  }
  try {
    process.exit(await withEmulators(command, { skipBuild: process.env.SKIP_BUILD === "1" }));
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
}
