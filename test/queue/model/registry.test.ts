import { strict as assert } from "node:assert";
import { defineHandler, defineHandlers } from "../../../functions/src/queue/model/registry";
import { handlers } from "../../../functions/src/handlers";

describe("handler registry", () => {
  const ok = defineHandler({}, () => "ok");
  const registry = defineHandlers({ order: { send: ok }, inventory: { mutations: { initiate: ok } } });

  it("resolves a type and a plain action", () => {
    assert.equal(registry.resolve("order", "send"), ok);
  });

  it("resolves a dotted action by walking nested entries", () => {
    assert.equal(registry.resolve("inventory", "mutations.initiate"), ok);
  });

  it("resolves unknown names and partial paths to nothing", () => {
    assert.equal(registry.resolve("order", "missing"), undefined);
    assert.equal(registry.resolve("missing", "send"), undefined);
    assert.equal(registry.resolve("inventory", "mutations"), undefined, "a branch is not a handler");
    assert.equal(registry.resolve("inventory", "mutations..initiate"), undefined);
    assert.equal(registry.resolve("order", "send.more"), undefined);
  });

  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
    it(`never resolves the prototype name "${name}"`, () => {
      assert.equal(registry.resolve(name, "send"), undefined);
      assert.equal(registry.resolve("order", name), undefined);
      assert.equal(registry.resolve("order", `${name}.call`), undefined);
      assert.equal(registry.resolve(name, name), undefined);
    });
  }

  it("lists every handler with its address and options", () => {
    assert.deepEqual(
      registry.list().map(({ type, action }) => `${type}.${action}`),
      ["order.send", "inventory.mutations.initiate"],
    );
  });

  it("refuses a handler that has no action", () => {
    assert.throws(() => defineHandlers({ lonely: ok }).list(), /needs a type and an action/);
  });

  it("validates handler options", () => {
    assert.throws(() => defineHandler({ timeoutSeconds: 0 }, () => 1), /timeoutSeconds/);
    assert.throws(() => defineHandler({ timeoutSeconds: 10_000 }, () => 1), /timeoutSeconds/);
    assert.throws(() => defineHandler({ maxAttempts: 0 }, () => 1), /maxAttempts/);
    assert.throws(() => defineHandler({ maxAttempts: 1.5 }, () => 1), /maxAttempts/);
    assert.throws(() => defineHandler({ backoff: { baseSeconds: 10, capSeconds: 1 } }, () => 1), /backoff/);
    assert.throws(() => defineHandler({ debounceSeconds: -1 }, () => 1), /debounceSeconds/);
    assert.throws(() => defineHandler({ debounceSeconds: 31 * 24 * 3600 }, () => 1), /debounceSeconds/);
    assert.equal(defineHandler({}, () => 1).options.debounceSeconds, 0);
  });

  it("registers the template's example handlers", () => {
    const addresses = handlers.list().map(({ type, action }) => `${type}.${action}`);
    for (const expected of [
      "order.sendConfirmationEmail",
      "inventory.mutations.initiateOrderProcessing",
      "demo.fail",
      "demo.flaky",
      "demo.sleep",
    ]) {
      assert.ok(addresses.includes(expected), `${expected} is registered`);
    }
    assert.equal(handlers.resolve("order", "sendConfirmationEmail")?.options.clientEnqueue, true);
    assert.equal(handlers.resolve("inventory", "mutations.initiateOrderProcessing")?.options.clientEnqueue, false);
  });
});
