// The functions `firebase deploy` would deploy, found the way it finds them, offline. `discoverDeployedFunctions()`
// runs this file in a child process whose environment is a deploy's from a plain shell: no emulator variables (the
// suite runs inside the emulators), so the code sees what production sees. There, firebase-tools' own prepare step
// for a Node codebase (loadCodebases: runtime delegate, validate, discoverBuild, which starts the SDK's
// `firebase-functions` binary on functions/lib and reads its manifest) and resolveBackend turn the build into the
// endpoints a deploy creates. No project is contacted: discovery talks to the binary on localhost only.
//
// With `--emulator` it runs the same discovery with FUNCTIONS_EMULATOR=true added, as the Functions emulator
// does, so a test can see what exists only there.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const FUNCTIONS_DIR = join(ROOT, "functions");
/** A project id for the manifest; nothing is sent to it. */
export const DEPLOY_PROJECT = "task-queue-deploy-check";
/** The region firebase-tools falls back to in the child: not REGION, so a function without one stands out. */
export const FALLBACK_REGION = "europe-west1";

export interface Discovery {
  /** The endpoints a deploy would create or update, keyed by function name. */
  endpoints: Record<string, Record<string, unknown>>;
  /** The variables firebase-tools passed to the discovery process (besides HOME, PATH and its control flags). */
  discoveryEnv: string[];
  requiredAPIs: string[];
}

/**
 * Fails with what to do when functions/lib is missing, or, run on its own, older than functions/src. Inside `npm run
 * with-emulators` (which builds before it starts them) functions/lib is the build the emulators run, whatever was
 * edited since.
 */
export function assertFunctionsBuilt(): void {
  const build = "run `npm run build --workspace functions` (npm test and npm run with-emulators build it first)";
  if (!existsSync(join(FUNCTIONS_DIR, "lib", "index.js"))) {
    throw new Error(`functions/lib/index.js is missing: ${build}`);
  }
  if (process.env.FIREBASE_EMULATOR_HUB) return;
  const stale = sourceFiles(join(FUNCTIONS_DIR, "src")).filter((src) => {
    const out = join(FUNCTIONS_DIR, "lib", relative(join(FUNCTIONS_DIR, "src"), src)).replace(/\.ts$/, ".js");
    return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
  });
  if (stale.length) {
    const names = stale.slice(0, 5).map((f) => relative(ROOT, f));
    throw new Error(`functions/lib is older than ${names.join(", ")}${stale.length > 5 ? ", ..." : ""}: ${build}`);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The environment of `firebase deploy` run from a shell: this process's, without anything the emulators set. */
export function deployEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const emulator = /EMULATOR/.test(name) || name === "GCLOUD_PROJECT" || name === "FIREBASE_CONFIG";
    if (!emulator && !name.startsWith("FIREBASE_FUNCTIONS_")) env[name] = value;
  }
  env.FIREBASE_FUNCTIONS_DEFAULT_REGION = FALLBACK_REGION;
  return env;
}

/** Runs the discovery in a child process with a deploy's environment (or the emulator's variable, if asked). */
export function discoverDeployedFunctions(mode: "deploy" | "emulator" = "deploy"): Promise<Discovery> {
  const args = ["--import", "tsx", __filename, ...(mode === "emulator" ? ["--emulator"] : [])];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: deployEnvironment(), timeout: 60_000 },
      (error, stdout, stderr) => {
        const result = stdout.split("\n").find((line) => line.startsWith("DISCOVERY "));
        if (error || !result) {
          reject(
            new Error(`functions discovery failed (${mode}): ${error?.message ?? "no result"}\n${stderr}${stdout}`),
          );
        } else {
          resolve(JSON.parse(result.slice("DISCOVERY ".length)));
        }
      },
    );
  });
}

async function main(emulator: boolean): Promise<Discovery> {
  // Loaded here, in the child only: firebase-tools is large, and the test process never needs it.
  const { Config } = await import("firebase-tools/lib/config");
  const { loadCodebases } = await import("firebase-tools/lib/deploy/functions/prepare");
  const { resolveBackend } = await import("firebase-tools/lib/deploy/functions/build");
  const { allEndpoints } = await import("firebase-tools/lib/deploy/functions/backend");
  const { normalizeAndValidate } = await import("firebase-tools/lib/functions/projectConfig");
  const { Delegate } = await import("firebase-tools/lib/deploy/functions/runtimes/node");
  const { logger } = await import("firebase-tools/lib/logger");
  // firebase-tools logs the functions' own errors (a module that throws on load, say) at level error: show them.
  logger.error = ((...args: unknown[]) => console.error(...args)) as typeof logger.error;

  // What the discovery process is given, seen where firebase-tools starts it.
  const discoveryEnv = new Set<string>();
  const spawn = Delegate.prototype.spawnFunctionsProcess;
  Delegate.prototype.spawnFunctionsProcess = function (this: InstanceType<typeof Delegate>, config, envs) {
    Object.keys(envs).forEach((name) => discoveryEnv.add(name));
    const extra = emulator ? { FUNCTIONS_EMULATOR: "true" } : {};
    return spawn.call(this, config, { ...envs, ...extra });
  };

  const firebaseJson = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8"));
  const options = { config: new Config(firebaseJson, { projectDir: ROOT, cwd: ROOT }), project: DEPLOY_PROJECT };
  // What prepare gets from the Firebase Management API for a real project.
  const firebaseConfig = {
    projectId: DEPLOY_PROJECT,
    storageBucket: `${DEPLOY_PROJECT}.firebasestorage.app`,
    locationId: "us-central",
  };
  const builds = await loadCodebases(
    normalizeAndValidate(firebaseJson.functions),
    options as unknown as Parameters<typeof loadCodebases>[1],
    firebaseConfig,
    { firebase: firebaseConfig },
  );
  const build = builds.default;
  const { backend } = await resolveBackend({
    build,
    firebaseConfig,
    userEnvs: {},
    nonInteractive: true,
    isEmulator: false,
  });
  const endpoints = Object.fromEntries(
    allEndpoints(backend).map((e) => [e.id, e as unknown as Record<string, unknown>]),
  );
  return {
    endpoints,
    discoveryEnv: [...discoveryEnv].sort(),
    requiredAPIs: (build.requiredAPIs ?? []).map((r) => r.api).sort(),
  };
}

if (require.main === module) {
  main(process.argv.includes("--emulator")).then(
    (discovery) => {
      process.stdout.write(`DISCOVERY ${JSON.stringify(discovery)}\n`);
      process.exit(0); // the discovery server's kill timer would hold the process for 10 s
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
