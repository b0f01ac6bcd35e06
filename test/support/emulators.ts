// The connection to the emulators, for the test suites and the bench alike: `npm run with-emulators` (behind
// `npm test` and `npm run bench`) starts them and sets the variables read here. An admin Firestore, users with or
// without the `admin` claim and their ID tokens from the Auth emulator, and the callables' URLs.
import { randomUUID } from "node:crypto";
import { getApps, initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import { REGION } from "../../functions/src/queue/config";

export const PROJECT_ID = process.env.GCLOUD_PROJECT ?? "demo-taskqueue";

/** The value of an emulator variable (`FIRESTORE_EMULATOR_HOST`, ...); without it, says how to get one. */
export function emulatorVariable(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run inside the emulators (\`npm test\`, \`npm run bench\` or ` +
        "`npm run with-emulators -- <command>` start them).",
    );
  }
  return value;
}

let firestore: Firestore | undefined;

/** The admin SDK's Firestore on the emulator: the same default app the engine's modules use when called directly. */
export function adminDb(): Firestore {
  if (!firestore) {
    emulatorVariable("FIRESTORE_EMULATOR_HOST"); // without it, the admin SDK would look for a real project
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TestUser {
  uid: string;
  email: string;
  password: string;
}

/** A fresh user in the Auth emulator; `admin: true` sets the custom claim the page and the rules check. */
export async function createUser(options: { admin: boolean }): Promise<TestUser> {
  emulatorVariable("FIREBASE_AUTH_EMULATOR_HOST");
  adminDb(); // initialises the default app that getAuth() uses
  const id = uniqueId(options.admin ? "admin" : "user");
  const user: TestUser = { uid: id, email: `${id}@example.com`, password: `pw-${id}` };
  await getAuth().createUser({ uid: user.uid, email: user.email, password: user.password });
  if (options.admin) await getAuth().setCustomUserClaims(user.uid, { admin: true });
  return user;
}

/** An ID token for `user` from the Auth emulator, for calling callables without a browser. */
export async function idToken(user: TestUser): Promise<string> {
  const host = emulatorVariable("FIREBASE_AUTH_EMULATOR_HOST");
  const url = `http://${host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password, returnSecureToken: true }),
  });
  const body = (await response.json()) as { idToken?: string };
  if (!body.idToken) throw new Error(`no ID token for ${user.email}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.idToken;
}

/** Where the Functions emulator serves the callable `name` (callable protocol: POST `{"data": ...}`). */
export function callableUrl(name: string): string {
  return `${emulatorVariable("FUNCTIONS_EMULATOR_ORIGIN")}/${PROJECT_ID}/${REGION}/${name}`;
}

/** Calls the callable `name` with `data` as `user` (callable protocol); resolves to its `result`, or throws its error. */
export async function callAs<T>(user: TestUser, name: string, data: unknown): Promise<T> {
  const response = await fetch(callableUrl(name), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await idToken(user)}` },
    body: JSON.stringify({ data }),
  });
  const body = (await response.json()) as { result?: T; error?: { status: string; message: string } };
  if (body.error) throw new Error(`${name}: ${body.error.status}: ${body.error.message}`);
  return body.result as T;
}
