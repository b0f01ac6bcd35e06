// The emulator bootstrap's preflight: a missing Java stops with the fix spelled out, and the offline shim jar is
// a jar Java can run (its manifest names the emulator's entry point and puts the real jar on the class path).
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLOUD_CLI_JAR = "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar";
const LIB = join(__dirname, "..", "..", "..", "scripts", "lib", "firestore-emulator.mjs");

function runNode(code: string, env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", env });
}

describe("emulator bootstrap preflight", () => {
  it("names the fix when Java is missing", () => {
    const run = runNode(
      `import { checkJava } from ${JSON.stringify(LIB)};
       try { checkJava(); } catch (e) { console.error(e.message); process.exit(3); }`,
      { PATH: mkdtempSync(join(tmpdir(), "no-java-")) },
    );
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stderr, /Java was not found/);
    assert.match(run.stderr, /apt-get install -y openjdk-17-jre-headless/);
    assert.match(run.stderr, /brew install openjdk/);
  });

  it("accepts the Java on this machine", () => {
    const run = runNode(`import { checkJava } from ${JSON.stringify(LIB)}; console.log(checkJava());`, process.env);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(Number(run.stdout) >= 11);
  });

  it("runs the Cloud CLI's emulator through a generated shim jar, or leaves the download to firebase-tools", () => {
    const dir = mkdtempSync(join(tmpdir(), "shim-"));
    const run = runNode(
      `import { resolveFirestoreEmulator } from ${JSON.stringify(LIB)};
       console.log(JSON.stringify(await resolveFirestoreEmulator(${JSON.stringify(dir)})));`,
      { ...process.env, FIRESTORE_EMULATOR_BINARY_PATH: "" },
    );
    assert.equal(run.status, 0, run.stderr);
    const env = JSON.parse(run.stdout);
    if (!existsSync(CLOUD_CLI_JAR)) {
      assert.deepEqual(env, {}, "without the component, firebase-tools' own download is used");
      return;
    }
    const jar = env.FIRESTORE_EMULATOR_BINARY_PATH as string;
    assert.ok(
      readFileSync(jar)
        .subarray(0, 4)
        .equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])),
      "a zip archive",
    );
    const help = execFileSync("java", ["-jar", jar, "--help"], { encoding: "utf8", timeout: 30_000 });
    assert.match(help, /cloud-firestore-emulator/);
  });
});
