// A handler's schema on the real emulators: data it refuses ends the task `failed` with `task/invalid` at once, the
// message naming the first bad field, the handler never run and nothing retried; data it accepts reaches the
// handler as the schema's output. `demo.validated` records each run in `taskRuns` and returns the data it received.
import { strict as assert } from "node:assert";
import { Timestamp } from "firebase-admin/firestore";
import { sleep } from "../../support/emulators";
import { newParent, runsOf, waitForState, writeTask } from "../../support/tasks";

const VALID = { customer: { name: "Ada" }, items: [{ sku: "SKU-1", quantity: 2 }, { sku: "SKU-2" }] };

async function validatedTask(data: unknown) {
  return writeTask(await newParent(), { type: "demo", action: "validated", data });
}

describe("handler schemas: the engine checks data before it runs the handler", () => {
  it("data the schema refuses: failed, task/invalid naming the field, one attempt, the handler never ran, no retry", async () => {
    const data = { customer: { name: "Ada" }, items: [{ sku: "a" }, { sku: "b" }, { sku: 3 }] };
    const task = await validatedTask(data);
    const done = await waitForState(task);
    assert.equal(done.get("state"), "failed");
    assert.equal(done.get("error.code"), "task/invalid");
    assert.equal(done.get("error.message"), "data.items[2].sku: Invalid input: expected string, received number");
    assert.equal(done.get("attempts"), 1, "counted as one attempt, like any malformed task");
    assert.deepEqual(
      done.get("history").map((entry: { outcome: string }) => entry.outcome),
      ["failed"],
    );
    assert.deepEqual(done.get("data"), data, "the refused data is kept for inspection");
    await sleep(2500); // a (wrong) retry would have run by now: the default backoff's first window is 2 s
    const later = await task.get();
    assert.equal(later.get("state"), "failed");
    assert.equal(later.get("attempts"), 1);
    assert.equal(later.updateTime?.toMillis(), done.updateTime?.toMillis(), "nothing wrote the task again");
    assert.equal(await runsOf(task), 0, "the handler never ran");
  });

  it("names a nested field, and says how many more problems there are", async () => {
    const task = await validatedTask({ customer: { email: "not-an-email" }, items: [] });
    const done = await waitForState(task);
    assert.equal(done.get("error.code"), "task/invalid");
    assert.match(
      done.get("error.message"),
      /^data\.customer\.name: .*expected string, received undefined \(and 2 more problems\)$/,
    );
    assert.equal(await runsOf(task), 0);
  });

  it("data the schema accepts reaches the handler as the schema's output, defaults filled in", async () => {
    const task = await validatedTask(VALID);
    const done = await waitForState(task);
    assert.equal(done.get("state"), "completed", JSON.stringify(done.get("error")));
    assert.deepEqual(done.get("result.received"), {
      customer: { name: "Ada" },
      items: [
        { sku: "SKU-1", quantity: 2 },
        { sku: "SKU-2", quantity: 1 },
      ],
      note: "",
    });
    assert.deepEqual(done.get("data"), VALID, "the stored data is never changed");
    assert.equal(await runsOf(task), 1);
  });

  it("checks in order: a map, then the size limits, then the schema (too large wins over a schema's refusal)", async () => {
    // Invalid for the schema (no customer, no items) and over 40,000 index entries.
    const fields = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const tooLarge = await writeTask(await newParent(), {
      type: "demo",
      action: "validated",
      createdAt: Timestamp.now(),
      data: { fields },
    });
    const notAMap = await validatedTask("hello");
    const [large, string] = await Promise.all([waitForState(tooLarge), waitForState(notAMap)]);
    assert.equal(large.get("error.code"), "task/too-large");
    assert.equal(string.get("error.code"), "task/invalid");
    assert.match(string.get("error.message"), /`data` must be a map/);
    assert.equal((await runsOf(tooLarge)) + (await runsOf(notAMap)), 0);
  });
});
