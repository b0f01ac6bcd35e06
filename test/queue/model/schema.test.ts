// The pure parts of handler schemas, shared by the engine, server enqueues and the client library: how an issue's
// path reads, which issue a message names, and how a schema is found by type and action.
import { strict as assert } from "node:assert";
import {
  checkData,
  describeIssues,
  issuePath,
  isSchema,
  schemaAt,
  type DataCheck,
} from "../../../functions/src/queue/model/schema";
import { defineHandler } from "../../../functions/src/queue/model/registry";
import { handlers } from "../../../functions/src/handlers";
import { taskSchemas } from "../../../functions/src/handlers/schemas";
import { chainData, sleepData } from "../../../functions/src/handlers/demo/schemas";

describe("handler schemas", () => {
  describe("issuePath", () => {
    it("reads like the code that would reach the field: data.items[2].sku", () => {
      assert.equal(issuePath({ message: "", path: ["items", 2, "sku"] }), "data.items[2].sku");
      assert.equal(issuePath({ message: "" }), "data");
    });

    it("quotes keys that are not identifiers, and takes { key } segments (Standard Schema allows both)", () => {
      assert.equal(
        issuePath({ message: "", path: [{ key: "by sku" }, { key: 0 }, "x-y"] }),
        'data["by sku"][0]["x-y"]',
      );
      assert.equal(issuePath({ message: "", path: [Symbol("s")] }), "data[Symbol(s)]");
    });
  });

  it("describeIssues names the first issue and counts the rest", () => {
    const first = { message: "expected string, received number", path: ["items", 2, "sku"] };
    assert.equal(describeIssues([first]), "data.items[2].sku: expected string, received number");
    assert.equal(
      describeIssues([first, { message: "too small", path: ["n"] }, { message: "x" }]),
      "data.items[2].sku: expected string, received number (and 2 more problems)",
    );
  });

  it("checkData: a zod schema checks synchronously, giving its output or the first problem", () => {
    assert.deepEqual(checkData(sleepData, {}), { value: { ms: 0 } });
    const refused = checkData(chainData, { steps: 11 }) as DataCheck;
    assert.match(refused.problem ?? "", /^data\.steps: Too big/);
  });

  describe("schemaAt", () => {
    it("finds a schema by type and dotted action", () => {
      assert.equal(schemaAt(taskSchemas, "demo", "sleep"), sleepData);
      assert.ok(schemaAt(taskSchemas, "inventory", "mutations.initiateOrderProcessing"));
    });

    it("finds nothing for unknown names, folders, prototype names or a path into a schema", () => {
      for (const [type, action] of [
        ["demo", "noop"],
        ["inventory", "mutations"],
        ["__proto__", "toString"],
        ["demo", "constructor"],
        ["demo", "sleep.shape"],
        ["demo", "sleep.~standard"],
      ]) {
        assert.equal(schemaAt(taskSchemas, type, action), undefined, `${type} / ${action}`);
      }
    });
  });

  it("one definition: every handler with a schema uses the one the client library checks with", () => {
    const withSchema = handlers.list().filter(({ type, action }) => handlers.resolve(type, action)?.schema);
    assert.ok(withSchema.length >= 10);
    for (const { type, action } of handlers.list()) {
      const schema = handlers.resolve(type, action)?.schema;
      assert.equal(schemaAt(taskSchemas, type, action), schema, `${type}.${action}: handlers/schemas.ts differs`);
    }
  });

  it("defineHandler refuses a schema that is not a Standard Schema", () => {
    assert.ok(isSchema(sleepData));
    assert.throws(() => defineHandler({ schema: { parse: () => ({}) } as never }, () => 1), /Standard Schema/);
  });
});
