// Helpers for the security rules suites: one rules test environment on the running Firestore emulator, loaded
// with the project's firestore.rules, client contexts per user, and seeding that bypasses the rules.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import {
  Timestamp,
  doc,
  serverTimestamp,
  setDoc,
  type DocumentData,
  type DocumentReference,
  type Firestore,
} from "firebase/firestore";
import { PROJECT_ID, uniqueId } from "./firestore";

export const RULES_PATH = join(import.meta.dirname, "..", "..", "firestore.rules");

/**
 * A test environment on the running emulator. Same project and same rules file as the emulator suite itself
 * loads, so loading them here changes nothing for other suites. Data is never cleared: every test makes its own
 * parent with a unique id.
 */
export function rulesEnvironment(): Promise<RulesTestEnvironment> {
  const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST as string).split(":");
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

/** Writes `data` at `path` as if the rules were off: the way tests set up state. */
export async function seed(env: RulesTestEnvironment, path: string, data: DocumentData): Promise<void> {
  await env.withSecurityRulesDisabled(async (context) => {
    await setDoc(doc(context.firestore() as unknown as Firestore, path), data);
  });
}

/** A fresh parent (`orders/<unique>`) owned by `ownerId`; returns its path. */
export async function seedParent(env: RulesTestEnvironment, ownerId: string, collection = "orders"): Promise<string> {
  const path = `${collection}/${uniqueId(collection)}`;
  await seed(env, path, { ownerId, customerEmail: "customer@example.com" });
  return path;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function daysFromNow(days: number): Timestamp {
  return Timestamp.fromMillis(Date.now() + days * DAY_MS);
}

/**
 * A task as the engine leaves it in `state`, written with the rules off. Scheduled tasks get a `runAt` a week
 * ahead, so the dispatcher hands them to Cloud Tasks instead of running them while a test looks at them.
 */
export async function seedTask(
  env: RulesTestEnvironment,
  parentPath: string,
  state: string,
  fields: DocumentData = {},
): Promise<string> {
  const path = `${parentPath}/tasks/${uniqueId("task")}`;
  const now = Timestamp.now();
  const base: DocumentData = {
    type: "demo",
    action: "noop",
    state,
    data: { note: "seeded" },
    createdAt: now,
    createdBy: "owner",
    attempts: state === "scheduled" ? 0 : 1,
    maxAttempts: 3,
  };
  if (state === "scheduled") base.runAt = daysFromNow(7);
  if (state === "failed") {
    base.failedAt = now;
    base.error = { code: "handler/error", message: "boom", attempt: 1, at: now };
  }
  if (state === "completed") base.completedAt = now;
  if (state === "running") base.lease = { owner: "worker-1", expiresAt: Timestamp.fromMillis(Date.now() + 60_000) };
  await seed(env, path, { ...base, ...fields });
  return path;
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
