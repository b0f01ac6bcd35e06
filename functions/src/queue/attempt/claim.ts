// Claiming a task: one compare-and-set write, `scheduled` → `running` with a lease, conditioned on the update
// time of the snapshot we decided from. Two deliveries of the same event race on that precondition; the loser's
// write is rejected (FAILED_PRECONDITION), so each attempt runs its handler at most once.
import { randomUUID } from "node:crypto";
import { FieldValue, Timestamp, type DocumentData, type DocumentReference } from "firebase-admin/firestore";
import { LEASE_MARGIN_SECONDS } from "../config";
import { FencedWriter, updateIfUnchanged } from "../store/fenced-writer";
import type { ResolvedHandlerOptions } from "../model/handler";

export interface TaskSnapshot {
  ref: DocumentReference;
  /** The update time the decision was made from: the claim's precondition. */
  updateTime: Timestamp;
  data: DocumentData;
}

interface Claim {
  attempt: number;
  maxAttempts: number;
  startedAt: Timestamp;
  leaseOwner: string;
  writer: FencedWriter;
}

/** Attempts started so far. */
export function attemptsSoFar(task: DocumentData): number {
  return typeof task.attempts === "number" ? task.attempts : 0;
}

/** The attempt number and attempt limit a claim of `task` applies. */
export function attemptBudget(
  task: DocumentData,
  handlerMaxAttempts: number,
): { attempt: number; maxAttempts: number } {
  const previous = attemptsSoFar(task);
  // A task that ended `failed` and is `scheduled` again was retried by an admin: it gets a fresh round of attempts.
  const newRound = task.failedAt !== undefined || typeof task.maxAttempts !== "number";
  return { attempt: previous + 1, maxAttempts: newRound ? previous + handlerMaxAttempts : task.maxAttempts };
}

export async function claimTask(snapshot: TaskSnapshot, options: ResolvedHandlerOptions): Promise<Claim | undefined> {
  const { attempt, maxAttempts } = attemptBudget(snapshot.data, options.maxAttempts);
  const startedAt = Timestamp.now();
  const leaseOwner = randomUUID();
  const expiresAt = Timestamp.fromMillis(startedAt.toMillis() + (options.timeoutSeconds + LEASE_MARGIN_SECONDS) * 1000);
  const writeTime = await updateIfUnchanged(snapshot.ref, snapshot.updateTime, {
    state: "running",
    attempts: attempt,
    maxAttempts,
    startedAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
    lease: { owner: leaseOwner, expiresAt },
    progress: FieldValue.delete(),
    failedAt: FieldValue.delete(),
  });
  if (!writeTime) return undefined;
  return { attempt, maxAttempts, startedAt, leaseOwner, writer: new FencedWriter(snapshot.ref, writeTime) };
}
