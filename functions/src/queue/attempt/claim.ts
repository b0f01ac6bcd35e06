// Claiming a task: one compare-and-set write, `scheduled` → `running` with a lease, conditioned on the update
// time of the snapshot we decided from. Two deliveries of the same event race on that precondition; the loser's
// write is rejected (FAILED_PRECONDITION), so each attempt runs its handler at most once. A claim whose commit landed
// although we were told otherwise is recognised as ours by the lease it wrote (store/fenced-writer.ts).
import { randomUUID } from "node:crypto";
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type UpdateData,
} from "firebase-admin/firestore";
import { LEASE_MARGIN_SECONDS } from "../config";
import { CLEAR_END_FIELDS } from "./outcome";
import { FencedWriter, updateAsOurs } from "../store/fenced-writer";
import type { ResolvedHandlerOptions } from "../model/handler";

export interface TaskSnapshot {
  ref: DocumentReference;
  /** The update time the decision was made from: the claim's precondition. */
  updateTime: Timestamp;
  data: DocumentData;
}

export interface Claim {
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
  // A claim that loses its precondition reads the task: if it holds our lease, the commit landed on an earlier try
  // (ours or the SDK's) and the attempt is ours to run; otherwise another delivery claimed it.
  const fields = {
    state: "running",
    attempts: attempt,
    maxAttempts,
    startedAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
    lease: { owner: leaseOwner, expiresAt },
    progress: FieldValue.delete(),
    failedAt: FieldValue.delete(),
    ...CLEAR_END_FIELDS,
    ...runAtIfMissing(snapshot.data),
  };
  const writeTime = await updateAsOurs(snapshot.ref, snapshot.updateTime, fields, leaseOwner);
  if (!writeTime) return undefined;
  return { attempt, maxAttempts, startedAt, leaseOwner, writer: new FencedWriter(snapshot.ref, writeTime, leaseOwner) };
}

/**
 * The express path's start: no write. The attempt's fields go out with its outcome, and its writer is fenced on the
 * version the task was read at, so of two runs of one attempt only the first to record wins.
 */
export function startUnclaimed(snapshot: TaskSnapshot, options: ResolvedHandlerOptions): Claim {
  const { attempt, maxAttempts } = attemptBudget(snapshot.data, options.maxAttempts);
  return {
    attempt,
    maxAttempts,
    startedAt: Timestamp.now(),
    leaseOwner: "",
    writer: new FencedWriter(snapshot.ref, snapshot.updateTime),
  };
}

/** The fields the claim writes, for the express path's outcome write to carry instead. */
export function unclaimedAttemptFields(snapshot: TaskSnapshot, claim: Claim): UpdateData<DocumentData> {
  return {
    attempts: claim.attempt,
    maxAttempts: claim.maxAttempts,
    startedAt: claim.startedAt,
    progress: FieldValue.delete(),
    failedAt: FieldValue.delete(),
    ...CLEAR_END_FIELDS,
    ...runAtIfMissing(snapshot.data),
  };
}

/**
 * A task written without `runAt` gets one at its first attempt, so if it is ever `scheduled` again by hand (a retry
 * in the console), the sweeper's query on `runAt` finds it however old it is.
 */
function runAtIfMissing(task: DocumentData): UpdateData<DocumentData> {
  return task.runAt instanceof Timestamp ? {} : { runAt: FieldValue.serverTimestamp() };
}
