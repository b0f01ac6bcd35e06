// `firebase deploy` first runs the checks `npm test` runs (lint, the rules allowlist, the builds) through the
// `predeploy` hooks in firebase.json, and stops when one fails. The hooks are run here by firebase-tools' own hook
// runner, with the variables and working directory it gives them, on a scratch copy of the project whose rules
// allowlist is stale.
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "firebase-tools/lib/config";
import { lifecycleHooks } from "firebase-tools/lib/deploy/lifecycleHooks";

const ROOT = join(__dirname, "..", "..");
const firebaseJson = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8"));

const LINT = /^npm --prefix "\$PROJECT_DIR" run lint$/;
const ALLOWLIST = /^node "\$PROJECT_DIR\/scripts\/rules-allowlist\.mjs"$/;

function predeploy(target: "functions" | "firestore" | "hosting"): string[] {
  return [firebaseJson[target]].flat()[0].predeploy;
}

/** Runs `target`'s predeploy hooks with firebase-tools' runner, on the project in `projectDir`. */
function runHooks(target: string, projectDir: string): Promise<void> {
  const src = JSON.parse(readFileSync(join(projectDir, "firebase.json"), "utf8"));
  const options = {
    config: new Config(src, { projectDir, cwd: projectDir }),
    project: "demo-predeploy",
    projectRoot: projectDir,
    only: target,
  };
  return lifecycleHooks(target, "predeploy")({}, options) as Promise<void>;
}

describe("firebase deploy's predeploy checks", () => {
  it("lint, check the rules allowlist, then build before the functions deploy", () => {
    const [lint, allowlist, build, ...rest] = predeploy("functions");
    assert.match(lint, LINT);
    assert.match(allowlist, ALLOWLIST);
    assert.match(build, /^npm --prefix "\$RESOURCE_DIR" run build$/);
    assert.deepEqual(rest, []);
  });

  it("check the rules allowlist before the rules deploy, lint before the admin page's build", () => {
    assert.deepEqual(predeploy("firestore").length, 1);
    assert.match(predeploy("firestore")[0], ALLOWLIST);
    const [lint, build, ...rest] = predeploy("hosting");
    assert.match(lint, LINT);
    assert.match(build, /^npm --prefix "\$PROJECT_DIR\/web-admin" run build$/);
    assert.deepEqual(rest, []);
  });

  describe("run by firebase-tools on a copy of the project", () => {
    let project: string;
    before(() => {
      project = mkdtempSync(join(tmpdir(), "predeploy-"));
      for (const path of ["firebase.json", "firestore.rules", "scripts/rules-allowlist.mjs", "functions/src"]) {
        cpSync(join(ROOT, path), join(project, path), { recursive: true });
      }
      symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
      // The functions' own dependencies that differ from the root's (zod 4; firebase-tools keeps zod 3 at the root).
      symlinkSync(join(ROOT, "functions", "node_modules"), join(project, "functions", "node_modules"), "dir");
    });
    after(() => rmSync(project, { recursive: true, force: true }));

    it("pass with the rules allowlist in step with the handlers", async () => {
      await runHooks("firestore", project);
    });

    it("stop the deploy when the rules allowlist is stale", async () => {
      const rules = join(project, "firestore.rules");
      const { allowlistInRules, withAllowlist } = await import(join(ROOT, "scripts", "rules-allowlist.mjs"));
      const listed: string[] = allowlistInRules(readFileSync(rules, "utf8"));
      assert.ok(listed.length > 0, "the rules list client-enqueueable handlers");
      writeFileSync(rules, withAllowlist(readFileSync(rules, "utf8"), listed.slice(1)));
      await assert.rejects(runHooks("firestore", project), /firestore predeploy error: .*non-zero exit code 1/);
    });
  });
});
