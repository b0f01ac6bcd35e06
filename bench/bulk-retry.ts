// Bulk retry: N failed tasks retried through the admin page's `retryTasks` callable, timed from the request to
// the answer, next to the raw BulkWriter rate of the same run. The callable is called as the admin page calls it
// (callable protocol: POST `{"data": {"filter": ...}}` with an admin's ID token from the Auth emulator).
//
// The Functions emulator's background triggers are off while the failed tasks are written and retried (the caller
// switches them): otherwise every one of those writes would also start `dispatchTask`, and the measurement would
// be of the queue running the retried tasks (that is the drain's job), not of the retry.
import { randomUUID } from "node:crypto";
import { getAuth } from "firebase-admin/auth";
import { FieldValue, FieldPath, Timestamp } from "firebase-admin/firestore";
import { FUNCTIONS_REGION, RETRY_COLLECTION_PREFIX } from "./config";
import { benchDb, bulkCreate, PROJECT_ID } from "./firestore";
import { round } from "./stats";

const CALLABLE = "retryTasks";
const PARENTS = 100;
const MAX_CALLS = 20;

export type BulkRetryResult =
  | { available: false; reason: string }
  | {
      available: true;
      tasks: number;
      collection: string;
      /** Writing the failed tasks with a default BulkWriter, same conditions (triggers off). */
      setup: { seconds: number; writesPerSecond: number };
      /** From the first request to the last answer (the callable may ask to be called again). */
      seconds: number;
      calls: number;
      retried: number;
      skipped: number;
      errors: number;
      writesPerSecond: number;
      /** Tasks found `scheduled` afterwards. */
      verified: number;
    };

interface CallableAnswer {
  status: number;
  result?: { retried?: number; skipped?: number; errors?: number; complete?: boolean };
  error?: { status?: string; message?: string };
  text: string;
}

function callableUrl(): string {
  const origin = process.env.FUNCTIONS_EMULATOR_ORIGIN;
  if (!origin) throw new Error("FUNCTIONS_EMULATOR_ORIGIN is not set: run the bench with `npm run bench`.");
  return `${origin}/${PROJECT_ID}/${FUNCTIONS_REGION}/${CALLABLE}`;
}

async function call(idToken: string, data: unknown): Promise<CallableAnswer> {
  const response = await fetch(callableUrl(), {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${idToken}` },
    body: JSON.stringify({ data }),
  });
  const text = await response.text();
  let body: { result?: CallableAnswer["result"]; error?: CallableAnswer["error"] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: a 404 page from the emulator, say
  }
  return { status: response.status, result: body.result, error: body.error, text };
}

/** An admin's ID token: a user with the `admin` custom claim, signed in with a password on the Auth emulator. */
async function adminIdToken(runId: string): Promise<{ uid: string; idToken: string }> {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!host) throw new Error("FIREBASE_AUTH_EMULATOR_HOST is not set: run the bench with `npm run bench`.");
  benchDb(); // initialises the default app
  const email = `bench-admin-${runId}@example.com`;
  const password = randomUUID();
  const user = await getAuth().createUser({ email, password });
  await getAuth().setCustomUserClaims(user.uid, { admin: true });
  const response = await fetch(
    `http://${host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=bench-fake-api-key`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password, returnSecureToken: true }),
    },
  );
  const body = (await response.json()) as { idToken?: string };
  if (!response.ok || !body.idToken) throw new Error(`Auth emulator sign-in failed: HTTP ${response.status}`);
  return { uid: user.uid, idToken: body.idToken };
}

/** Whether `retryTasks` is deployed in the emulator: a call with a filter that matches nothing. */
async function probe(idToken: string, runId: string): Promise<string | undefined> {
  let answer: CallableAnswer;
  try {
    answer = await call(idToken, { filter: { collection: `${RETRY_COLLECTION_PREFIX}-probe-${runId}` } });
  } catch (error) {
    return `the Functions emulator did not answer (${(error as Error).message})`;
  }
  if (answer.status === 404) return `the \`${CALLABLE}\` callable is not deployed in the emulator (HTTP 404)`;
  if (answer.status !== 200 || typeof answer.result?.retried !== "number") {
    return `\`${CALLABLE}\` answered HTTP ${answer.status}: ${answer.error?.message ?? answer.text.slice(0, 200)}`;
  }
  return undefined;
}

/** Runs the measurement. The caller turns the background triggers off before and on after. */
export async function measureBulkRetry(tasks: number, runId: string): Promise<BulkRetryResult> {
  const { uid, idToken } = await adminIdToken(runId);
  try {
    const missing = await probe(idToken, runId);
    if (missing) return { available: false, reason: missing };

    const db = benchDb();
    const collection = `${RETRY_COLLECTION_PREFIX}-${runId}`;
    const failedAt = Timestamp.now();
    const setup = await bulkCreate(
      tasks,
      (i) => ({
        ref: db
          .collection(collection)
          .doc(`p${String(i % PARENTS).padStart(3, "0")}`)
          .collection("tasks")
          .doc(),
        data: {
          type: "demo",
          action: "noop",
          state: "failed",
          data: {},
          createdAt: failedAt,
          attempts: 3,
          maxAttempts: 3,
          failedAt: FieldValue.serverTimestamp(),
          updatedAt: FieldValue.serverTimestamp(),
          error: { code: "handler/error", message: "bench: failed before the outage ended", attempt: 3, at: failedAt },
        },
      }),
      true,
    );
    if (setup.failed > 0) throw new Error(`bulk retry setup: ${setup.failed} of ${tasks} writes failed`);

    let calls = 0;
    const totals = { retried: 0, skipped: 0, errors: 0 };
    const started = performance.now();
    for (;;) {
      calls++;
      const answer = await call(idToken, { filter: { collection } });
      if (answer.status !== 200 || !answer.result) {
        throw new Error(`${CALLABLE} failed: HTTP ${answer.status} ${answer.error?.message ?? answer.text}`);
      }
      totals.retried += answer.result.retried ?? 0;
      totals.skipped += answer.result.skipped ?? 0;
      totals.errors += answer.result.errors ?? 0;
      if (answer.result.complete !== false || calls >= MAX_CALLS) break;
    }
    const seconds = (performance.now() - started) / 1000;

    const range = { from: `${collection}/\u0000`, to: `${collection}\u0000/\u0000` };
    const verified = (
      await db
        .collectionGroup("tasks")
        .where("state", "==", "scheduled")
        .where(FieldPath.documentId(), ">=", range.from)
        .where(FieldPath.documentId(), "<", range.to)
        .count()
        .get()
    ).data().count;

    return {
      available: true,
      tasks,
      collection,
      setup: { seconds: round(setup.seconds), writesPerSecond: round(setup.writesPerSecond, 1) },
      seconds: round(seconds),
      calls,
      ...totals,
      writesPerSecond: round(totals.retried / seconds, 1),
      verified,
    };
  } finally {
    await getAuth()
      .deleteUser(uid)
      .catch(() => undefined);
  }
}
