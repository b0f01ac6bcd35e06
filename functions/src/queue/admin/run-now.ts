// "Run now": a scheduled task becomes due at once (the security rules let a client change a scheduled task only
// to cancel it, so this runs with admin rights, behind the runTaskNow callable).
import { FieldValue } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import type { RunNowResult } from "../model/admin";
import { db } from "../store/firestore";
import { updateIfUnchanged } from "../store/fenced-writer";
import { dispatchNow } from "../store/cloud-tasks";
import { attemptsSoFar } from "../attempt/claim";
import { runQueueOf } from "../flow/limits";
import type { Registry } from "../model/handler";

/**
 * Makes a scheduled task due now: `runAt` becomes the commit time, and a run is dispatched to the runner at once.
 * Also un-sticks a scheduled task whose trigger event was lost. The Cloud Task that was waiting for the old `runAt`
 * later finds the attempt already taken and does nothing.
 */
export async function runTaskNow(path: string, registry: Registry): Promise<RunNowResult> {
  const ref = db().doc(path);
  const snapshot = await ref.get();
  if (!snapshot.exists || !snapshot.updateTime) throw new HttpsError("not-found", `No task at ${path}.`);
  const state = String(snapshot.get("state"));
  if (state !== "scheduled") return { ran: false, state };
  const written = await updateIfUnchanged(ref, snapshot.updateTime, {
    runAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
  });
  if (written) {
    // Its own id: the attempt's usual one may be queued already, for the old `runAt`.
    const attempt = attemptsSoFar(snapshot.data() ?? {}) + 1;
    const queue = runQueueOf(registry, snapshot.get("type"), snapshot.get("action"));
    await dispatchNow({ path, attempt }, { queue, idSuffix: `-now${written.toMillis()}` });
    return { ran: true, state };
  }
  // Something wrote the task between our read and our write; report what it is now.
  return { ran: false, state: String((await ref.get()).get("state")) };
}
