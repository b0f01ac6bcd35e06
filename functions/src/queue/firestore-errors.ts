// The gRPC status codes the engine reacts to, and one predicate each, so no module spells a number.
const CODES = {
  notFound: 5,
  alreadyExists: 6,
  failedPrecondition: 9,
  aborted: 10,
  invalidArgument: 3,
  unavailable: 14,
} as const;

const hasCode = (error: unknown, code: number) => (error as { code?: unknown })?.code === code;

/** Someone else wrote the document first (a compare-and-set lost). */
export const isPreconditionFailure = (error: unknown) => hasCode(error, CODES.failedPrecondition);
export const isAlreadyExists = (error: unknown) => hasCode(error, CODES.alreadyExists);
export const isNotFound = (error: unknown) => hasCode(error, CODES.notFound);
/** Firestore refused the content itself: the document would exceed 1 MiB, a value is not storable. */
export const isInvalidArgument = (error: unknown) => hasCode(error, CODES.invalidArgument);
