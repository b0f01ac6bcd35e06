// One run per attempt: the trigger's logic, called directly with the same event several times at once (as a
// duplicate or concurrent delivery would), runs the handler once. The task lives under a nested parent that
// the deployed trigger (`{collection}/{parentId}/tasks/{taskId}`) does not watch, so only these calls run it.
import { strict as assert } from "node:assert";
import { handleTaskWrite, type TaskWriteEvent } from "../../../functions/src/queue/triggers/dispatch-task";
import { handlers } from "../../../functions/src/handlers";
import { runsOf, unwatchedTask } from "../../support/tasks";

function writeEvent(after: FirebaseFirestore.DocumentSnapshot): TaskWriteEvent {
  return { data: { before: undefined, after }, params: {} } as unknown as TaskWriteEvent;
}

describe("dispatcher: duplicate and concurrent deliveries", () => {
  for (const deliveries of [2, 10]) {
    it(`${deliveries} concurrent deliveries of the same event run the handler once`, async () => {
      const task = await unwatchedTask({ type: "demo", action: "record" });
      const event = writeEvent(await task.get());
      await Promise.all(Array.from({ length: deliveries }, () => handleTaskWrite(event, handlers)));
      assert.equal(await runsOf(task), 1);
      const done = await task.get();
      assert.equal(done.get("state"), "completed");
      assert.equal(done.get("attempts"), 1);
    });
  }

  it("a late duplicate of an old event does nothing once the task has moved on", async () => {
    const task = await unwatchedTask({ type: "demo", action: "record" });
    const event = writeEvent(await task.get());
    await handleTaskWrite(event, handlers);
    const completed = await task.get();
    await handleTaskWrite(event, handlers);
    assert.equal(await runsOf(task), 1);
    assert.equal((await task.get()).updateTime?.isEqual(completed.updateTime!), true, "no further write");
  });

  it("returns without any write for events that do not leave the task scheduled", async () => {
    for (const state of ["running", "completed", "failed", "cancelled"]) {
      const task = await unwatchedTask({ type: "demo", action: "record", state });
      const before = await task.get();
      await handleTaskWrite(writeEvent(before), handlers);
      assert.equal((await task.get()).updateTime?.isEqual(before.updateTime!), true, `${state}: untouched`);
    }
    await handleTaskWrite({ data: undefined, params: {} } as unknown as TaskWriteEvent, handlers); // a delete
  });
});
