// The client library runs in browsers: bundled as an app would bundle it, it pulls in the handlers' schemas and
// the engine's import-free modules, never firebase-admin or a handler's code.
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { build } from "esbuild"; // tsx's bundler, already installed

const ROOT = join(import.meta.dirname, "..", "..");

describe("client library: browser-safe", () => {
  it("bundles without firebase-admin or handler code; the handlers' schemas come along", async () => {
    const result = await build({
      entryPoints: [join(ROOT, "functions", "src", "client", "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      external: ["firebase/*"], // the app's own SDK
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).map((path) => relative(ROOT, join(process.cwd(), path)));
    const ours = inputs.filter((path) => path.startsWith("functions/src/"));
    assert.deepEqual(
      inputs.filter((path) => /firebase-admin|firebase-functions|lodash/.test(path)),
      [],
    );
    assert.deepEqual(
      ours.filter((path) => path.startsWith("functions/src/handlers/") && !path.endsWith("schemas.ts")),
      [],
    );
    assert.ok(ours.includes("functions/src/handlers/schemas.ts"), ours.join(", "));
    assert.ok(ours.includes("functions/src/queue/model/schema.ts"), ours.join(", "));
  });
});
