// Pause and resume: the whole queue or one handler. What is paused lives in one engine-owned document
// (`FLOW.pausesDocument`); every instance keeps a copy at most `FLOW.pausesCacheMs` old, so a pause costs no read
// per task. An attempt of a paused handler is held before it is claimed: the task stays `scheduled`, no handler code
// runs, and nothing is written unless the task has no `runAt` yet (it gets one, so the resume finds it). Resuming
// dispatches every held task that is due through its handler's queue, so its limits apply.
import { FieldValue, Timestamp, type DocumentData } from "firebase-admin/firestore";
import { FLOW } from "../config";
import type { PauseRecord, PauseTarget } from "../model/queue-status";
import { db } from "../store/firestore";

export interface Pauses {
  queue?: PauseRecord;
  /** By handler address, `type/action`. */
  handlers: Record<string, PauseRecord>;
}

export function handlerAddress(type: string, action: string): string {
  return `${type}/${action}`;
}

/** Why `type`/`action` may not start now: the pause that holds it, or undefined. */
export function pauseOf(pauses: Pauses, type: unknown, action: unknown): PauseRecord | undefined {
  if (pauses.queue) return pauses.queue;
  if (typeof type !== "string" || typeof action !== "string") return undefined;
  return Object.hasOwn(pauses.handlers, handlerAddress(type, action))
    ? pauses.handlers[handlerAddress(type, action)]
    : undefined;
}

function toRecord(value: unknown): PauseRecord | undefined {
  const record = value as { by?: unknown; at?: unknown } | undefined;
  if (!record || typeof record !== "object") return undefined;
  const at = record.at instanceof Timestamp ? record.at.toDate().toISOString() : String(record.at ?? "");
  return { by: String(record.by ?? ""), at };
}

function parse(data: DocumentData | undefined): Pauses {
  const handlers: Record<string, PauseRecord> = {};
  for (const [address, value] of Object.entries((data?.handlers as Record<string, unknown>) ?? {})) {
    const record = toRecord(value);
    if (record) handlers[address] = record;
  }
  return { queue: toRecord(data?.queue), handlers };
}

/** Reads the pauses now (one read). */
export async function readPauses(): Promise<Pauses> {
  return parse((await db().doc(FLOW.pausesDocument).get()).data());
}

let cached: { pauses: Promise<Pauses>; readAt: number } | undefined;

/** The pauses as of at most `FLOW.pausesCacheMs` ago: one read per instance per interval, none per task. */
export function currentPauses(): Promise<Pauses> {
  const now = Date.now();
  if (!cached || now - cached.readAt >= FLOW.pausesCacheMs) {
    const pauses = readPauses();
    cached = { pauses, readAt: now };
    // A failed read is not kept: the next attempt tries again.
    pauses.catch(() => (cached = undefined));
  }
  return cached.pauses;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, FLOW.pausesCacheMs));

/**
 * Pauses or resumes `target` (a schedule's pause is `setSchedulePaused`, admin/schedules.ts) and returns once
 * every instance's copy is at least as new as the change: after a pause, no attempt of the target starts.
 */
export async function writePause(target: Exclude<PauseTarget, { schedule: string }>, paused: boolean, uid: string) {
  const value = paused ? { by: uid, at: FieldValue.serverTimestamp() } : FieldValue.delete();
  const fields =
    "queue" in target ? { queue: value } : { handlers: { [handlerAddress(target.type, target.action)]: value } };
  await db().doc(FLOW.pausesDocument).set(fields, { merge: true });
  await settle();
}
