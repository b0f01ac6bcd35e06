// The security rules of task documents (docs/design.md, "Security model"), proved on the Firestore emulator:
// every allow succeeds, and the ways a stranger, a careless client or an overreaching admin could misuse the
// queue fail.
import { assertFails, assertSucceeds, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { Timestamp as AdminTimestamp } from "firebase-admin/firestore";
import {
  Timestamp,
  collection,
  collectionGroup,
  deleteDoc,
  deleteField,
  doc,
  getDoc,
  getDocs,
  limit,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  setLogLevel,
  updateDoc,
  where,
  writeBatch,
  type DocumentData,
  type Firestore,
} from "firebase/firestore";
import { cancelTask, enqueueTask, enqueueTaskIn, retryTask } from "../../functions/src/client";
import { MAX_DATA_KEYS, MAX_PARENT_DEPTH, SHARDS } from "../../functions/src/queue/config";
import type { TaskState } from "../../functions/src/queue/model/task";
import { adminDb, uniqueId } from "../support/emulators";
import {
  clientDb,
  clientTask as clientTaskFor,
  daysFromNow,
  newTaskRef,
  rulesEnvironment,
  seedParent,
  seedParentAt,
  seedTask,
} from "../support/rules";

const OWNER = "alice";
const STRANGER = "mallory";
const ADMIN = "ann-admin";

/**
 * The fields a client writes for a valid task, `overrides` on top: the real client-enqueueable handler, since the
 * demo handlers are server-only in the deployed rules (the rules under test).
 */
function clientTask(uid: string, overrides: DocumentData = {}): DocumentData {
  return clientTaskFor(uid, { type: "order", action: "sendConfirmationEmail", ...overrides });
}

function dataWithKeys(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));
}

function without(fields: DocumentData, key: string): DocumentData {
  const { [key]: _removed, ...rest } = fields;
  return rest;
}

describe("security rules: tasks", () => {
  let env: RulesTestEnvironment;
  let owner: Firestore;
  let stranger: Firestore;
  let admin: Firestore;
  let signedOut: Firestore;

  before(async () => {
    setLogLevel("silent"); // every denial would otherwise log a stream error; assertFails checks them
    env = await rulesEnvironment();
    owner = clientDb(env, OWNER);
    stranger = clientDb(env, STRANGER);
    admin = clientDb(env, ADMIN, { admin: true });
    signedOut = clientDb(env);
  });

  after(async () => {
    setLogLevel("warn");
    await env?.cleanup();
  });

  describe("create: an owner enqueues client-enqueueable tasks on their own parent", () => {
    let parent: string;
    beforeEach(async () => {
      parent = await seedParent(OWNER);
    });

    it("allows a task with every client field (type, action, state, data, runAt, createdAt, createdBy, shard)", async () => {
      await assertSucceeds(setDoc(newTaskRef(owner, parent), clientTask(OWNER, { runAt: daysFromNow(1), shard: 0 })));
    });

    it(`allows every shard from 0 to ${SHARDS.max - 1}, and a task without one`, async () => {
      await assertSucceeds(setDoc(newTaskRef(owner, parent), clientTask(OWNER, { shard: SHARDS.max - 1 })));
      await assertSucceeds(setDoc(newTaskRef(owner, parent), without(clientTask(OWNER), "shard")));
    });

    it("allows a task without data or runAt", async () => {
      const task = without(without(clientTask(OWNER), "data"), "runAt");
      await assertSucceeds(setDoc(newTaskRef(owner, parent), task));
    });

    it("allows runAt just under 30 days ahead", async () => {
      const runAt = Timestamp.fromMillis(Date.now() + 30 * 24 * 3600 * 1000 - 60_000);
      await assertSucceeds(setDoc(newTaskRef(owner, parent), clientTask(OWNER, { runAt })));
    });

    it(`allows data with ${MAX_DATA_KEYS} keys, nested maps and lists`, async () => {
      const data = { ...dataWithKeys(MAX_DATA_KEYS - 1), nested: { list: [1, 2, { deep: true }] } };
      await assertSucceeds(setDoc(newTaskRef(owner, parent), clientTask(OWNER, { data, runAt: daysFromNow(1) })));
    });

    it("allows creating the parent and its task in one batch (outbox pattern)", async () => {
      const orderPath = `orders/${uniqueId("order")}`;
      const batch = writeBatch(owner);
      batch.set(doc(owner, orderPath), { ownerId: OWNER, total: 42 });
      batch.set(newTaskRef(owner, orderPath), clientTask(OWNER, { runAt: daysFromNow(1) }));
      await assertSucceeds(batch.commit());
    });

    it("allows a task written in a transaction", async () => {
      await assertSucceeds(
        runTransaction(owner, async (transaction) => {
          await transaction.get(doc(owner, parent));
          transaction.set(newTaskRef(owner, parent), clientTask(OWNER, { runAt: daysFromNow(1) }));
        }),
      );
    });

    it("allows the client library's enqueueTask", async () => {
      const request = { type: "order", action: "sendConfirmationEmail", runAt: daysFromNow(1) } as const;
      await assertSucceeds(enqueueTask(doc(owner, parent), request, { uid: OWNER }));
    });

    it("allows the client library's enqueueTaskIn, with the order in the same batch", async () => {
      const order = doc(owner, `orders/${uniqueId("order")}`);
      const batch = writeBatch(owner);
      batch.set(order, { ownerId: OWNER, total: 4200 });
      const runAt = new Date(Date.now() + 24 * 3600 * 1000);
      enqueueTaskIn(batch, order, { type: "order", action: "sendConfirmationEmail", runAt }, { uid: OWNER });
      await assertSucceeds(batch.commit());
    });

    const create = (db: () => Firestore, fields: () => DocumentData) => () =>
      assertFails(setDoc(newTaskRef(db(), parent), fields()));
    const denials: Array<[string, () => Promise<unknown>]> = [
      [
        "a signed-out client",
        create(
          () => signedOut,
          () => clientTask(OWNER),
        ),
      ],
      [
        "a task under another user's parent",
        create(
          () => stranger,
          () => clientTask(STRANGER),
        ),
      ],
      [
        "a task under a missing parent",
        () => assertFails(setDoc(newTaskRef(owner, `orders/${uniqueId("missing")}`), clientTask(OWNER))),
      ],
      [
        "a task under a parent without ownerId",
        async () => {
          const path = `orders/${uniqueId("unowned")}`;
          await adminDb().doc(path).set({ total: 1 });
          await assertFails(setDoc(newTaskRef(owner, path), clientTask(OWNER)));
        },
      ],
      [
        "a task under a parent that the same batch gives to someone else",
        async () => {
          const orderPath = `orders/${uniqueId("order")}`;
          const batch = writeBatch(owner);
          batch.set(doc(owner, orderPath), { ownerId: STRANGER });
          batch.set(newTaskRef(owner, orderPath), clientTask(OWNER));
          await assertFails(batch.commit());
        },
      ],
      [
        `a task below a document at depth ${MAX_PARENT_DEPTH + 1} (the triggers serve depths 1 to ${MAX_PARENT_DEPTH})`,
        async () => {
          const deep = await seedParentAt(OWNER, MAX_PARENT_DEPTH + 1);
          await assertFails(setDoc(newTaskRef(owner, deep), clientTask(OWNER)));
        },
      ],
      [
        "state running",
        create(
          () => owner,
          () => clientTask(OWNER, { state: "running" }),
        ),
      ],
      [
        "state completed",
        create(
          () => owner,
          () => clientTask(OWNER, { state: "completed" }),
        ),
      ],
      [
        "state failed",
        create(
          () => owner,
          () => clientTask(OWNER, { state: "failed" }),
        ),
      ],
      [
        "no state",
        create(
          () => owner,
          () => without(clientTask(OWNER), "state"),
        ),
      ],
      [
        "attempts",
        create(
          () => owner,
          () => clientTask(OWNER, { attempts: 0 }),
        ),
      ],
      [
        "maxAttempts",
        create(
          () => owner,
          () => clientTask(OWNER, { maxAttempts: 1000 }),
        ),
      ],
      [
        "lease",
        create(
          () => owner,
          () => clientTask(OWNER, { lease: { owner: "me", expiresAt: daysFromNow(1) } }),
        ),
      ],
      [
        "error",
        create(
          () => owner,
          () => clientTask(OWNER, { error: { code: "x", message: "y" } }),
        ),
      ],
      [
        "result",
        create(
          () => owner,
          () => clientTask(OWNER, { result: { ok: true } }),
        ),
      ],
      [
        "completedAt",
        create(
          () => owner,
          () => clientTask(OWNER, { completedAt: serverTimestamp() }),
        ),
      ],
      [
        "startedAt",
        create(
          () => owner,
          () => clientTask(OWNER, { startedAt: serverTimestamp() }),
        ),
      ],
      [
        "failedAt",
        create(
          () => owner,
          () => clientTask(OWNER, { failedAt: serverTimestamp() }),
        ),
      ],
      [
        "updatedAt",
        create(
          () => owner,
          () => clientTask(OWNER, { updatedAt: serverTimestamp() }),
        ),
      ],
      [
        "progress",
        create(
          () => owner,
          () => clientTask(OWNER, { progress: 100 }),
        ),
      ],
      [
        "history",
        create(
          () => owner,
          () => clientTask(OWNER, { history: [] }),
        ),
      ],
      [
        "retriedBy",
        create(
          () => owner,
          () => clientTask(OWNER, { retriedBy: OWNER }),
        ),
      ],
      [
        "enqueuedBy (server code's mark: a client must not pass its task off as a handler's follow-up)",
        create(
          () => owner,
          () => clientTask(OWNER, { enqueuedBy: `${parent}/tasks/origin` }),
        ),
      ],
      [
        "an unknown field",
        create(
          () => owner,
          () => clientTask(OWNER, { priority: "high" }),
        ),
      ],
      [
        "a server-only handler (inventory.mutations.initiateOrderProcessing)",
        create(
          () => owner,
          () => clientTask(OWNER, { type: "inventory", action: "mutations.initiateOrderProcessing" }),
        ),
      ],
      [
        "a server-only handler (demo.record)",
        create(
          () => owner,
          () => clientTask(OWNER, { type: "demo", action: "record" }),
        ),
      ],
      [
        "a server-only handler (demo.chain)",
        create(
          () => owner,
          () => clientTask(OWNER, { type: "demo", action: "chain" }),
        ),
      ],
      [
        "a demo handler (demo.noop): the deployed rules let clients enqueue the real handlers only",
        create(
          () => owner,
          () => clientTask(OWNER, { type: "demo", action: "noop" }),
        ),
      ],
      [
        "an unknown handler",
        create(
          () => owner,
          () => clientTask(OWNER, { action: "missing" }),
        ),
      ],
      [
        'type "__proto__"',
        create(
          () => owner,
          () => clientTask(OWNER, { type: "__proto__", action: "toString" }),
        ),
      ],
      [
        'type "constructor"',
        create(
          () => owner,
          () => clientTask(OWNER, { type: "constructor", action: "name" }),
        ),
      ],
      [
        'action "__proto__"',
        create(
          () => owner,
          () => clientTask(OWNER, { action: "__proto__" }),
        ),
      ],
      [
        "a dotted type",
        create(
          () => owner,
          () => clientTask(OWNER, { type: "demo.noop", action: "x" }),
        ),
      ],
      [
        "a type that is not a string",
        create(
          () => owner,
          () => clientTask(OWNER, { type: 42 }),
        ),
      ],
      [
        "an empty type",
        create(
          () => owner,
          () => clientTask(OWNER, { type: "" }),
        ),
      ],
      [
        "no action",
        create(
          () => owner,
          () => without(clientTask(OWNER), "action"),
        ),
      ],
      [
        `oversized data (${MAX_DATA_KEYS + 1} keys)`,
        create(
          () => owner,
          () => clientTask(OWNER, { data: dataWithKeys(MAX_DATA_KEYS + 1) }),
        ),
      ],
      [
        "data that is a string",
        create(
          () => owner,
          () => clientTask(OWNER, { data: "payload" }),
        ),
      ],
      [
        "data that is a list",
        create(
          () => owner,
          () => clientTask(OWNER, { data: [1, 2] }),
        ),
      ],
      [
        "runAt 31 days ahead",
        create(
          () => owner,
          () => clientTask(OWNER, { runAt: daysFromNow(31) }),
        ),
      ],
      [
        `shard ${SHARDS.max} (the queries read 0 to ${SHARDS.max - 1})`,
        create(
          () => owner,
          () => clientTask(OWNER, { shard: SHARDS.max }),
        ),
      ],
      [
        "a shard that is not a whole number",
        create(
          () => owner,
          () => clientTask(OWNER, { shard: 1.5 }),
        ),
      ],
      [
        "a negative shard",
        create(
          () => owner,
          () => clientTask(OWNER, { shard: -1 }),
        ),
      ],
      [
        "runAt that is not a timestamp",
        create(
          () => owner,
          () => clientTask(OWNER, { runAt: "2030-01-01" }),
        ),
      ],
      [
        "createdBy of someone else",
        create(
          () => owner,
          () => clientTask(OWNER, { createdBy: STRANGER }),
        ),
      ],
      [
        "no createdBy",
        create(
          () => owner,
          () => without(clientTask(OWNER), "createdBy"),
        ),
      ],
      [
        "createdAt from the client's clock",
        create(
          () => owner,
          () => clientTask(OWNER, { createdAt: Timestamp.now() }),
        ),
      ],
      [
        "no createdAt",
        create(
          () => owner,
          () => without(clientTask(OWNER), "createdAt"),
        ),
      ],
      [
        "a create over an existing task (that is an update)",
        async () => {
          const existing = await seedTask(parent, "failed");
          await assertFails(setDoc(doc(owner, existing), clientTask(OWNER)));
        },
      ],
      [
        "the client library enqueueing a server-only handler",
        () =>
          assertFails(enqueueTask(doc(owner, parent), { type: "demo", action: "record", data: {} }, { uid: OWNER })),
      ],
    ];
    for (const [what, attempt] of denials) {
      it(`denies ${what}`, attempt);
    }
  });

  describe("read: owners read their parent's tasks, admins read every task", () => {
    let parent: string;
    let task: string;
    beforeEach(async () => {
      parent = await seedParent(OWNER);
      task = await seedTask(parent, "failed");
    });

    it("allows the owner to get a task", async () => {
      await assertSucceeds(getDoc(doc(owner, task)));
    });

    it("allows the owner to list their parent's tasks", async () => {
      const snap = await assertSucceeds(getDocs(collection(owner, `${parent}/tasks`)));
      if (snap.size !== 1) throw new Error(`expected 1 task, got ${snap.size}`);
    });

    it("allows the owner to query their parent's tasks by state", async () => {
      await assertSucceeds(getDocs(query(collection(owner, `${parent}/tasks`), where("state", "==", "failed"))));
    });

    it("allows an admin to get any task", async () => {
      await assertSucceeds(getDoc(doc(admin, task)));
    });

    it("allows an admin to list any parent's tasks", async () => {
      await assertSucceeds(getDocs(collection(admin, `${parent}/tasks`)));
    });

    it("allows an admin a collection-group query over every `tasks` collection", async () => {
      await assertSucceeds(getDocs(query(collectionGroup(admin, "tasks"), limit(5))));
    });

    it("allows an admin a filtered collection-group query", async () => {
      await assertSucceeds(getDocs(query(collectionGroup(admin, "tasks"), where("state", "==", "failed"), limit(5))));
    });

    const denials: Array<[string, () => Promise<unknown>]> = [
      ["a signed-out client getting a task", () => assertFails(getDoc(doc(signedOut, task)))],
      ["a stranger getting a task", () => assertFails(getDoc(doc(stranger, task)))],
      ["a stranger listing another user's tasks", () => assertFails(getDocs(collection(stranger, `${parent}/tasks`)))],
      ["a signed-out client listing tasks", () => assertFails(getDocs(collection(signedOut, `${parent}/tasks`)))],
      [
        "a non-admin collection-group query",
        () => assertFails(getDocs(query(collectionGroup(owner, "tasks"), limit(5)))),
      ],
      [
        "a non-admin collection-group query even when filtered to their own tasks",
        () => assertFails(getDocs(query(collectionGroup(owner, "tasks"), where("createdBy", "==", OWNER), limit(5)))),
      ],
      [
        "a signed-out collection-group query",
        () => assertFails(getDocs(query(collectionGroup(signedOut, "tasks"), limit(5)))),
      ],
      [
        'a collection-group query with the claim admin: "true" (a string)',
        () => assertFails(getDocs(query(collectionGroup(clientDb(env, "eve", { admin: "true" }), "tasks"), limit(5)))),
      ],
      [
        "a collection-group query with the claim admin: false",
        () => assertFails(getDocs(query(collectionGroup(clientDb(env, "eve", { admin: false }), "tasks"), limit(5)))),
      ],
    ];
    for (const [what, attempt] of denials) {
      it(`denies ${what}`, attempt);
    }
  });

  describe("update: admins retry failed tasks and cancel scheduled ones, nothing else", () => {
    let parent: string;
    beforeEach(async () => {
      parent = await seedParent(OWNER);
    });

    const retry = (extra: DocumentData = {}): DocumentData => ({
      state: "scheduled",
      retriedBy: ADMIN,
      retriedAt: serverTimestamp(),
      ...extra,
    });

    it("allows an admin to retry a failed task, recording retriedBy and retriedAt", async () => {
      const task = await seedTask(parent, "failed");
      await assertSucceeds(updateDoc(doc(admin, task), retry()));
    });

    it("allows an admin to retry a failed task at a new runAt", async () => {
      const task = await seedTask(parent, "failed");
      await assertSucceeds(updateDoc(doc(admin, task), retry({ runAt: daysFromNow(2) })));
    });

    it("allows an admin to retry a task that was retried before", async () => {
      const task = await seedTask(parent, "failed", { retriedBy: "someone", retriedAt: AdminTimestamp.now() });
      await assertSucceeds(updateDoc(doc(admin, task), retry()));
    });

    it("allows an admin to cancel a scheduled task", async () => {
      const task = await seedTask(parent, "scheduled");
      await assertSucceeds(updateDoc(doc(admin, task), { state: "cancelled" }));
    });

    it("allows an admin to cancel a scheduled task, recording cancelledBy and cancelledAt", async () => {
      const task = await seedTask(parent, "scheduled");
      const update = { state: "cancelled", cancelledBy: ADMIN, cancelledAt: serverTimestamp() };
      await assertSucceeds(updateDoc(doc(admin, task), update));
    });

    it("allows the client library's retryTask and cancelTask", async () => {
      const failed = await seedTask(parent, "failed");
      const scheduled = await seedTask(parent, "scheduled");
      await assertSucceeds(retryTask(doc(admin, failed), { uid: ADMIN, runAt: new Date(Date.now() + 3600_000) }));
      await assertSucceeds(cancelTask(doc(admin, scheduled), { uid: ADMIN }));
    });

    const update = (db: () => Firestore, state: TaskState, change: () => DocumentData) => async () => {
      const task = await seedTask(parent, state);
      await assertFails(updateDoc(doc(db(), task), change()));
    };
    const denials: Array<[string, () => Promise<unknown>]> = [
      [
        "the owner cancelling their own scheduled task",
        update(
          () => owner,
          "scheduled",
          () => ({ state: "cancelled" }),
        ),
      ],
      [
        "the owner retrying their own failed task",
        update(
          () => owner,
          "failed",
          () => ({ state: "scheduled", retriedBy: OWNER, retriedAt: serverTimestamp() }),
        ),
      ],
      [
        "the owner changing data",
        update(
          () => owner,
          "scheduled",
          () => ({ data: { evil: true } }),
        ),
      ],
      [
        "a stranger retrying",
        update(
          () => stranger,
          "failed",
          () => ({ ...retry(), retriedBy: STRANGER }),
        ),
      ],
      [
        "a signed-out client cancelling",
        update(
          () => signedOut,
          "scheduled",
          () => ({ state: "cancelled" }),
        ),
      ],
      [
        "an admin changing data",
        update(
          () => admin,
          "scheduled",
          () => ({ data: { evil: true } }),
        ),
      ],
      [
        "an admin changing data while retrying",
        update(
          () => admin,
          "failed",
          () => retry({ data: { evil: true } }),
        ),
      ],
      [
        "an admin changing the action while retrying",
        update(
          () => admin,
          "failed",
          () => retry({ action: "fail" }),
        ),
      ],
      [
        "an admin retry of a completed task (completed → scheduled)",
        update(
          () => admin,
          "completed",
          () => retry(),
        ),
      ],
      [
        "an admin retry of a running task (running → scheduled)",
        update(
          () => admin,
          "running",
          () => retry(),
        ),
      ],
      [
        "an admin retry of a cancelled task (cancelled → scheduled)",
        update(
          () => admin,
          "cancelled",
          () => retry(),
        ),
      ],
      [
        "an admin retry without retriedBy",
        update(
          () => admin,
          "failed",
          () => ({ state: "scheduled", retriedAt: serverTimestamp() }),
        ),
      ],
      [
        "an admin retry without retriedAt",
        update(
          () => admin,
          "failed",
          () => ({ state: "scheduled", retriedBy: ADMIN }),
        ),
      ],
      [
        "an admin retry recording someone else",
        update(
          () => admin,
          "failed",
          () => retry({ retriedBy: OWNER }),
        ),
      ],
      [
        "an admin retry with retriedAt from the client's clock",
        update(
          () => admin,
          "failed",
          () => retry({ retriedAt: Timestamp.now() }),
        ),
      ],
      [
        "an admin retry that resets attempts",
        update(
          () => admin,
          "failed",
          () => retry({ attempts: 0 }),
        ),
      ],
      [
        "an admin retry that clears the error",
        update(
          () => admin,
          "failed",
          () => retry({ error: deleteField() }),
        ),
      ],
      [
        "an admin retry that clears failedAt",
        update(
          () => admin,
          "failed",
          () => retry({ failedAt: deleteField() }),
        ),
      ],
      [
        "an admin retry 31 days ahead",
        update(
          () => admin,
          "failed",
          () => retry({ runAt: daysFromNow(31) }),
        ),
      ],
      [
        "an admin retry with a runAt that is not a timestamp",
        update(
          () => admin,
          "failed",
          () => retry({ runAt: 5 }),
        ),
      ],
      [
        "an admin marking a failed task completed",
        update(
          () => admin,
          "failed",
          () => ({ state: "completed" }),
        ),
      ],
      [
        "an admin cancelling a failed task",
        update(
          () => admin,
          "failed",
          () => ({ state: "cancelled" }),
        ),
      ],
      [
        "an admin cancelling a running task",
        update(
          () => admin,
          "running",
          () => ({ state: "cancelled" }),
        ),
      ],
      [
        "an admin cancelling a completed task",
        update(
          () => admin,
          "completed",
          () => ({ state: "cancelled" }),
        ),
      ],
      [
        "an admin claiming a task (scheduled → running)",
        update(
          () => admin,
          "scheduled",
          () => ({ state: "running" }),
        ),
      ],
      [
        "an admin moving a scheduled task's runAt (run now is a server action)",
        update(
          () => admin,
          "scheduled",
          () => ({ runAt: serverTimestamp() }),
        ),
      ],
      [
        "an admin cancel recording someone else",
        update(
          () => admin,
          "scheduled",
          () => ({ state: "cancelled", cancelledBy: OWNER }),
        ),
      ],
      [
        "an admin cancel with cancelledAt from the client's clock",
        update(
          () => admin,
          "scheduled",
          () => ({ state: "cancelled", cancelledAt: Timestamp.now() }),
        ),
      ],
      [
        "an admin cancel that also changes data",
        update(
          () => admin,
          "scheduled",
          () => ({ state: "cancelled", data: {} }),
        ),
      ],
      [
        'a retry by a user whose claim is admin: "true" (a string)',
        update(
          () => clientDb(env, "eve", { admin: "true" }),
          "failed",
          () => ({ ...retry(), retriedBy: "eve" }),
        ),
      ],
    ];
    for (const [what, attempt] of denials) {
      it(`denies ${what}`, attempt);
    }
  });

  describe("delete: nobody deletes a task from a client", () => {
    const remove = (db: () => Firestore, state: TaskState) => async () => {
      const parent = await seedParent(OWNER);
      const task = await seedTask(parent, state);
      await assertFails(deleteDoc(doc(db(), task)));
    };
    const denials: Array<[string, () => Promise<unknown>]> = [
      ["the owner deleting their completed task", remove(() => owner, "completed")],
      ["the owner deleting their scheduled task", remove(() => owner, "scheduled")],
      ["an admin deleting a failed task", remove(() => admin, "failed")],
      ["a stranger deleting a task", remove(() => stranger, "failed")],
      ["a signed-out client deleting a task", remove(() => signedOut, "failed")],
    ];
    for (const [what, attempt] of denials) {
      it(`denies ${what}`, attempt);
    }
  });

  describe("the example app's orders (a template user's own collection)", () => {
    it("allows a user to create an order they own", async () => {
      await assertSucceeds(setDoc(doc(owner, `orders/${uniqueId("order")}`), { ownerId: OWNER, total: 1 }));
    });

    it("allows a user to name their own verified email as the order's customerEmail", async () => {
      const verified = clientDb(env, OWNER, { email: "alice@example.com", email_verified: true });
      const order = { ownerId: OWNER, customerEmail: "alice@example.com" };
      await assertSucceeds(setDoc(doc(verified, `orders/${uniqueId("order")}`), order));
    });

    it("allows the owner and admins to read an order", async () => {
      const order = await seedParent(OWNER);
      await assertSucceeds(getDoc(doc(owner, order)));
      await assertSucceeds(getDoc(doc(admin, order)));
    });

    const denials: Array<[string, () => Promise<unknown>]> = [
      [
        "creating an order owned by someone else",
        () => assertFails(setDoc(doc(stranger, `orders/${uniqueId("order")}`), { ownerId: OWNER })),
      ],
      [
        "a customerEmail other than the user's own (the confirmation email would go to anyone)",
        () => {
          const verified = clientDb(env, OWNER, { email: "alice@example.com", email_verified: true });
          const order = { ownerId: OWNER, customerEmail: "victim@elsewhere.example" };
          return assertFails(setDoc(doc(verified, `orders/${uniqueId("order")}`), order));
        },
      ],
      [
        "the user's own email as customerEmail before it is verified",
        () => {
          const unverified = clientDb(env, OWNER, { email: "alice@example.com", email_verified: false });
          const order = { ownerId: OWNER, customerEmail: "alice@example.com" };
          return assertFails(setDoc(doc(unverified, `orders/${uniqueId("order")}`), order));
        },
      ],
      [
        "a signed-out client creating an order",
        () => assertFails(setDoc(doc(signedOut, `orders/${uniqueId("order")}`), { ownerId: OWNER })),
      ],
      ["a stranger reading an order", async () => assertFails(getDoc(doc(stranger, await seedParent(OWNER))))],
      [
        "the owner updating an order (handlers change orders, on the server)",
        async () => assertFails(updateDoc(doc(owner, await seedParent(OWNER)), { total: 0 })),
      ],
      ["the owner deleting an order", async () => assertFails(deleteDoc(doc(owner, await seedParent(OWNER))))],
      [
        "anyone writing a collection the rules do not mention",
        () => assertFails(setDoc(doc(owner, `mail/${uniqueId("mail")}`), { to: "x@example.com" })),
      ],
    ];
    for (const [what, attempt] of denials) {
      it(`denies ${what}`, attempt);
    }
  });
});
