// The working core on the real emulators: tasks written to Firestore are dispatched by the deployed trigger.
import { strict as assert } from "node:assert";
import { adminDb, sleep } from "../../support/emulators";
import { MAX_PARENT_DEPTH } from "../../../functions/src/queue/config";
import { newParent, newParentAt, newTask, runsOf, unwatchedTask, waitForState, writeTask } from "../../support/tasks";

describe("dispatcher: tasks written to Firestore", () => {
  it("completes the seed-shaped order confirmation task and sends its email", async () => {
    const order = await newParent("orders", { customerEmail: "ada@example.com" });
    const task = await writeTask(order, {
      type: "order",
      action: "sendConfirmationEmail",
      state: "scheduled",
      data: {},
    });
    const done = await waitForState(task);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 1);
    assert.ok(done.get("startedAt") && done.get("completedAt"), "timestamps recorded");
    assert.deepEqual(done.get("data"), {}, "data untouched");
    assert.equal(done.get("lease"), undefined, "lease released");
    const mail = await adminDb().collection("mail").doc(done.get("result.mailId")).get();
    assert.equal(mail.get("to"), "ada@example.com");
    assert.equal(mail.get("orderPath"), order.path);
  });

  it("runs a dotted action (inventory / mutations.initiateOrderProcessing)", async () => {
    const order = await newParent();
    const task = await writeTask(order, {
      type: "inventory",
      action: "mutations.initiateOrderProcessing",
      data: { warehouse: "berlin" },
    });
    assert.equal((await waitForState(task)).get("state"), "completed");
    const parent = await order.get();
    assert.equal(parent.get("processing.status"), "initiated");
    assert.equal(parent.get("processing.warehouse"), "berlin");
  });

  const unknownAddresses: Array<[string, string]> = [
    ["order", "noSuchAction"],
    ["noSuchType", "sendConfirmationEmail"],
    ["__proto__", "toString"],
    ["constructor", "name"],
    ["order", "constructor"],
    ["order", "toString"],
    ["order", "hasOwnProperty"],
    ["order", "__proto__.constructor"],
    ["inventory", "mutations"],
  ];
  for (const [type, action] of unknownAddresses) {
    it(`fails "${type}" / "${action}" with handler/not-found`, async () => {
      const task = await writeTask(await newParent(), { type, action });
      const done = await waitForState(task);
      assert.equal(done.get("state"), "failed");
      assert.equal(done.get("error.code"), "handler/not-found");
      assert.match(done.get("error.message"), /no handler registered/);
    });
  }

  const malformed: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a missing type", { action: "sendConfirmationEmail" }, /`type` must be a string/],
    ["a numeric type", { type: 42, action: "sendConfirmationEmail" }, /`type` must be a string, got number/],
    ["an empty action", { type: "order", action: "" }, /`action` must not be empty/],
    ["an array as data", { type: "order", action: "sendConfirmationEmail", data: [1, 2] }, /`data` must be a map/],
    ["a string as data", { type: "order", action: "sendConfirmationEmail", data: "hi" }, /`data` must be a map/],
    ["a string runAt", { type: "order", action: "sendConfirmationEmail", runAt: "tomorrow" }, /`runAt`/],
  ];
  for (const [what, fields, message] of malformed) {
    it(`fails a task with ${what} as task/invalid, keeping its fields`, async () => {
      const task = await writeTask(await newParent(), fields);
      const done = await waitForState(task);
      assert.equal(done.get("state"), "failed");
      assert.equal(done.get("error.code"), "task/invalid");
      assert.match(done.get("error.message"), message);
      if ("data" in fields) assert.deepEqual(done.get("data"), fields.data, "the bad data is kept for inspection");
    });
  }

  it("records a throwing handler's error: code, message, stack, attempt", async () => {
    const task = await writeTask(await newParent(), {
      type: "demo",
      action: "fail",
      data: { reason: "card declined" },
    });
    const done = await waitForState(task);
    assert.equal(done.get("state"), "failed");
    assert.equal(done.get("error.code"), "demo/failed");
    assert.equal(done.get("error.message"), "card declined");
    assert.match(done.get("error.stack"), /PermanentError: card declined/);
    assert.equal(done.get("error.attempt"), 1);
    assert.ok(done.get("failedAt"));
    assert.equal(done.get("history").length, 1);
    assert.equal(done.get("history")[0].outcome, "failed");
  });

  it("fails a handler that outruns its timeout with handler/timeout", async () => {
    const task = await writeTask(await newParent(), { type: "demo", action: "sleep", data: { ms: 10_000 } });
    const done = await waitForState(task);
    assert.equal(done.get("state"), "failed");
    assert.equal(done.get("error.code"), "handler/timeout");
    assert.match(done.get("error.message"), /within 2s/);
  });

  it("does not loop on its own writes: the handler runs exactly once", async () => {
    const task = await writeTask(await newParent(), { type: "demo", action: "record" });
    const done = await waitForState(task);
    assert.equal(done.get("state"), "completed");
    await sleep(1500); // give any (wrong) re-dispatch of the claim and completion writes time to show up
    assert.equal(await runsOf(task), 1);
    assert.equal((await task.get()).get("attempts"), 1);
  });

  for (let depth = 2; depth <= MAX_PARENT_DEPTH; depth++) {
    it(`runs a task under a parent at depth ${depth}, once, like any other`, async () => {
      const parent = await newParentAt(depth); // shops/s/users/u/orders/o at depth 3
      const task = await writeTask(parent, { type: "demo", action: "record" });
      const done = await waitForState(task);
      assert.equal(done.get("state"), "completed");
      assert.equal(done.get("attempts"), 1);
      assert.equal(await runsOf(task), 1);
    });
  }

  it(`starts nothing for writes outside task documents (a parent itself, another sub-collection, depth ${MAX_PARENT_DEPTH + 1})`, async () => {
    // Each written as a due demo.record task would be: whatever ran one would leave a run and a changed state.
    const taskLike = newTask({ type: "demo", action: "record" });
    const parent = await newParentAt(2, taskLike); // users/u/orders/o
    const deepParent = await newParentAt(MAX_PARENT_DEPTH, taskLike);
    const item = (await newParent()).collection("items").doc();
    await item.set(taskLike);
    const tooDeep = await unwatchedTask({ type: "demo", action: "record" }); // a `tasks` at depth 4
    await sleep(2500);
    for (const ref of [parent, deepParent, item, tooDeep]) {
      assert.equal((await ref.get()).get("state"), "scheduled", `${ref.path} was left alone`);
      assert.equal(await runsOf(ref), 0, `${ref.path} never ran`);
    }
  });

  it("takes 200 tasks written at once to completed", async function () {
    this.timeout(180_000);
    const parents = await Promise.all(Array.from({ length: 4 }, () => newParent()));
    const batch = adminDb().batch();
    const refs = Array.from({ length: 200 }, (_, i) => {
      const ref = parents[i % parents.length].collection("tasks").doc();
      batch.set(ref, newTask({ type: "demo", action: "noop", data: { i } }));
      return ref;
    });
    await batch.commit();
    const done = await Promise.all(refs.map((ref) => waitForState(ref, ["completed", "failed"], 170_000)));
    const states = done.map((snap) => snap.get("state"));
    assert.deepEqual(
      states.filter((s) => s !== "completed"),
      [],
    );
    assert.ok(done.every((snap) => snap.get("attempts") === 1));
  });
});
