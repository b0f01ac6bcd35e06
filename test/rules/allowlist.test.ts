// One source of truth for what clients may enqueue: the handler registry's `clientEnqueue` flag. The rules'
// allowlist is generated from it (scripts/rules-allowlist.mjs); these tests fail when the two disagree, both as
// text and as behaviour on the emulator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { assertFails, assertSucceeds, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { setDoc, setLogLevel } from "firebase/firestore";
import { handlers } from "../../functions/src/handlers";
import { allowlistInRules, clientEnqueueable, withAllowlist } from "../../scripts/rules-allowlist.mjs";
import {
  RULES_PATH,
  clientDb,
  clientTask,
  daysFromNow,
  newTaskRef,
  rulesEnvironment,
  seedParent,
} from "../support/rules";

describe("security rules: the client-enqueueable allowlist follows the handler registry", () => {
  const rules = readFileSync(RULES_PATH, "utf8");

  it("lists exactly the registry's clientEnqueue handlers (fix: node scripts/rules-allowlist.mjs --write)", () => {
    assert.deepEqual([...allowlistInRules(rules)].sort(), [...clientEnqueueable(handlers)].sort());
  });

  it("lets clients enqueue no demo handler: the rules under test are the deployed rules, so demo.* stays server-only", () => {
    const demo = (names: string[]) => names.filter((name) => name.startsWith("demo."));
    assert.deepEqual(demo(clientEnqueueable(handlers)), [], "a demo handler is clientEnqueue: true");
    assert.deepEqual(demo(allowlistInRules(rules)), [], "firestore.rules lets clients enqueue a demo handler");
  });

  it("the generator's block reads back as the list it was written from", () => {
    const names = ["a.b", "c.d.e"];
    assert.deepEqual(allowlistInRules(withAllowlist(rules, names)), names);
    assert.deepEqual(allowlistInRules(withAllowlist(rules, [])), []);
  });

  it("refuses to list a client-enqueueable handler whose name the rules would reject", () => {
    const registry = {
      list: () => [{ type: "__proto__", action: "x", options: { clientEnqueue: true } }],
    };
    assert.throws(() => clientEnqueueable(registry), /does not match the rules' pattern/);
  });

  describe("a client may create a task for a handler if and only if it is clientEnqueue", () => {
    const OWNER = "olivia";
    let env: RulesTestEnvironment;
    before(async () => {
      setLogLevel("silent");
      env = await rulesEnvironment();
    });
    after(async () => {
      setLogLevel("warn");
      await env?.cleanup();
    });

    for (const { type, action, options } of handlers.list()) {
      const verdict = options.clientEnqueue ? "allows" : "denies";
      it(`${verdict} ${type}.${action}`, async () => {
        const parent = await seedParent(OWNER);
        // A day ahead: the dispatcher hands the task to Cloud Tasks instead of running it now.
        const write = setDoc(
          newTaskRef(clientDb(env, OWNER), parent),
          clientTask(OWNER, { type, action, data: {}, runAt: daysFromNow(1) }),
        );
        await (options.clientEnqueue ? assertSucceeds(write) : assertFails(write));
      });
    }
  });
});
