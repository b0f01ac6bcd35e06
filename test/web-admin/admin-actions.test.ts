// The callables behind "Retry all matching" and "Run now" run with admin rights, so they check the caller
// themselves: these tests call them as the page would, over HTTP, with and without the admin claim.
import assert from "node:assert/strict";
import { Timestamp } from "firebase-admin/firestore";
import { createUser, idToken, uniqueId } from "../support/emulators";
import { newParentAt, runsOf, taskIn, waitForState, writeTask } from "../support/tasks";
import { callCallable as call, isolatedParent, writeFailedTask, writeTaskAs } from "./browser";

describe("admin callables: retryTasks and runTaskNow", () => {
  it("retryTasks refuses callers who are not signed in or not admins, and changes nothing", async () => {
    const parent = await isolatedParent();
    const task = await writeFailedTask(parent);
    const filter = { collection: parent.parent.id };
    const anonymous = await call("retryTasks", { filter });
    assert.equal(anonymous.error?.status, "UNAUTHENTICATED");
    const user = await createUser({ admin: false });
    const denied = await call("retryTasks", { filter }, await idToken(user));
    assert.equal(denied.error?.status, "PERMISSION_DENIED");
    const ranNow = await call("runTaskNow", { path: task.path }, await idToken(user));
    assert.equal(ranNow.error?.status, "PERMISSION_DENIED");
    assert.equal((await task.get()).get("state"), "failed");
  });

  it("retryTasks rejects a filter it does not understand instead of retrying more than asked", async () => {
    const token = await idToken(await createUser({ admin: true }));
    const unknown = await call("retryTasks", { filter: { colection: "orders" } }, token);
    assert.equal(unknown.error?.status, "INVALID_ARGUMENT");
    const slash = await call("retryTasks", { filter: { collection: "orders/o-1" } }, token);
    assert.equal(slash.error?.status, "INVALID_ARGUMENT");
  });

  it("retryTasks retries only the failed tasks matching every filter field and counts them", async () => {
    const admin = await createUser({ admin: true });
    const parent = await isolatedParent();
    const later = Timestamp.fromMillis(Date.now() + 3_600_000); // retried tasks then wait instead of running
    const error = { code: "demo/failed", message: "no", attempt: 1 };
    const matching = [
      await writeFailedTask(parent, { runAt: later, error }),
      await writeFailedTask(parent, { runAt: later, error }),
    ];
    const others = [
      await writeFailedTask(parent, { runAt: later }), // other error code
      await writeFailedTask(parent, { runAt: later, error, action: "flaky" }), // other action
      await writeTaskAs(parent, { type: "demo", action: "fail", state: "completed", error }), // not failed
    ];
    const filter = { collection: parent.parent.id, type: "demo", action: "fail", errorCode: "demo/failed" };
    const response = await call("retryTasks", { filter }, await idToken(admin));
    assert.deepEqual(response.result, { retried: 2, skipped: 0, errors: 0, complete: true });
    for (const task of matching) {
      const stored = await task.get();
      assert.equal(stored.get("state"), "scheduled");
      assert.equal(stored.get("retriedBy"), admin.uid);
    }
    assert.deepEqual(await Promise.all(others.map(async (task) => (await task.get()).get("state"))), [
      "failed",
      "failed",
      "completed",
    ]);
  });

  it("retryTasks goes on after the cursor it is given, and refuses a cursor that is not a task's path", async () => {
    const token = await idToken(await createUser({ admin: true }));
    const parent = await isolatedParent();
    const later = Timestamp.fromMillis(Date.now() + 3_600_000); // retried tasks then wait instead of running
    const tasks = await Promise.all([1, 2, 3].map(() => writeFailedTask(parent, { runAt: later })));
    const [first, ...rest] = [...tasks].sort((a, b) => (a.path < b.path ? -1 : 1));
    const filter = { collection: parent.parent!.id };
    const resumed = await call("retryTasks", { filter, cursor: first.path }, token);
    assert.deepEqual(resumed.result, { retried: 2, skipped: 0, errors: 0, complete: true });
    assert.equal((await first.get()).get("state"), "failed", "at the cursor: handled by the call before");
    for (const task of rest) assert.equal((await task.get()).get("state"), "scheduled");
    for (const cursor of [parent.path, 42, "", `${parent.path}/tasks/`, `${first.path}/tasks`]) {
      const refused = await call("retryTasks", { filter, cursor }, token);
      assert.equal(refused.error?.status, "INVALID_ARGUMENT", JSON.stringify(cursor));
    }
    assert.equal((await first.get()).get("state"), "failed");
  });

  it("retryTasks (by path, and by the top-level collection) and runTaskNow serve a task under a parent at depth 3", async () => {
    const token = await idToken(await createUser({ admin: true }));
    const root = uniqueId("deep").replace("-", "_"); // this test's own top-level collection, for the filter
    const parent = await newParentAt(3, { ownerId: "someone" }, root); // deep_x/s/users/u/orders/o
    const [byPath, byFilter] = await Promise.all([
      writeTask(parent, taskIn("failed", { action: "record" })),
      writeTask(parent, taskIn("failed", { action: "record" })),
    ]);
    const picked = await call("retryTasks", { paths: [byPath.path] }, token);
    assert.deepEqual(picked.result?.outcomes, [{ path: byPath.path, retried: true }]);
    await waitForState(byPath, ["completed"]);
    const matching = await call("retryTasks", { filter: { collection: root } }, token);
    assert.equal(matching.result?.retried, 1, "the filter finds the nested task by its top-level collection");
    await waitForState(byFilter, ["completed"]);

    const delayed = await writeTask(parent, {
      type: "demo",
      action: "record",
      runAt: Timestamp.fromMillis(Date.now() + 86_400_000),
    });
    const ranNow = await call("runTaskNow", { path: delayed.path }, token);
    assert.deepEqual(ranNow.result, { ran: true, state: "scheduled" });
    await waitForState(delayed, ["completed"]);
    assert.deepEqual(await Promise.all([byPath, byFilter, delayed].map(runsOf)), [1, 1, 1]);
  });

  it("runTaskNow only runs scheduled tasks, and validates the path", async () => {
    const token = await idToken(await createUser({ admin: true }));
    const parent = await isolatedParent();
    const failed = await writeFailedTask(parent);
    const notRun = await call("runTaskNow", { path: failed.path }, token);
    assert.deepEqual(notRun.result, { ran: false, state: "failed" });
    const badPath = await call("runTaskNow", { path: parent.path }, token);
    assert.equal(badPath.error?.status, "INVALID_ARGUMENT");
    const missing = await call("runTaskNow", { path: `${parent.path}/tasks/nope` }, token);
    assert.equal(missing.error?.status, "NOT_FOUND");
  });
});
