// One run per attempt: the trigger's logic, called directly with the same creation event several times at once (as
// a duplicate or concurrent delivery would), runs the handler once. The task lives under a parent deeper than
// the deployed triggers watch (MAX_PARENT_DEPTH + 1), so only these calls run it.
import { strict as assert } from "node:assert";
import { handleTaskCreated, type TaskCreatedEvent } from "../../../functions/src/queue/triggers/dispatch-task";
import { handlers } from "../../../functions/src/handlers";
import { runsOf, unwatchedTask } from "../../support/tasks";

function createdEvent(created: FirebaseFirestore.DocumentSnapshot): TaskCreatedEvent {
  return { data: created, params: {} } as unknown as TaskCreatedEvent;
}

describe("dispatcher: duplicate and concurrent deliveries", () => {
  for (const deliveries of [2, 10]) {
    it(`${deliveries} concurrent deliveries of the same event run the handler once`, async () => {
      const task = await unwatchedTask({ type: "demo", action: "record" });
      const event = createdEvent(await task.get());
      await Promise.all(Array.from({ length: deliveries }, () => handleTaskCreated(event, handlers)));
      assert.equal(await runsOf(task), 1);
      const done = await task.get();
      assert.equal(done.get("state"), "completed");
      assert.equal(done.get("attempts"), 1);
    });
  }

  it("a late duplicate of an old event does nothing once the task has moved on", async () => {
    const task = await unwatchedTask({ type: "demo", action: "record" });
    const event = createdEvent(await task.get());
    await handleTaskCreated(event, handlers);
    const completed = await task.get();
    await handleTaskCreated(event, handlers);
    assert.equal(await runsOf(task), 1);
    assert.equal((await task.get()).updateTime?.isEqual(completed.updateTime!), true, "no further write");
  });

  it("returns without any write for tasks created in another state than scheduled", async () => {
    for (const state of ["running", "completed", "failed", "cancelled"]) {
      const task = await unwatchedTask({ type: "demo", action: "record", state });
      const before = await task.get();
      await handleTaskCreated(createdEvent(before), handlers);
      assert.equal((await task.get()).updateTime?.isEqual(before.updateTime!), true, `${state}: untouched`);
    }
    await handleTaskCreated({ data: undefined, params: {} } as unknown as TaskCreatedEvent, handlers); // no document
  });

  it("on the express path, duplicate deliveries may run the handler twice but record one outcome, without a claim", async () => {
    const task = await unwatchedTask({ type: "demo", action: "expressRecord" });
    const created = await task.get();
    await Promise.all(Array.from({ length: 5 }, () => handleTaskCreated(createdEvent(created), handlers)));
    const runs = await runsOf(task);
    assert.ok(runs >= 1 && runs <= 5, `ran ${runs} times`);
    const done = await task.get();
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("attempts"), 1);
    assert.equal(done.get("lease"), undefined, "never claimed");
    assert.equal((done.get("history") as unknown[]).length, 1, "one outcome recorded");
  });
});
