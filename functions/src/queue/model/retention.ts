// How long a finished task is kept: a handler's `retainFor`, its defaults and checks, and the `expireAt` that the
// write ending a task carries. Firestore's TTL policy on `expireAt` (firestore.indexes.json) deletes the task some
// time after it (typically within a day). Pure, no runtime imports but the config: the admin page reads it too.
import { MAX_RETAIN_DAYS, RETENTION_DEFAULTS } from "../config";

/** Days to keep a task once it ends, per final state. */
export interface RetainFor {
  completedDays?: number;
  failedDays?: number;
  cancelledDays?: number;
}
export type ResolvedRetainFor = Required<RetainFor>;

const DAY_MS = 86_400_000;
export type FinalState = "completed" | "failed" | "cancelled";

/** The handler's `retainFor` with the defaults filled in; a RangeError or TypeError names a bad value. */
export function resolveRetainFor(retainFor: RetainFor | undefined): ResolvedRetainFor {
  if (retainFor !== undefined && (typeof retainFor !== "object" || retainFor === null)) {
    throw new TypeError(`retainFor must be an object such as { completedDays: 7 }, got ${JSON.stringify(retainFor)}`);
  }
  const unknown = Object.keys(retainFor ?? {}).filter((key) => !(key in RETENTION_DEFAULTS));
  if (unknown.length > 0) {
    throw new TypeError(`retainFor takes ${Object.keys(RETENTION_DEFAULTS).join(", ")}; remove ${unknown.join(", ")}`);
  }
  const resolved = { ...RETENTION_DEFAULTS, ...retainFor };
  for (const [key, days] of Object.entries(resolved)) {
    if (!(typeof days === "number" && days > 0 && days <= MAX_RETAIN_DAYS)) {
      throw new RangeError(`retainFor.${key} must be a number of days in (0, ${MAX_RETAIN_DAYS}], got ${days}`);
    }
  }
  return resolved;
}

/** The retention of a task without a handler of its own (or without `retainFor`). */
export const DEFAULT_RETAIN_FOR: ResolvedRetainFor = resolveRetainFor(undefined);

/** When a task that ends in `state` at `endedAtMs` expires, in epoch ms. */
export function expireAtMillis(retainFor: ResolvedRetainFor, state: FinalState, endedAtMs: number): number {
  return endedAtMs + retainFor[`${state}Days`] * DAY_MS;
}
