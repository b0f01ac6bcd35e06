// Every query stays correct over index shards (docs/scale.md): tasks spread over several shards are found by the
// sweeper in each of them, listed by the admin page in one order with cursors that hold across shards, and counted
// whole; a task written by hand without a shard is still swept, and gets its shard from the engine's first write.
import { strict as assert } from "node:assert";
import { Timestamp, type DocumentReference } from "firebase-admin/firestore";
import { sweep } from "../../functions/src/queue/triggers/sweep-tasks";
import { dispatchHeldTasks } from "../../functions/src/queue/flow/resume";
import { handlers } from "../../functions/src/handlers";
import { SHARDS } from "../../functions/src/queue/config";
import { SHARD_FIELD, taskShard } from "../../functions/src/queue/model/index-shard";
import type { TaskFilter, TaskState } from "../../functions/src/queue/model/admin";
import { adminDb, createUser, emulatorVariable, PROJECT_ID, sleep, uniqueId } from "../support/emulators";
import { crashedTask, newParent, runsOf, taskIn, unwatchedTask, waitForState, writeTask } from "../support/tasks";

/** Shards far apart, the last one included: what a queue with SHARDS.count at its maximum writes. */
const SPREAD = [0, 7, 13, SHARDS.max - 1];

/**
 * Within the calling `describe`, the queries made in this process cover every shard, as with `SHARDS.count` at its
 * maximum (the functions in the emulator keep the default: these tests call the sweeper, a resume and the page's
 * queries themselves).
 */
function queryingEveryShard(): void {
  let count: number;
  before(() => {
    count = SHARDS.count;
    SHARDS.count = SHARDS.max;
  });
  after(() => {
    SHARDS.count = count;
  });
}

/** Sweeps with a cursor document of its own until every task settles; resolves with their snapshots. */
async function sweepUntilSettled(
  tasks: DocumentReference[],
  options: { lapPages: number; overdueGraceSeconds?: number },
) {
  const cursorPath = `_taskQueue/test-${uniqueId()}`;
  const settled = Promise.all(tasks.map((task) => waitForState(task, ["completed", "failed"], 60_000)));
  let done = false;
  void settled.finally(() => (done = true)).catch(() => undefined);
  try {
    for (let pass = 0; pass < 20 && !done; pass++) {
      await sweep(handlers, { cursorPath, ...options });
      await Promise.race([settled.catch(() => undefined), sleep(1000)]);
    }
    return await settled;
  } finally {
    await adminDb().doc(cursorPath).delete();
  }
}

/** A task whose creation event was lost: written `cancelled` (the trigger skips it), then made `scheduled`. */
async function lostTask(fields: Record<string, unknown>): Promise<DocumentReference> {
  const task = await writeTask(await newParent(), { ...fields, state: "cancelled" });
  await task.update({ state: "scheduled" });
  return task;
}

describe("sharded queries: the sweeper, every shard", () => {
  queryingEveryShard();
  it("recovers crashed attempts and lost creations in every shard", async () => {
    const old = Timestamp.fromMillis(Date.now() - 7200_000);
    // Crashed on their last attempt: the sweeper's recovery ends them at once, so no retry is waited for.
    const crashed = await Promise.all(
      SPREAD.map(async (shard) =>
        writeTask(
          await newParent(),
          crashedTask({ type: "demo", action: "record", createdAt: old, attempts: 3, maxAttempts: 3, shard }),
        ),
      ),
    );
    const lost = await Promise.all(
      SPREAD.map((shard) => lostTask({ type: "demo", action: "record", createdAt: old, runAt: old, shard })),
    );
    // Without the lap (the unsharded walk by name): found by the sharded walks, leases and overdue, alone.
    const done = await sweepUntilSettled([...crashed, ...lost], { lapPages: 0 });
    for (const task of done.slice(0, SPREAD.length)) {
      assert.equal(task.get("state"), "failed", task.ref.path);
      assert.equal(task.get("error.code"), "handler/lease-expired", `${task.ref.path}: found by the lease walk`);
    }
    for (const task of done.slice(SPREAD.length)) {
      assert.equal(task.get("state"), "completed", task.ref.path);
      assert.equal(await runsOf(task.ref), 1, `${task.ref.path} ran once`);
    }
  });
});

describe("sharded queries: the sweeper, a task without a shard", () => {
  it("runs a task written by hand without a shard, and the engine's first write gives it its shard", async () => {
    const parent = await newParent();
    const task = parent.collection("tasks").doc();
    // As typed in the console: no shard, no runAt, no createdAt; made `scheduled` without a creation event.
    await task.set({ type: "demo", action: "record", state: "cancelled", data: {} });
    await task.update({ state: "scheduled" });
    assert.equal((await task.get()).get(SHARD_FIELD), undefined);
    // The lap (every scheduled task by name) finds it; without runAt or createdAt it fell due at its last write.
    const [done] = await sweepUntilSettled([task], { lapPages: 50, overdueGraceSeconds: 0 });
    assert.equal(done.get("state"), "completed");
    assert.equal(await runsOf(task), 1);
    assert.equal(done.get(SHARD_FIELD), taskShard(task.id), "the claim wrote the shard of its id");
  });
});

describe("sharded queries: a delayed task written without a shard", () => {
  it("gets its shard from the trigger, so the sharded queries see it while it waits", async () => {
    const task = (await newParent()).collection("tasks").doc();
    // As plain SDK code writes it (README, "Writing a task"): no shard; due in an hour.
    const { [SHARD_FIELD]: _none, ...fields } = taskIn("scheduled", {
      type: "demo",
      action: "record",
      runAt: Timestamp.fromMillis(Date.now() + 3600_000),
    });
    await task.set(fields);
    try {
      let shard: unknown;
      for (let i = 0; i < 100 && shard === undefined; i++) {
        await sleep(100);
        shard = (await task.get()).get(SHARD_FIELD);
      }
      assert.equal(shard, taskShard(task.id));
      assert.equal((await task.get()).get("state"), "scheduled", "still waiting for its runAt");
    } finally {
      await task.update({ state: "cancelled" });
    }
  });
});

describe("sharded queries: a resume", () => {
  queryingEveryShard();
  it("pages through held tasks of every shard in runAt order, its cursor going on across shards", async () => {
    // Due before anything else in the emulator, under a parent too deep for the queue: the walk reads them and its
    // cursor moves over them, but nothing dispatches or runs them, so the pages stay put between calls.
    const held = await Promise.all(
      [...SPREAD].reverse().map((shard, i) =>
        unwatchedTask({
          type: "demo",
          action: "record",
          runAt: Timestamp.fromMillis(Date.UTC(2001, 0, 1) + i * 1000),
          shard,
        }),
      ),
    );
    const page = { pageSize: 2, budgetMs: 0 }; // one page a call: each call returns the cursor of its last task
    const first = await dispatchHeldTasks(handlers, page);
    assert.equal(first.complete, false);
    assert.equal(first.cursor, held[1].path, "the first page: the two held longest, from two shards");
    const second = await dispatchHeldTasks(handlers, { ...page, cursor: first.cursor });
    assert.equal(second.cursor, held[3].path, "the next page goes on after the cursor, in the other shards");
  });
});

// ---- The admin page's queries (web-admin/src/queries.ts), run by the Firebase JS SDK as a signed-in admin --------

interface PageQueries {
  PAGE_SIZE: number;
  pageQuery(db: unknown, route: unknown): unknown;
  countTasks(db: unknown, state: TaskState, filter: TaskFilter, cap?: number): Promise<number>;
  cursorFrom(direction: "after" | "before", createdAt: unknown, path: string): unknown;
}

describe("sharded queries: the admin page", () => {
  queryingEveryShard();
  // The page and the SDK are ES modules: imported as such, so the page's queries and this app share one SDK.
  let firestore: typeof import("firebase/firestore");
  let page: PageQueries;
  let db: import("firebase/firestore").Firestore;
  let close: () => Promise<void>;
  const type = `shardList${uniqueId().replace(/[^A-Za-z0-9]/g, "")}`;
  const TOTAL = 60;
  let expected: string[]; // the paths, newest first

  before(async () => {
    const { initializeApp, deleteApp } = await import("firebase/app");
    const auth = await import("firebase/auth");
    firestore = await import("firebase/firestore");
    page = (await import("../../web-admin/src/queries.ts")) as unknown as PageQueries;
    const user = await createUser({ admin: true });
    const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, uniqueId("shard-admin"));
    const clientAuth = auth.getAuth(app);
    auth.connectAuthEmulator(clientAuth, `http://${emulatorVariable("FIREBASE_AUTH_EMULATOR_HOST")}`, {
      disableWarnings: true,
    });
    await auth.signInWithEmailAndPassword(clientAuth, user.email, user.password);
    db = firestore.getFirestore(app);
    const [host, port] = emulatorVariable("FIRESTORE_EMULATOR_HOST").split(":");
    firestore.connectFirestoreEmulator(db, host, Number(port));
    close = async () => {
      await firestore.terminate(db);
      await deleteApp(app);
    };

    // TOTAL completed tasks of one type a second apart, round-robin over the spread shards, so every page mixes them.
    const parent = await newParent();
    const writer = adminDb().bulkWriter();
    const start = Date.now() - 3600_000;
    const refs = Array.from({ length: TOTAL }, (_, i) => {
      const ref = parent.collection("tasks").doc(`t${String(i).padStart(3, "0")}`);
      const fields = { type, createdAt: Timestamp.fromMillis(start + i * 1000), shard: SPREAD[i % SPREAD.length] };
      void writer.set(ref, taskIn("completed", fields));
      return ref;
    });
    await writer.close();
    expected = refs.map((ref) => ref.path).reverse();
  });

  after(async () => close?.());

  const route = (cursor?: unknown) => ({ state: "completed", filter: { type }, cursor });
  const listed = async (route: unknown) => {
    const snapshot = await firestore.getDocsFromServer(page.pageQuery(db, route) as import("firebase/firestore").Query);
    return snapshot.docs;
  };

  it("lists the shards merged newest first, and pages through them with cursors both ways", async () => {
    const first = await listed(route());
    assert.equal(first.length, page.PAGE_SIZE + 1, "a full page, and one more: there is a next page");
    assert.deepEqual(
      first.map((d) => d.ref.path),
      expected.slice(0, page.PAGE_SIZE + 1),
    );
    assert.deepEqual(new Set(first.map((d) => d.get(SHARD_FIELD))), new Set(SPREAD), "every shard on the page");

    const last = first[page.PAGE_SIZE - 1];
    const older = await listed(route(page.cursorFrom("after", last.get("createdAt"), last.ref.path)));
    assert.deepEqual(
      older.map((d) => d.ref.path),
      expected.slice(page.PAGE_SIZE),
      "the older page goes on after the cursor, across shards, with nothing skipped or repeated",
    );

    const top = older[0];
    const newer = await listed(route(page.cursorFrom("before", top.get("createdAt"), top.ref.path)));
    assert.deepEqual(
      newer.map((d) => d.ref.path),
      expected.slice(0, page.PAGE_SIZE),
      "the newer page ends right before the cursor",
    );
  });

  it("counts the tasks of every shard, and one written by hand without a shard", async () => {
    assert.equal(await page.countTasks(db, "completed", { type }), TOTAL);
    const parent = await newParent();
    const unsharded = taskIn("completed", { type });
    delete unsharded[SHARD_FIELD];
    await parent.collection("tasks").doc().set(unsharded);
    assert.equal(await page.countTasks(db, "completed", { type }), TOTAL + 1, "counts need no shard");
  });

  it("a capped count stops one past the cap, across shards, and the tab shows it as cap+", async () => {
    const { countLabel } = await import("../../web-admin/src/format.ts");
    const capped = await page.countTasks(db, "completed", { type }, 10);
    assert.equal(capped, 11, "count() over limit(cap + 1): at most cap + 1 index entries read");
    assert.equal(countLabel(capped, 10), "10+");
    const all = await page.countTasks(db, "completed", { type }, 1000);
    assert.equal(countLabel(all, 1000), String(all), "under the cap, the exact count");
    assert.equal(countLabel(10_001, 10_000), "10,000+");
  });
});
