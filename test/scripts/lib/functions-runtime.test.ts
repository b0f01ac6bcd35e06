// The functions' deployed runtime stays deployable: firebase-tools' own lifecycle guard accepts it today and half
// a year from now, so this suite fails six months before a decommission instead of after it. The rest of the
// toolchain follows the same Node major, and the emulators run the functions on it, as `firebase deploy` will.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { guardVersionSupport } from "firebase-tools/lib/deploy/functions/runtimes/supported";
import { RUNTIMES } from "firebase-tools/lib/deploy/functions/runtimes/supported/types";

const ROOT = join(__dirname, "..", "..", "..");
const DAY_MS = 24 * 60 * 60 * 1000;
const WARNING_DAYS = 180;

function readJson(file: string) {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8"));
}

const firebaseJson = readJson("firebase.json");
const runtime: keyof typeof RUNTIMES = firebaseJson.functions[0].runtime;
const major = Number(/^nodejs(\d+)$/.exec(runtime)?.[1]);

describe("the functions' runtime", () => {
  it(`is accepted by firebase deploy's runtime guard today and in ${WARNING_DAYS} days`, () => {
    const now = new Date();
    assert.doesNotThrow(() => guardVersionSupport(runtime, now));
    assert.doesNotThrow(
      () => guardVersionSupport(runtime, new Date(now.getTime() + WARNING_DAYS * DAY_MS)),
      `${runtime} is decommissioned on ${RUNTIMES[runtime].decommissionDate}: move firebase.json to a newer runtime`,
    );
  });

  it("is checked by a guard that does refuse a decommissioned runtime", () => {
    assert.throws(() => guardVersionSupport("nodejs20", new Date("2026-11-23")), /decommissioned on 2026-10-30/);
  });

  it("is the Node major of functions/package.json's engines and @types/node", () => {
    assert.equal(firebaseJson.functions.length, 1, "one functions codebase");
    assert.ok(Number.isInteger(major), `firebase.json runtime "${runtime}" names a Node major`);
    const functionsPackage = readJson("functions/package.json");
    assert.equal(functionsPackage.engines.node, String(major));
    const typesNode = readJson("functions/node_modules/@types/node/package.json");
    assert.equal(Number(typesNode.version.split(".")[0]), major, "the functions compile against their runtime's API");
  });

  it("runs the functions in the emulators, as firebase deploy will", () => {
    const log = readFileSync(process.env.EMULATOR_LOG ?? "", "utf8");
    assert.match(log, new RegExp(`functions: Using node@${major} from host`));
  });
});

describe("the emulators' functions runtime", () => {
  it("names the fix when no Node of the production major is at hand", async () => {
    const { functionsRuntime } = await import(join(ROOT, "scripts", "lib", "functions-runtime.mjs"));
    const picked = functionsRuntime(join(ROOT, "no-such-folder"), { functions: [{ runtime: "nodejs99" }] });
    assert.equal(picked.node, process.execPath);
    assert.match(picked.warning, /production runs them on Node 99/);
    assert.match(picked.warning, /install Node 99/);
  });

  it("refuses a runtime that is not a Node.js one", async () => {
    const { productionNodeMajor } = await import(join(ROOT, "scripts", "lib", "functions-runtime.mjs"));
    assert.throws(() => productionNodeMajor({ functions: [{ runtime: "python312" }] }), /nodejs<major>/);
  });
});
