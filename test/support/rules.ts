// Helpers for the security rules suites: one rules test environment on the running Firestore emulator, loaded
// with the project's firestore.rules, client contexts per user, the fields a client writes, and seeding (with the
// admin SDK, which the rules do not govern).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { Timestamp as AdminTimestamp } from "firebase-admin/firestore";
import {
  Timestamp,
  doc,
  serverTimestamp,
  type DocumentData,
  type DocumentReference,
  type Firestore,
} from "firebase/firestore";
import type { TaskState } from "../../functions/src/queue/model/task";
import { PROJECT_ID, adminDb, emulatorVariable, uniqueId } from "./emulators";
import { newParent, newParentAt, taskIn, writeTask } from "./tasks";

export const RULES_PATH = join(import.meta.dirname, "..", "..", "firestore.rules");

/**
 * A test environment on the running emulator. Same project and same rules file as the emulator suite itself
 * loads, so loading them here changes nothing for other suites. Data is never cleared: every test makes its own
 * parent with a unique id.
 */
export function rulesEnvironment(): Promise<RulesTestEnvironment> {
  const [host, port] = emulatorVariable("FIRESTORE_EMULATOR_HOST").split(":");
  return initializeTestEnvironment({
    projectId: PROJECT_ID,
    firestore: { rules: readFileSync(RULES_PATH, "utf8"), host, port: Number(port) },
  });
}

/** A client SDK Firestore signed in as `uid` with `claims` (e.g. `{ admin: true }`), or signed out. */
export function clientDb(env: RulesTestEnvironment, uid?: string, claims: Record<string, unknown> = {}): Firestore {
  const context = uid ? env.authenticatedContext(uid, claims) : env.unauthenticatedContext();
  // The compat instance works with the modular API (documented by @firebase/rules-unit-testing).
  return context.firestore() as unknown as Firestore;
}

/** A fresh parent (`orders/<unique>`) owned by `ownerId`; returns its path. */
export async function seedParent(ownerId: string, collection = "orders"): Promise<string> {
  return (await newParent(collection, { ownerId })).path;
}

/** A fresh order at `depth` (`users/<unique>/orders/<unique>` at 2) owned by `ownerId`; returns its path. */
export async function seedParentAt(ownerId: string, depth: number): Promise<string> {
  return (await newParentAt(depth, { ownerId })).path;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function daysFromNow(days: number): Timestamp {
  return Timestamp.fromMillis(Date.now() + days * DAY_MS);
}

/**
 * A task as the engine leaves it in `state` under `parentPath`; returns its path. Scheduled tasks get a `runAt` a
 * week ahead, so the dispatcher hands them to Cloud Tasks instead of running them while a test looks at them.
 */
export async function seedTask(parentPath: string, state: TaskState, fields: DocumentData = {}): Promise<string> {
  const weekAhead = state === "scheduled" ? { runAt: AdminTimestamp.fromMillis(Date.now() + 7 * DAY_MS) } : {};
  const task = taskIn(state, { data: { note: "seeded" }, createdBy: "owner", ...weekAhead, ...fields });
  return (await writeTask(adminDb().doc(parentPath), task)).path;
}

/** The fields a client writes for a valid task (`demo.noop`), with `overrides` on top. */
export function clientTask(uid: string, overrides: DocumentData = {}): DocumentData {
  return {
    type: "demo",
    action: "noop",
    state: "scheduled",
    data: { note: "hello" },
    createdAt: serverTimestamp(),
    createdBy: uid,
    ...overrides,
  };
}

/** A new task reference under `parentPath` for `db`. */
export function newTaskRef(db: Firestore, parentPath: string): DocumentReference {
  return doc(db, `${parentPath}/tasks/${uniqueId("task")}`);
}
