// The gRPC status codes the engine reacts to, and one predicate each, so no module spells a number.
const CODES = {
  invalidArgument: 3,
  deadlineExceeded: 4,
  notFound: 5,
  alreadyExists: 6,
  resourceExhausted: 8,
  failedPrecondition: 9,
  aborted: 10,
  internal: 13,
  unavailable: 14,
} as const;

/** Codes a write may succeed on when tried again; a busy backend answers DEADLINE_EXCEEDED too. */
const TRANSIENT = new Set<number>([
  CODES.deadlineExceeded,
  CODES.resourceExhausted,
  CODES.aborted,
  CODES.internal,
  CODES.unavailable,
]);

const hasCode = (error: unknown, code: number) => (error as { code?: unknown })?.code === code;

/** Someone else wrote the document first (a compare-and-set lost). */
export const isPreconditionFailure = (error: unknown) => hasCode(error, CODES.failedPrecondition);
export const isAlreadyExists = (error: unknown) => hasCode(error, CODES.alreadyExists);
export const isNotFound = (error: unknown) => hasCode(error, CODES.notFound);
/** Firestore refused the content itself: the document would exceed 1 MiB, a value is not storable. */
export const isInvalidArgument = (error: unknown) => hasCode(error, CODES.invalidArgument);
/** An error worth trying the same write again for. */
export const isTransient = (error: unknown) => TRANSIENT.has((error as { code?: number })?.code as number);
/** firebase-admin's name for Cloud Tasks' ALREADY_EXISTS: a Cloud Task with this id is queued already. */
export const isTaskAlreadyQueued = (error: unknown) =>
  (error as { code?: unknown })?.code === "functions/task-already-exists";
