// Tasks under nested parents (docs/design.md, "Security model"): at every depth the queue serves, 1 to
// MAX_PARENT_DEPTH, the rules are the same as at the top level, decided by the DIRECT parent's `ownerId`; one level
// deeper, no client creates a task. The generated block of firestore.rules follows MAX_PARENT_DEPTH.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { assertFails, assertSucceeds, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import {
  collection,
  collectionGroup,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  serverTimestamp,
  setDoc,
  setLogLevel,
  updateDoc,
  where,
  query,
  type Firestore,
} from "firebase/firestore";
import { MAX_PARENT_DEPTH } from "../../functions/src/queue/config";
import { TASK_DOCUMENT_PATHS } from "../../functions/src/queue/model/task";
import { taskPathsInRules } from "../../scripts/rules-allowlist.mjs";
import { adminDb } from "../support/emulators";
import {
  RULES_PATH,
  clientDb,
  clientTask as clientTaskFor,
  daysFromNow,
  newTaskRef,
  rulesEnvironment,
  seedParentAt,
  seedTask,
} from "../support/rules";

const OWNER = "nora";
const STRANGER = "mallory";
const ADMIN = "ann-admin";

/** A valid client task of the real client-enqueueable handler, a day ahead (the trigger hands it to Cloud Tasks). */
const clientTask = (uid: string) =>
  clientTaskFor(uid, { type: "order", action: "sendConfirmationEmail", runAt: daysFromNow(1) });

describe("security rules: tasks under nested parents", () => {
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

  it(`match exactly the triggers' paths, depth 1 to ${MAX_PARENT_DEPTH} (fix: node scripts/rules-allowlist.mjs --write)`, () => {
    assert.deepEqual(taskPathsInRules(readFileSync(RULES_PATH, "utf8")), TASK_DOCUMENT_PATHS);
    assert.equal(TASK_DOCUMENT_PATHS.length, MAX_PARENT_DEPTH);
  });

  for (let depth = 1; depth <= MAX_PARENT_DEPTH; depth++) {
    describe(`a parent at depth ${depth}`, () => {
      it("allows its owner to enqueue, read and list its tasks", async () => {
        const parent = await seedParentAt(OWNER, depth);
        const task = newTaskRef(owner, parent);
        await assertSucceeds(setDoc(task, clientTask(OWNER)));
        await assertSucceeds(getDoc(task));
        await assertSucceeds(getDocs(collection(owner, parent, "tasks")));
      });

      it("refuses a stranger: no create, no read", async () => {
        const parent = await seedParentAt(OWNER, depth);
        await assertFails(setDoc(newTaskRef(stranger, parent), clientTask(STRANGER)));
        const seeded = await seedTask(parent, "failed");
        await assertFails(getDoc(doc(stranger, seeded)));
        await assertFails(getDocs(collection(stranger, parent, "tasks")));
      });

      it("decides by the direct parent's ownerId, not an ancestor's", async () => {
        if (depth === 1) return; // no ancestor
        const parent = await seedParentAt(STRANGER, depth);
        const ancestor = parent.split("/").slice(0, -2).join("/");
        await adminDb().doc(ancestor).set({ ownerId: OWNER });
        await assertFails(setDoc(newTaskRef(owner, parent), clientTask(OWNER)));
      });

      it("allows an admin to retry a failed task and cancel a scheduled one, and nobody to delete", async () => {
        const parent = await seedParentAt(OWNER, depth);
        const failed = doc(admin, await seedTask(parent, "failed"));
        await assertSucceeds(updateDoc(failed, { state: "scheduled", retriedBy: ADMIN, retriedAt: serverTimestamp() }));
        const scheduled = doc(admin, await seedTask(parent, "scheduled"));
        await assertSucceeds(updateDoc(scheduled, { state: "cancelled" }));
        await assertFails(deleteDoc(doc(owner, scheduled.path)));
        await assertFails(deleteDoc(scheduled));
      });
    });
  }

  describe(`a parent at depth ${MAX_PARENT_DEPTH + 1}, deeper than the queue serves`, () => {
    it("refuses its owner's task: nothing would run it", async () => {
      const parent = await seedParentAt(OWNER, MAX_PARENT_DEPTH + 1);
      await assertFails(setDoc(newTaskRef(owner, parent), clientTask(OWNER)));
    });

    it("lets admins read it in a collection-group query (the app's own `tasks`, read only)", async () => {
      const parent = await seedParentAt(OWNER, MAX_PARENT_DEPTH + 1);
      const seeded = await seedTask(parent, "failed");
      await assertSucceeds(getDoc(doc(admin, seeded)));
      await assertSucceeds(getDocs(query(collectionGroup(admin, "tasks"), where("state", "==", "failed"))));
      const retry = { state: "scheduled", retriedBy: ADMIN, retriedAt: serverTimestamp() };
      await assertFails(updateDoc(doc(admin, seeded), retry));
    });
  });
});
