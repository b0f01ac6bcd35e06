// What a rate-limited handler achieves: N no-op tasks of `demo.throttled20` (rateLimit 20 a second) written at
// once, through its own queue as in production. The rate is the starts (`startedAt`, server timestamps) over the
// span from the first to the last; the most starts in any one-second window must not pass the limit.
import { Timestamp } from "firebase-admin/firestore";
import { adminDb } from "../test/support/emulators";
import { newTask } from "../test/support/tasks";
import { LIMITED_COLLECTION } from "./config";
import { bulkCreate, waitForCount } from "./firestore";
import { round } from "./stats";

export const LIMITED_HANDLER = { type: "demo", action: "throttled20", perSecond: 20 };

export interface LimitedRateResult {
  handler: string;
  configuredPerSecond: number;
  tasks: number;
  completed: number;
  /** (starts - 1) ÷ seconds from the first start to the last. */
  measuredPerSecond: number;
  /** The most starts in any one-second window (each start opens one). */
  mostStartsInOneSecond: number;
}

export async function measureLimitedRate(tasks: number, runId: string): Promise<LimitedRateResult> {
  const parent = adminDb().collection(LIMITED_COLLECTION).doc(`${runId}-rate`);
  const { type, action, perSecond } = LIMITED_HANDLER;
  await bulkCreate(tasks, () => ({ ref: parent.collection("tasks").doc(), data: newTask({ type, action }) }), true);
  const timeoutMs = (tasks / perSecond) * 1000 * 3 + 60_000;
  const completed = await waitForCount(parent.collection("tasks").where("state", "==", "completed"), tasks, timeoutMs);
  const starts = (await parent.collection("tasks").select("startedAt").get()).docs
    .map((doc) => doc.get("startedAt"))
    .filter((t): t is Timestamp => t instanceof Timestamp)
    .map((t) => t.toMillis())
    .sort((a, b) => a - b);
  const spanSeconds = (starts[starts.length - 1] - starts[0]) / 1000;
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (j < starts.length && starts[j] < starts[i] + 1000) j++;
    most = Math.max(most, j - i);
  }
  return {
    handler: `${type}.${action}`,
    configuredPerSecond: perSecond,
    tasks,
    completed,
    measuredPerSecond: spanSeconds > 0 ? round((starts.length - 1) / spanSeconds, 2) : 0,
    mostStartsInOneSecond: most,
  };
}
