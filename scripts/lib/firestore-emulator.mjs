// Finds a Firestore emulator that can run on this machine, before firebase-tools tries (and, offline, fails)
// to download one. Order: an explicit FIRESTORE_EMULATOR_BINARY_PATH; the Google Cloud CLI component's jar
// (works without internet, see docs/design.md, "Emulator suite"); firebase-tools' own download cache or download.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";

const GCLOUD_JAR_DIRS = [
  "/usr/lib/google-cloud-sdk",
  "/usr/share/google-cloud-sdk",
  "/opt/google-cloud-sdk",
  join(homedir(), "google-cloud-sdk"),
];
const GCLOUD_JAR_RELATIVE = "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar";
const GCLOUD_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore";
const MIN_JAVA = 11;

export class SetupError extends Error {}

const JAVA_FIX =
  "Install Java 17 or newer and put it on your PATH:\n" +
  "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n" +
  "  macOS:         brew install openjdk@21\n" +
  "  others:        https://adoptium.net";
const JAR_FIX =
  "Get the Firestore emulator in one of two ways:\n" +
  "  1. with internet access, firebase-tools downloads it on first use (run this again online), or\n" +
  "  2. offline, install the Google Cloud CLI component:\n" +
  "       sudo apt-get install -y google-cloud-cli-firestore-emulator\n" +
  "     (or `gcloud components install cloud-firestore-emulator`), or point\n" +
  "     FIRESTORE_EMULATOR_BINARY_PATH at a runnable emulator jar.";

/** Fails with a message naming the fix when Java is missing or too old. */
export function checkJava() {
  const run = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (run.error?.code === "ENOENT") {
    throw new SetupError(`Java was not found: the Firestore emulator runs on Java.\n${JAVA_FIX}`);
  }
  const output = `${run.stderr ?? ""}${run.stdout ?? ""}`; // `java -version` writes to stderr
  const major = Number(/version "(?:1\.)?(\d+)/.exec(output)?.[1]);
  if (!major || major < MIN_JAVA) {
    throw new SetupError(
      `Java ${MIN_JAVA}+ is needed for the Firestore emulator; found: ${output.split("\n")[0]}\n${JAVA_FIX}`,
    );
  }
  return major;
}

function findGcloudJar() {
  for (const dir of GCLOUD_JAR_DIRS) {
    const jar = join(dir, GCLOUD_JAR_RELATIVE);
    if (existsSync(jar)) return jar;
  }
  return undefined;
}

function hasFirebaseToolsDownload() {
  const cache = join(homedir(), ".cache", "firebase", "emulators");
  return existsSync(cache) && readdirSync(cache).some((f) => /^cloud-firestore-emulator-v.*\.jar$/.test(f));
}

async function canReachDownloadHost() {
  try {
    await fetch("https://storage.googleapis.com/", { method: "HEAD", signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the environment to hand to firebase-tools: `{FIRESTORE_EMULATOR_BINARY_PATH}` when a local jar is used,
 * `{}` when firebase-tools should use its own download. Throws a SetupError naming the fixes when neither works.
 */
export async function resolveFirestoreEmulator(workDir) {
  if (process.env.FIRESTORE_EMULATOR_BINARY_PATH) return {};
  const gcloudJar = findGcloudJar();
  if (gcloudJar) {
    const shim = join(workDir, "firestore-emulator-shim.jar");
    writeShimJar(shim, gcloudJar);
    return { FIRESTORE_EMULATOR_BINARY_PATH: shim };
  }
  if (hasFirebaseToolsDownload() || (await canReachDownloadHost())) return {};
  throw new SetupError(`The Firestore emulator is not installed and cannot be downloaded (no internet).\n${JAR_FIX}`);
}

// The component's jar has no Main-Class and firebase-tools runs `java -jar <path>`, so we hand it a tiny jar
// whose manifest names the entry point and puts the real jar on the class path.
function writeShimJar(target, realJar) {
  mkdirSync(join(target, ".."), { recursive: true });
  const manifest = [
    "Manifest-Version: 1.0",
    `Main-Class: ${GCLOUD_MAIN_CLASS}`,
    `Class-Path: ${encodeURI(`file:${realJar}`)}`,
    "Created-By: firestore-task-queue scripts/lib/firestore-emulator.mjs",
    "",
    "",
  ]
    .map(wrapManifestLine)
    .join("\r\n");
  writeFileSync(target, storedZip("META-INF/MANIFEST.MF", Buffer.from(manifest, "utf8")));
}

// Manifest lines may hold at most 72 bytes; longer values continue on lines that start with one space.
function wrapManifestLine(line) {
  const parts = [];
  for (let rest = line, width = 72; rest.length > 0; width = 71) {
    parts.push(rest.slice(0, width));
    rest = rest.slice(width);
  }
  return parts.length ? parts.join("\r\n ") : line;
}

// A one-entry, uncompressed zip archive: all a jar needs to be.
function storedZip(name, content) {
  const nameBytes = Buffer.from(name, "utf8");
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const localSize = local.length + nameBytes.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, nameBytes, content, central, nameBytes, end]);
}
