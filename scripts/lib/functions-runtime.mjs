// Finds the Node.js that runs the functions in the emulator: the major of the production runtime in firebase.json
// (`nodejs24` → Node 24), as `firebase deploy` will use. The Functions emulator runs the functions on the Node that
// runs firebase-tools, so the emulators are started with that binary. Order: the host's own node when its major
// matches; the binary that `npm install` put in scripts/functions-runtime (its own node_modules, so it never
// shadows the host's node in npm scripts); otherwise the host's node, with a warning that names the fix.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The Node major that `firebase deploy` runs the functions on, from firebase.json's `runtime`. */
export function productionNodeMajor(firebaseConfig) {
  const runtime = [firebaseConfig.functions].flat()[0]?.runtime ?? "";
  const match = /^nodejs(\d+)$/.exec(runtime);
  if (!match) throw new Error(`firebase.json: functions.runtime must be "nodejs<major>", got "${runtime}".`);
  return Number(match[1]);
}

function majorOf(nodeBinary) {
  const run = spawnSync(nodeBinary, ["--version"], { encoding: "utf8" });
  const match = /^v(\d+)\./.exec(run.stdout ?? "");
  return match ? Number(match[1]) : undefined;
}

/** The packaged binary for this platform, if `npm install` fetched one (Linux x64/arm64, macOS x64, Windows x64). */
function packagedNode(root) {
  const packageDir = join(
    root,
    "scripts",
    "functions-runtime",
    "node_modules",
    `node-${process.platform}-${process.arch}`,
  );
  if (!existsSync(join(packageDir, "package.json"))) return undefined;
  const { bin } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  return join(packageDir, typeof bin === "string" ? bin : bin.node);
}

/** `{ node, major, warning? }`: the binary to start firebase-tools with, and its Node major. */
export function functionsRuntime(root, firebaseConfig) {
  const wanted = productionNodeMajor(firebaseConfig);
  const hostMajor = Number(process.versions.node.split(".")[0]);
  if (hostMajor === wanted) return { node: process.execPath, major: wanted };
  const packaged = packagedNode(root);
  if (packaged && majorOf(packaged) === wanted) return { node: packaged, major: wanted };
  return {
    node: process.execPath,
    major: hostMajor,
    warning:
      `The functions run on Node ${hostMajor} in the emulator; production runs them on Node ${wanted} ` +
      `(firebase.json). Run \`npm install\` (Linux, macOS x64, Windows x64) or install Node ${wanted} to match.`,
  };
}
