// Bulk retry: N failed tasks retried through the admin page's `retryTasks` callable, timed from the request to
// the answer, next to the raw BulkWriter rate of the same run. The callable is called as the admin page calls it
// (callable protocol: POST `{"data": {"filter": ...}}` with an admin's ID token from the Auth emulator).
//
// The Functions emulator's background triggers are off while the failed tasks are written and retried (the caller
// switches them), so writing them starts nothing. The retried tasks do run meanwhile: `retryTasks` dispatches each
// one through the Cloud Tasks queue as it retries it, and `runTask` is called over HTTP, which the switch does not
// cover. So the time measured is what an admin waits for: the writes and the dispatches, on an emulator that is
// also running the retried tasks.
import { getAuth } from "firebase-admin/auth";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { callableUrl, createUser, idToken } from "../test/support/emulators";
import { taskIn } from "../test/support/tasks";
import { RETRY_COLLECTION_PREFIX } from "./config";
import { bulkCreate, countTasks, spreadTaskRef } from "./firestore";
import { round } from "./stats";

const CALLABLE = "retryTasks";
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
      /** Tasks no longer `failed` right after the last answer (`scheduled`, or already run by `runTask`). */
      verified: number;
    };

interface CallableAnswer {
  status: number;
  result?: { retried?: number; skipped?: number; errors?: number; complete?: boolean };
  error?: { status?: string; message?: string };
  text: string;
}

async function call(idToken: string, data: unknown): Promise<CallableAnswer> {
  const response = await fetch(callableUrl(CALLABLE), {
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
  const admin = await createUser({ admin: true });
  try {
    const token = await idToken(admin);
    const missing = await probe(token, runId);
    if (missing) return { available: false, reason: missing };

    const collection = `${RETRY_COLLECTION_PREFIX}-${runId}`;
    const failedAt = Timestamp.now();
    const setup = await bulkCreate(
      tasks,
      (i) => ({
        ref: spreadTaskRef(collection, i),
        data: taskIn("failed", {
          createdAt: failedAt,
          failedAt: FieldValue.serverTimestamp(),
          updatedAt: FieldValue.serverTimestamp(),
          error: { code: "handler/error", message: "bench: failed before the outage ended", attempt: 3, at: failedAt },
        }),
      }),
      true,
    );
    if (setup.failed > 0) throw new Error(`bulk retry setup: ${setup.failed} of ${tasks} writes failed`);

    let calls = 0;
    const totals = { retried: 0, skipped: 0, errors: 0 };
    const started = performance.now();
    for (;;) {
      calls++;
      const answer = await call(token, { filter: { collection } });
      if (answer.status !== 200 || !answer.result) {
        throw new Error(`${CALLABLE} failed: HTTP ${answer.status} ${answer.error?.message ?? answer.text}`);
      }
      totals.retried += answer.result.retried ?? 0;
      totals.skipped += answer.result.skipped ?? 0;
      totals.errors += answer.result.errors ?? 0;
      if (answer.result.complete !== false || calls >= MAX_CALLS) break;
    }
    const seconds = (performance.now() - started) / 1000;

    const verified = tasks - (await countTasks(collection, "failed"));

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
      .deleteUser(admin.uid)
      .catch(() => undefined);
  }
}
