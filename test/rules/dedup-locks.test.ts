// The security rules of dedup locks (docs/security.md, "Dedup locks"), on the Firestore emulator: a client takes a
// key only together with the task that names it, and only while the key is free; nobody takes, reads or releases
// a lock that holds a live task.
import assert from "node:assert/strict";
import { assertFails, assertSucceeds, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { Timestamp as AdminTimestamp } from "firebase-admin/firestore";
import {
  deleteDoc,
  doc,
  getDoc,
  serverTimestamp,
  setDoc,
  setLogLevel,
  writeBatch,
  type DocumentData,
  type Firestore,
} from "firebase/firestore";
import { cancelTask, enqueueTask } from "../../functions/src/client";
import { dedupLockId } from "../../functions/src/queue/model/dedup-key";
import { DEDUP } from "../../functions/src/queue/config";
import { adminDb, uniqueId } from "../support/emulators";
import {
  DAY_MS,
  clientDb,
  clientTask,
  daysFromNow,
  rulesEnvironment,
  seedParent,
  seedParentAt,
} from "../support/rules";

const OWNER = "alice";
const STRANGER = "mallory";
const ADMIN = "ann-admin";
const HANDLER = { type: "order", action: "sendConfirmationEmail" } as const;

/** A week ahead: the trigger hands the task to Cloud Tasks, so it stays `scheduled` (live) while a test runs. */
const later = () => new Date(Date.now() + 7 * DAY_MS);

function lockPath(parentPath: string, key: string): string {
  return `${DEDUP.locksCollection}/${dedupLockId(parentPath, HANDLER.type, HANDLER.action, key)}`;
}

describe("security rules: dedup locks", () => {
  let env: RulesTestEnvironment;
  let owner: Firestore;
  let stranger: Firestore;
  let admin: Firestore;

  before(async () => {
    setLogLevel("silent");
    env = await rulesEnvironment();
    owner = clientDb(env, OWNER);
    stranger = clientDb(env, STRANGER);
    admin = clientDb(env, ADMIN, { admin: true });
  });

  after(async () => {
    setLogLevel("warn");
    await env?.cleanup();
  });

  /** The owner's enqueue of `key` under `parentPath` with the client library (a batch: the task and its lock). */
  function enqueueAs(
    db: Firestore,
    uid: string,
    parentPath: string,
    key: string,
    extra: { dedupSeconds?: number } = {},
  ) {
    return enqueueTask(doc(db, parentPath), { ...HANDLER, runAt: later() }, { uid, dedupKey: key, ...extra });
  }

  /** A lock as a client writes it, naming `taskPath`. */
  function lockFor(taskPath: string, key: string, overrides: DocumentData = {}): DocumentData {
    return { task: taskPath, ...HANDLER, key, createdAt: serverTimestamp(), ...overrides };
  }

  it("an owner enqueues a task with a dedupKey together with its lock", async () => {
    const parent = await seedParent(OWNER);
    const task = await assertSucceeds(enqueueAs(owner, OWNER, parent, "k"));
    const lock = await adminDb().doc(lockPath(parent, "k")).get();
    assert.equal(lock.get("task"), task.path);
  });

  it("at depth 3: the owner takes a key with the lock of the direct parent's relative path, once, and reads it", async () => {
    const parent = await seedParentAt(OWNER, 3); // shops/s/users/u/orders/o
    assert.equal(parent.split("/").length, 6);
    const task = await assertSucceeds(enqueueAs(owner, OWNER, parent, "deep"));
    const lock = await adminDb().doc(lockPath(parent, "deep")).get();
    assert.equal(lock.get("task"), task.path);
    await assertFails(enqueueAs(owner, OWNER, parent, "deep"));
    assert.equal((await adminDb().collection(`${parent}/tasks`).get()).size, 1, "no second task");
    await assertSucceeds(getDoc(doc(owner, lockPath(parent, "deep"))));
    await assertFails(getDoc(doc(stranger, lockPath(parent, "deep"))));
    // A lock at the id of another parent's path (the top-level ancestor's) is refused.
    const other = doc(owner, `${parent}/tasks/${uniqueId("task")}`);
    const batch = writeBatch(owner);
    batch.set(other, clientTask(OWNER, { ...HANDLER, dedupKey: "deep2" }));
    batch.set(doc(owner, lockPath(parent.split("/").slice(0, 2).join("/"), "deep2")), lockFor(other.path, "deep2"));
    await assertFails(batch.commit());
  });

  it("a second enqueue of a live key is refused, and writes nothing", async () => {
    const parent = await seedParent(OWNER);
    await enqueueAs(owner, OWNER, parent, "k");
    const before = (await adminDb().collection(`${parent}/tasks`).get()).size;
    await assertFails(enqueueAs(owner, OWNER, parent, "k"));
    assert.equal((await adminDb().collection(`${parent}/tasks`).get()).size, before, "no second task");
  });

  it("refuses a task with a dedupKey written without its lock", async () => {
    const parent = await seedParent(OWNER);
    const ref = doc(owner, `${parent}/tasks/${uniqueId("task")}`);
    await assertFails(setDoc(ref, clientTask(OWNER, { ...HANDLER, dedupKey: "k" })));
  });

  it("refuses a lock at an id that is not its key's", async () => {
    const parent = await seedParent(OWNER);
    const task = doc(owner, `${parent}/tasks/${uniqueId("task")}`);
    const batch = writeBatch(owner);
    batch.set(task, clientTask(OWNER, { ...HANDLER, dedupKey: "k" }));
    batch.set(doc(owner, lockPath(parent, "another-key")), lockFor(task.path, "k"));
    await assertFails(batch.commit());
  });

  it("refuses a lock naming a task that exists already, or none", async () => {
    const parent = await seedParent(OWNER);
    const existing = await enqueueTask(doc(owner, parent), { ...HANDLER, runAt: later() }, { uid: OWNER });
    await assertFails(setDoc(doc(owner, lockPath(parent, "k2")), lockFor(existing.path, "k2")));
    const nothing = `${parent}/tasks/${uniqueId("none")}`;
    await assertFails(setDoc(doc(owner, lockPath(parent, "k3")), lockFor(nothing, "k3")));
  });

  it("a stranger cannot take an owner's live lock, for a task of their own", async () => {
    const parent = await seedParent(OWNER);
    await enqueueAs(owner, OWNER, parent, "k");
    const theirs = await seedParent(STRANGER);
    const task = doc(stranger, `${theirs}/tasks/${uniqueId("task")}`);
    const batch = writeBatch(stranger);
    batch.set(task, clientTask(STRANGER, { ...HANDLER, dedupKey: "k" }));
    batch.set(doc(stranger, lockPath(parent, "k")), lockFor(task.path, "k"));
    await assertFails(batch.commit());
  });

  it("a stranger cannot enqueue under an owner's parent to take a free key", async () => {
    const parent = await seedParent(OWNER);
    await assertFails(enqueueAs(stranger, STRANGER, parent, "k"));
  });

  it("only the parent's owner reads a lock; nobody deletes one from a client, admins included", async () => {
    const parent = await seedParent(OWNER);
    await enqueueAs(owner, OWNER, parent, "k");
    await assertSucceeds(getDoc(doc(owner, lockPath(parent, "k"))));
    for (const db of [stranger, admin]) await assertFails(getDoc(doc(db, lockPath(parent, "k"))));
    for (const db of [owner, stranger, admin]) await assertFails(deleteDoc(doc(db, lockPath(parent, "k"))));
  });

  it("after an admin cancels the task, the key is free: the next enqueue replaces the lock", async () => {
    const parent = await seedParent(OWNER);
    const first = await enqueueAs(owner, OWNER, parent, "k");
    await assertFails(enqueueAs(owner, OWNER, parent, "k"));
    await cancelTask(doc(admin, first.path), { uid: ADMIN });
    const second = await assertSucceeds(enqueueAs(owner, OWNER, parent, "k"));
    assert.equal((await adminDb().doc(lockPath(parent, "k")).get()).get("task"), second.path);
  });

  it("a lock whose task was deleted by hand does not block the key", async () => {
    const parent = await seedParent(OWNER);
    const first = await enqueueAs(owner, OWNER, parent, "k");
    await adminDb().doc(first.path).delete();
    await assertSucceeds(enqueueAs(owner, OWNER, parent, "k"));
  });

  it("within dedupSeconds the key stays taken even after its task ended; after them it is free", async () => {
    const parent = await seedParent(OWNER);
    const first = await enqueueAs(owner, OWNER, parent, "k", { dedupSeconds: 3600 });
    await cancelTask(doc(admin, first.path), { uid: ADMIN });
    await assertFails(enqueueAs(owner, OWNER, parent, "k"));
    // The window as if it had passed (a lock's expiresAt is the creator's to choose; the rules compare it with now).
    await adminDb()
      .doc(lockPath(parent, "k"))
      .update({ expiresAt: AdminTimestamp.fromMillis(Date.now() - 1000) });
    await assertSucceeds(enqueueAs(owner, OWNER, parent, "k"));
  });

  it("refuses a lock whose window is more than 30 days ahead, or a key of more than 200 characters", async () => {
    const parent = await seedParent(OWNER);
    const task = doc(owner, `${parent}/tasks/${uniqueId("task")}`);
    const batch = writeBatch(owner);
    batch.set(task, clientTask(OWNER, { ...HANDLER, dedupKey: "k" }));
    batch.set(doc(owner, lockPath(parent, "k")), lockFor(task.path, "k", { expiresAt: daysFromNow(31) }));
    await assertFails(batch.commit());
    const long = "k".repeat(DEDUP.keyMaxChars + 1);
    const task2 = doc(owner, `${parent}/tasks/${uniqueId("task")}`);
    const batch2 = writeBatch(owner);
    batch2.set(task2, clientTask(OWNER, { ...HANDLER, dedupKey: long }));
    batch2.set(doc(owner, lockPath(parent, long)), lockFor(task2.path, long));
    await assertFails(batch2.commit());
  });
});
