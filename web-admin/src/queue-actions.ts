// What an admin can do to the queue as a whole: read its status (handlers, limits, pauses, schedules) and pause or
// resume the whole queue, one handler or one schedule. Both are callables: only the server may switch what every
// instance reads, and each call checks the admin claim there. A pause takes effect on every instance before the call
// returns (about 2 s), so the page can say "paused" and mean it.
import { httpsCallable, type Functions } from "firebase/functions";
import { FUNCTION_TIMEOUT_SECONDS, type PauseTarget, type QueueStatus, type SetPausedResult } from "./contract";

/** The queue's status now: one `queueStatus` call (on the server, one read of the pauses plus the schedules). */
export async function fetchQueueStatus(functions: Functions): Promise<QueueStatus> {
  const call = httpsCallable<void, QueueStatus>(functions, "queueStatus");
  return (await call()).data;
}

/**
 * Pauses or resumes `target` through the `setPaused` callable. A resume dispatches the tasks the pause held within a
 * time budget and says when it stopped short (`complete: false`, with a `cursor`); this calls again from that cursor
 * until every held task is dispatched, as retry-all does, and reports the running total after each call.
 */
export async function setPaused(
  functions: Functions,
  target: PauseTarget,
  paused: boolean,
  onProgress: (sofar: SetPausedResult) => void = () => undefined,
): Promise<SetPausedResult> {
  // Wait as long as the function may run (its timeout), not the SDK's default 70 s.
  const call = httpsCallable<{ target: PauseTarget; paused: boolean; cursor?: string }, SetPausedResult>(
    functions,
    "setPaused",
    { timeout: FUNCTION_TIMEOUT_SECONDS * 1000 },
  );
  const total: SetPausedResult = { paused, complete: false };
  let cursor: string | undefined;
  for (let round = 0; round < 100 && !total.complete; round++) {
    const { data } = await call(cursor === undefined ? { target, paused } : { target, paused, cursor });
    cursor = data.cursor;
    total.paused = data.paused;
    if (data.dispatched !== undefined) total.dispatched = (total.dispatched ?? 0) + data.dispatched;
    total.complete = data.complete;
    onProgress({ ...total });
  }
  return total;
}
