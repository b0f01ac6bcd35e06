// The enqueue API is typed from the handler registry: compiles a fixture of right and wrong calls with the
// TypeScript compiler, as an app's build would (browser settings, strict).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const FIXTURE = join(import.meta.dirname, "fixtures", "typed-enqueue.ts");

describe("typed enqueue: a task's data type follows from its type and action", () => {
  it("accepts each handler's data and rejects every wrong call in the fixture", function () {
    this.timeout(120_000); // a cold compile of the Firebase SDK typings on a slow machine
    const expectedErrors = readFileSync(FIXTURE, "utf8").match(/@ts-expect-error/g)?.length ?? 0;
    assert.ok(expectedErrors >= 10, "the fixture lost its negative cases");
    const program = ts.createProgram([FIXTURE], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      skipLibCheck: true,
      types: [],
    });
    // An unmet @ts-expect-error is itself an error, so no diagnostics means every wrong call was rejected.
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(problems, []);
  });
});
