// Cold start: what a new instance of each deployed function loads before it can serve, next to the plain design's
// entry module (functions/src/bench/plain-entry.ts). Each sample is a whole `node` process, started with the
// variables a deployed instance has (FUNCTION_TARGET, K_SERVICE, ..., no emulator), that requires the built entry
// module and reads its target export, as the Functions Framework does, then exits: wall time from spawn to exit
// and the process's peak RSS. Samples alternate between the functions and the plain design round by round (the
// order rotating), so a busy moment of a shared machine falls on all of them alike; medians are compared.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { handlers } from "../functions/src/handlers";
import { limitedQueues } from "../functions/src/queue/flow/limits";
import { percentile, round } from "./stats";

const ROOT = join(__dirname, "..");
const LIB = join(ROOT, "functions", "lib");
/** The Node the functions run on in production (firebase.json's runtime), found as the emulators find it. */
async function runtimeNode(): Promise<string> {
  const { functionsRuntime } = (await import(join(ROOT, "scripts", "lib", "functions-runtime.mjs"))) as {
    functionsRuntime: (root: string, firebaseConfig: unknown) => { node: string };
  };
  return functionsRuntime(ROOT, JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8"))).node;
}

export interface ColdStartTarget {
  /** The function as deployed (`limited-demo-throttled20`). */
  name: string;
  /** Its entry point, FUNCTION_TARGET (`limited.demo.throttled20`); undefined: read every export. */
  entryPoint?: string;
  /** The entry module under functions/lib, or `sdk:<kind>`: a bare function of that kind, the SDK alone. */
  module: string;
  /** Its trigger kind: a bare function of that kind is the floor the SDK sets ("all": every kind). */
  kind: TriggerKind | "all";
}

/** firebase-functions v2 trigger kinds, each loading a different part of the SDK. */
export type TriggerKind = "firestore" | "tasks" | "https" | "scheduler";

export interface ColdStartSample {
  /** Wall time from spawn to exit. */
  ms: number;
  /** The process's user + system CPU time: less sensitive to other processes on the machine than wall time. */
  cpuMs: number;
  peakRssMiB: number;
}

export interface ColdStartRow {
  name: string;
  entryPoint: string;
  runs: number;
  /** Medians of the entry point's samples. */
  ms: number;
  cpuMs: number;
  peakRssMiB: number;
  /** Median of the plain design's samples taken next to this entry point's. */
  plainMs: number;
  /** Median ms ÷ the plain design's median ms (same rounds). */
  ratio: number;
  cpuRatio: number;
  memoryRatio: number;
  /**
   * `ratio` ÷ a bare function of the same kind's `ratio` (both against plain-design samples beside them, so the
   * machine's load cancels out): what the template adds to the SDK's own load.
   */
  ratioToBare?: number;
  kind: TriggerKind | "all";
}

export interface ColdStartResult {
  node: string;
  runs: number;
  /** Every sample of the plain design's entry module. */
  plain: { name: string; ms: number; cpuMs: number; peakRssMiB: number };
  functions: ColdStartRow[];
  /** Every export read at once: what discovery loads, and what each instance loaded before they were lazy. */
  everything: ColdStartRow;
  /** A bare function of each kind (`() => {}`, the SDK alone), against the plain design. */
  bare: ColdStartRow[];
  /** The largest ratio among the deployed functions. */
  worstRatio: number;
}

const PLAIN: ColdStartTarget = {
  name: "plain design",
  entryPoint: "benchMinimalTask",
  module: "bench/plain-entry.js",
  kind: "firestore",
};

const KINDS: TriggerKind[] = ["firestore", "tasks", "https", "scheduler"];
const bareTarget = (kind: TriggerKind): ColdStartTarget => ({
  name: `bare ${kind} function`,
  entryPoint: "bare",
  module: `sdk:${kind}`,
  kind,
});

/** The functions measured: the trigger, the runner, one limited queue, the scheduled ones and every callable. */
export function coldStartTargets(): ColdStartTarget[] {
  const fn = (name: string, kind: TriggerKind, entryPoint = name) => ({ name, entryPoint, module: "index.js", kind });
  const limited = limitedQueues(handlers)[0];
  return [
    fn("dispatchTask", "firestore"),
    fn("runTask", "tasks"),
    ...(limited ? [fn(limited.name, "tasks", limited.exportPath.join("."))] : []),
    fn("sweepTasks", "scheduler"),
    fn("runSchedules", "scheduler"),
    ...["retryTasks", "runTaskNow", "queueStatus", "setPaused"].map((name) => fn(name, "https")),
  ];
}

// The child: require the entry module, resolve the target by its dotted path (as the Functions Framework does), or
// read every export when there is none (as discovery does), and report its peak RSS. `sdk:<kind>` stands for an
// entry module holding one bare function of that kind.
const BARE = {
  firestore: "require('firebase-functions/firestore').onDocumentWritten('a/{b}', () => undefined)",
  tasks: "require('firebase-functions/tasks').onTaskDispatched(() => undefined)",
  https: "require('firebase-functions/https').onCall(() => undefined)",
  scheduler: "require('firebase-functions/scheduler').onSchedule('* * * * *', () => undefined)",
};
const CHILD = `
const bare = ${JSON.stringify(BARE)};
const arg = process.argv[1];
const entry = arg.startsWith("sdk:") ? { bare: new Function("require", "return " + bare[arg.slice(4)])(require) } : require(arg);
const target = process.env.FUNCTION_TARGET;
const read = (o) => { for (const k of Object.keys(o)) { const v = o[k]; if (v && typeof v === "object") read(v); } };
if (target) {
  const fn = target.split(".").reduce((o, k) => (o == null ? undefined : o[k]), entry);
  if (typeof fn !== "function") { console.error("no function " + target); process.exit(2); }
} else read(entry);
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({ maxRSS: usage.maxRSS, cpu: usage.userCPUTime + usage.systemCPUTime }));
`;

function sample(node: string, target: ColdStartTarget): ColdStartSample {
  const service = (target.entryPoint ?? "all").replaceAll(".", "-").toLowerCase();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    PORT: "8080",
    K_SERVICE: service,
    K_REVISION: `${service}-00001-abc`,
    K_CONFIGURATION: service,
    GCLOUD_PROJECT: "cold-start-bench",
    FIREBASE_CONFIG: JSON.stringify({ projectId: "cold-start-bench", storageBucket: "cold-start-bench.appspot.com" }),
    ...(target.entryPoint ? { FUNCTION_TARGET: target.entryPoint } : {}),
  };
  const started = performance.now();
  const module = target.module.startsWith("sdk:") ? target.module : join(LIB, target.module);
  // From functions/, so `require` finds the SDK as an entry module there would.
  const child = spawnSync(node, ["-e", CHILD, module], { env, encoding: "utf8", cwd: join(ROOT, "functions") });
  const ms = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(`cold start of ${target.name} failed (${child.status}): ${child.stderr.trim()}; run npm run build`);
  }
  const usage = JSON.parse(child.stdout) as { maxRSS: number; cpu: number };
  return { ms, cpuMs: usage.cpu / 1000, peakRssMiB: usage.maxRSS / 1024 };
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

interface Summary {
  ms: number;
  cpuMs: number;
  peakRssMiB: number;
}

function summary(samples: ColdStartSample[]): Summary {
  return {
    ms: round(median(samples.map((s) => s.ms)), 1),
    cpuMs: round(median(samples.map((s) => s.cpuMs)), 1),
    peakRssMiB: round(median(samples.map((s) => s.peakRssMiB)), 1),
  };
}

/**
 * `runs` rounds. In each, every entry point is sampled next to a sample of the plain design (which one goes first
 * alternates from round to round; the entry points' order rotates), so each ratio compares samples taken moments
 * apart: on a shared machine the load drifts, and a ratio of medians taken minutes apart would measure the drift.
 */
export async function measureColdStart(
  runs: number,
  progress: (message: string) => void = () => undefined,
): Promise<ColdStartResult> {
  const node = await runtimeNode();
  const everything: ColdStartTarget = { name: "every function", module: "index.js", kind: "all" };
  const bare = KINDS.map(bareTarget);
  const targets = coldStartTargets();
  const measured = [...targets, everything, ...bare];
  const samples = new Map<ColdStartTarget, { own: ColdStartSample[]; plain: ColdStartSample[] }>(
    measured.map((t) => [t, { own: [], plain: [] }]),
  );
  for (const target of [PLAIN, ...measured]) sample(node, target); // warms the file cache; fails early on no build
  for (let r = 0; r < runs; r++) {
    progress(`cold start: round ${r + 1} of ${runs}, ${measured.length} entry points, each next to the plain design`);
    for (let i = 0; i < measured.length; i++) {
      const target = measured[(i + r) % measured.length];
      const pair = samples.get(target)!;
      if (r % 2 === 0) pair.plain.push(sample(node, PLAIN));
      pair.own.push(sample(node, target));
      if (r % 2 === 1) pair.plain.push(sample(node, PLAIN));
    }
  }
  const bareRatio = new Map<string, number>();
  const row = (target: ColdStartTarget): ColdStartRow => {
    const pair = samples.get(target)!;
    const own = summary(pair.own);
    const plain = summary(pair.plain);
    const floor = bareRatio.get(target.kind);
    return {
      name: target.name,
      entryPoint: target.entryPoint ?? "(every export)",
      runs: pair.own.length,
      ...own,
      plainMs: plain.ms,
      ratio: round(own.ms / plain.ms, 3),
      cpuRatio: round(own.cpuMs / plain.cpuMs, 3),
      memoryRatio: round(own.peakRssMiB / plain.peakRssMiB, 3),
      ...(floor ? { ratioToBare: round(own.ms / plain.ms / floor, 3) } : {}),
      kind: target.kind,
    };
  };
  const bareRows = bare.map(row);
  for (const b of bareRows) bareRatio.set(b.kind, b.ratio);
  const functions = targets.map(row);
  return {
    node: spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim(),
    runs,
    plain: { name: PLAIN.name, ...summary(measured.flatMap((t) => samples.get(t)!.plain)) },
    functions,
    everything: row(everything),
    bare: bareRows,
    worstRatio: Math.max(...functions.map((f) => f.ratio)),
  };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 10);
  measureColdStart(runs, (m) => console.error(m)).then((result) => console.log(JSON.stringify(result, null, 2)));
}
