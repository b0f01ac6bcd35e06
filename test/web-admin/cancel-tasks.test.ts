// The callable behind "Cancel selected" and "Cancel all matching" runs with admin rights, so it checks the caller
// itself; its writes are conditioned, so only a task still `scheduled` is cancelled; and a cancelled task's
// delayed Cloud Task, which still fires, does not run it. Called over HTTP, as the page calls it.
import assert from "node:assert/strict";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { createUser, idToken, sleep } from "../support/emulators";
import { runsOf, taskIn, waitForState, writeTask } from "../support/tasks";
import { callCallable as call, isolatedParent, writeFailedTask, writeTaskAs } from "./browser";

const LATER = () => Timestamp.fromMillis(Date.now() + 3_600_000);
const stateOf = async (task: DocumentReference) => (await task.get()).get("state");

describe("admin callable: cancelTasks", () => {
  it("refuses callers who are not signed in or not admins, and changes nothing", async () => {
    const parent = await isolatedParent();
    const task = await writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt: LATER() });
    const filter = { collection: parent.parent.id };
    const anonymous = await call("cancelTasks", { filter });
    assert.equal(anonymous.error?.status, "UNAUTHENTICATED");
    const token = await idToken(await createUser({ admin: false }));
    for (const data of [{ filter }, { paths: [task.path] }]) {
      const denied = await call("cancelTasks", data, token);
      assert.equal(denied.error?.status, "PERMISSION_DENIED");
    }
    assert.equal(await stateOf(task), "scheduled");
  });

  it("cancels only the scheduled tasks matching the filter, with who and when; running and ended ones are untouched", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const scheduled = await Promise.all(
      [1, 2].map(() => writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt: LATER() })),
    );
    const others = [
      await writeTask(parent, taskIn("running")),
      await writeTask(parent, taskIn("completed")),
      await writeFailedTask(parent),
      await writeTaskAs(parent, { type: "demo", action: "record", state: "scheduled", runAt: LATER() }), // other action
    ];
    const before = await Promise.all(others.map(async (task) => (await task.get()).updateTime));
    const filter = { parent: parent.path, action: "noop" };
    const response = await call("cancelTasks", { filter }, await idToken(admin));
    assert.deepEqual(response.result, { cancelled: 2, skipped: 0, errors: 0, complete: true });
    for (const task of scheduled) {
      const stored = await task.get();
      assert.equal(stored.get("state"), "cancelled");
      assert.equal(stored.get("cancelledBy"), admin.uid);
      assert.ok(stored.get("cancelledAt") instanceof Timestamp);
    }
    const after = await Promise.all(others.map(async (task) => (await task.get()).updateTime));
    assert.deepEqual(after, before, "tasks that are not scheduled, or do not match, are not written at all");
  });

  it("by path: cancels a scheduled task and reports each other one skipped with its state", async () => {
    const token = await idToken(await createUser({ admin: true }));
    const parent = await isolatedParent();
    const scheduled = await writeTaskAs(parent, { type: "demo", action: "noop", state: "scheduled", runAt: LATER() });
    const running = await writeTask(parent, taskIn("running"));
    const completed = await writeTask(parent, taskIn("completed"));
    const paths = [scheduled.path, running.path, completed.path, `${parent.path}/tasks/missing`];
    const response = await call("cancelTasks", { paths }, token);
    assert.deepEqual(response.result?.outcomes, [
      { path: scheduled.path, cancelled: true },
      { path: running.path, cancelled: false, state: "running" },
      { path: completed.path, cancelled: false, state: "completed" },
      { path: paths[3], cancelled: false, state: "deleted" },
    ]);
    assert.deepEqual(await Promise.all([scheduled, running, completed].map(stateOf)), [
      "cancelled",
      "running",
      "completed",
    ]);
    const refused = await call("cancelTasks", { paths: [parent.path] }, token);
    assert.equal(refused.error?.status, "INVALID_ARGUMENT", "a parent is not a task path");
    const badParent = await call("cancelTasks", { filter: { parent: `${parent.path}/tasks` } }, token);
    assert.equal(badParent.error?.status, "INVALID_ARGUMENT", "a parent filter is a document path");
  });

  it("a cancelled task's delayed Cloud Task still fires, and does not run it", async () => {
    const token = await idToken(await createUser({ admin: true }));
    const parent = await isolatedParent();
    // Both are queued as Cloud Tasks for the same time; the control proves the run did fire.
    const runAt = Timestamp.fromMillis(Date.now() + 4_000);
    const [cancelled, control] = await Promise.all(
      [1, 2].map(() => writeTaskAs(parent, { type: "demo", action: "record", state: "scheduled", runAt })),
    );
    await sleep(500); // the trigger has queued both runs
    const response = await call("cancelTasks", { paths: [cancelled.path] }, token);
    assert.equal(response.result?.cancelled, 1);
    await waitForState(control, ["completed"], 20_000);
    await sleep(1_000);
    assert.equal(await stateOf(cancelled), "cancelled");
    assert.deepEqual(await Promise.all([cancelled, control].map(runsOf)), [0, 1]);
  });
});
