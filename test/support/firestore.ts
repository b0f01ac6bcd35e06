// Shared helpers for suites that run under `npm run with-emulators`: an admin Firestore pointed at the emulator,
// unique parent documents per test, and waiting for a task to reach a state (live, with onSnapshot).
import { randomUUID } from "node:crypto";
import { getApps, initializeApp } from "firebase-admin/app";
import {
  FieldValue,
  getFirestore,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
} from "firebase-admin/firestore";

export const PROJECT_ID = process.env.GCLOUD_PROJECT ?? "demo-taskqueue";

if (!process.env.FIRESTORE_EMULATOR_HOST) {
  throw new Error("FIRESTORE_EMULATOR_HOST is not set: run the tests with `npm test` (it starts the emulators).");
}

let firestore: Firestore | undefined;

/** The admin SDK's Firestore, the same default app the engine's modules use when tests call them directly. */
export function adminDb(): Firestore {
  if (!firestore) {
    if (!getApps().some((app) => app.name === "[DEFAULT]")) initializeApp({ projectId: PROJECT_ID });
    firestore = getFirestore();
    try {
      firestore.settings({ ignoreUndefinedProperties: true });
    } catch {
      // already configured by the engine's db()
    }
  }
  return firestore;
}

export function uniqueId(prefix = "t"): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A fresh parent document (an order owned by `ownerId`) so tests never share data. */
export async function newParent(collection = "orders", fields: DocumentData = {}): Promise<DocumentReference> {
  const ref = adminDb().collection(collection).doc(uniqueId(collection));
  await ref.set({ ownerId: "owner-1", customerEmail: "customer@example.com", ...fields });
  return ref;
}

/** Writes a task as a server would (admin SDK), with the client's fields. */
export async function writeTask(parent: DocumentReference, fields: DocumentData): Promise<DocumentReference> {
  const ref = parent.collection("tasks").doc();
  await ref.set({ state: "scheduled", data: {}, createdAt: FieldValue.serverTimestamp(), ...fields });
  return ref;
}

/**
 * A task under a nested parent (`sandbox/x/nested/p/tasks/t`): the deployed trigger, the sweeper and the admin
 * actions leave it alone, so a test can drive the engine's functions on it by hand.
 */
export async function unwatchedTask(fields: DocumentData): Promise<DocumentReference> {
  const ref = adminDb().collection("sandbox").doc(uniqueId()).collection("nested").doc("p").collection("tasks").doc();
  await ref.set({ state: "scheduled", data: {}, createdAt: FieldValue.serverTimestamp(), ...fields });
  return ref;
}

/** How often `demo.record` ran for `task` (it writes one `taskRuns` document per run). */
export async function runsOf(task: DocumentReference): Promise<number> {
  const runs = await adminDb().collection("taskRuns").where("taskPath", "==", task.path).count().get();
  return runs.data().count;
}

export const FINAL_STATES = ["completed", "failed", "cancelled"];

/** Resolves with the first snapshot whose state is one of `states`; rejects after `timeoutMs`. */
export function waitForState(
  ref: DocumentReference,
  states: string[] = FINAL_STATES,
  timeoutMs = 20_000,
): Promise<DocumentSnapshot> {
  return new Promise((resolve, reject) => {
    let last: DocumentData | undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(`${ref.path} did not reach ${states.join("|")} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`),
      );
    }, timeoutMs);
    const unsubscribe = ref.onSnapshot((snap) => {
      last = snap.data();
      if (states.includes(snap.get("state"))) {
        clearTimeout(timer);
        unsubscribe();
        resolve(snap);
      }
    }, reject);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
