// Dedup and debounce from server code (`enqueueTask` with a `dedupKey`), end to end on the emulators: concurrent
// enqueues of one key write one task, which runs once; the key is free again once the task ended (and its
// `dedupSeconds` passed); a debounced burst runs once, with the last data, at the end of its window; and no lock
// outlives its task.
import assert from "node:assert/strict";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { enqueueTask } from "../../../functions/src/queue/store/enqueue-task";
import { dedupLockRef } from "../../../functions/src/queue/store/dedup-lock";
import { adminDb, sleep, uniqueId } from "../../support/emulators";
import { newParent, runsOf, waitForState } from "../../support/tasks";
import "../../../functions/src/handlers"; // registers the handlers (debounceSeconds, schemas)

/** A day ahead: the trigger hands the task to Cloud Tasks, so it stays `scheduled` while the test looks at it. */
const tomorrow = () => Timestamp.fromMillis(Date.now() + 24 * 3600_000);

function lockOf(parent: DocumentReference, action: string, key: string): DocumentReference {
  return dedupLockRef(adminDb(), parent.path, "demo", action, key);
}

async function tasksUnder(parent: DocumentReference): Promise<number> {
  return (await parent.collection("tasks").count().get()).data().count;
}

describe("enqueueTask with a dedupKey", () => {
  it("10 concurrent enqueues of one key return the same task, written once, which runs once", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    // Due in 5 s, so the task is still live while the ten settle: once it has ended its key is free, and a late
    // enqueue would rightly write a new task.
    const runAt = new Date(Date.now() + 5000);
    const refs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        enqueueTask(parent, { type: "demo", action: "record", data: { i }, runAt }, { dedupKey: key }),
      ),
    );
    assert.equal(new Set(refs.map((ref) => ref.path)).size, 1, "one task for all ten");
    assert.equal(await tasksUnder(parent), 1);
    const done = await waitForState(refs[0]);
    assert.equal(done.get("state"), "completed");
    assert.equal(done.get("dedupKey"), key);
    assert.equal(await runsOf(refs[0]), 1);
  });

  it("the lock is released when the task ends, and the key is then free for a new task", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    const first = await enqueueTask(parent, { type: "demo", action: "record" }, { dedupKey: key });
    await waitForState(first);
    assert.equal((await lockOf(parent, "record", key).get()).exists, false, "released with the outcome");
    const second = await enqueueTask(parent, { type: "demo", action: "record" }, { dedupKey: key });
    assert.notEqual(second.path, first.path);
    assert.equal((await waitForState(second)).get("state"), "completed");
    assert.equal((await lockOf(parent, "record", key).get()).exists, false);
  });

  it("a failed task releases its key too", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    const task = await enqueueTask(parent, { type: "demo", action: "fail", data: {} }, { dedupKey: key });
    assert.equal((await waitForState(task)).get("state"), "failed");
    assert.equal((await lockOf(parent, "fail", key).get()).exists, false);
  });

  it("keys are per handler and per parent", async () => {
    const parent = await newParent();
    const other = await newParent();
    const key = uniqueId("key");
    const a = await enqueueTask(parent, { type: "demo", action: "noop", runAt: tomorrow() }, { dedupKey: key });
    const b = await enqueueTask(parent, { type: "demo", action: "record", runAt: tomorrow() }, { dedupKey: key });
    const c = await enqueueTask(other, { type: "demo", action: "noop", runAt: tomorrow() }, { dedupKey: key });
    assert.equal(new Set([a.path, b.path, c.path]).size, 3);
  });

  it("with dedupSeconds the key stays taken after the task ended, until they have passed", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    const options = { dedupKey: key, dedupSeconds: 4 };
    const enqueuedAt = Date.now();
    const first = await enqueueTask(parent, { type: "demo", action: "record" }, options);
    await waitForState(first);
    const again = await enqueueTask(parent, { type: "demo", action: "record" }, options);
    assert.equal(again.path, first.path, "still within dedupSeconds: the same task, not run again");
    await sleep(enqueuedAt + 4500 - Date.now());
    const later = await enqueueTask(parent, { type: "demo", action: "record" }, options);
    assert.notEqual(later.path, first.path);
    await waitForState(later);
    assert.equal(await runsOf(first), 1);
    assert.equal(await runsOf(later), 1);
  });

  it("a lock whose task was deleted by hand does not block the key", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    const first = await enqueueTask(parent, { type: "demo", action: "noop", runAt: tomorrow() }, { dedupKey: key });
    await first.delete();
    const second = await enqueueTask(parent, { type: "demo", action: "noop", runAt: tomorrow() }, { dedupKey: key });
    assert.notEqual(second.path, first.path);
    assert.equal((await lockOf(parent, "noop", key).get()).get("task"), second.path);
  });

  it("refuses a key that is empty or longer than 200 characters, writing nothing", async () => {
    const parent = await newParent();
    for (const dedupKey of ["", "k".repeat(201)]) {
      await assert.rejects(enqueueTask(parent, { type: "demo", action: "noop" }, { dedupKey }), {
        code: "enqueue/invalid-dedup",
      });
    }
    assert.equal(await tasksUnder(parent), 0);
  });
});

describe("debounceSeconds (demo.debounced, 2 s)", () => {
  it("5 enqueues of one key within 2 s run once, with the last data, at the end of the window", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    const windowStart = Date.now();
    const refs: DocumentReference[] = [];
    for (let n = 0; n < 5; n++) {
      refs.push(await enqueueTask(parent, { type: "demo", action: "debounced", data: { n } }, { dedupKey: key }));
      await sleep(250);
    }
    assert.ok(Date.now() - windowStart < 2000, "the burst fits in the window");
    const ends = await Promise.all(refs.map((ref) => waitForState(ref)));
    const last = ends[4];
    const seen = JSON.stringify(ends.map((end) => [end.ref.id, end.get("state"), end.get("startedAt")?.toMillis()]));
    assert.deepEqual(
      ends.map((end) => end.get("state")),
      ["cancelled", "cancelled", "cancelled", "cancelled", "completed"],
      `${seen}, window from ${windowStart}`,
    );
    assert.equal(last.get("state"), "completed");
    assert.deepEqual(last.get("result"), { received: { n: 4 } });
    assert.ok(last.get("startedAt").toMillis() >= windowStart + 2000, "not before the end of the window");
    for (const superseded of ends.slice(0, 4)) {
      assert.equal(superseded.get("state"), "cancelled");
      assert.equal(superseded.get("cancelReason"), "debounced");
      assert.equal(superseded.get("supersededBy"), refs[4].path);
      // Kept as long as any cancelled task of its handler (retainFor, 90 days by default), then deleted by TTL.
      const kept = superseded.get("expireAt").toMillis() - superseded.get("cancelledAt").toMillis();
      assert.ok(Math.abs(kept - 90 * 86_400_000) < 60_000, `expireAt ${kept} ms after cancelledAt`);
    }
    assert.deepEqual(await Promise.all(refs.map(runsOf)), [0, 0, 0, 0, 1]);
    // Released by the end of its task: the lock stays as the key's record, naming the window's last task, which
    // ended, so the key is free (the next enqueue replaces it: see below).
    assert.equal((await lockOf(parent, "debounced", key).get()).get("task"), refs[4].path);
  });

  it("an enqueue after the window's task ran starts a new window", async () => {
    const parent = await newParent();
    const key = uniqueId("key");
    const first = await enqueueTask(parent, { type: "demo", action: "debounced", data: { n: 1 } }, { dedupKey: key });
    await waitForState(first);
    const second = await enqueueTask(parent, { type: "demo", action: "debounced", data: { n: 2 } }, { dedupKey: key });
    assert.notEqual(second.path, first.path);
    assert.deepEqual((await waitForState(second)).get("result"), { received: { n: 2 } });
  });
});
