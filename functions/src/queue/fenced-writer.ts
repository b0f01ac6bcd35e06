// Fenced writes: after a claim, every write to the task carries the update time of our previous write as a
// precondition. If anything else wrote the task meanwhile (the sweeper recovering an expired lease, a newer
// attempt), Firestore rejects ours, so a worker that outlived its lease can never overwrite a newer outcome.
import type { DocumentReference, Timestamp, UpdateData } from "firebase-admin/firestore";

const FAILED_PRECONDITION = 9;

export function isPreconditionFailure(error: unknown): boolean {
  return (error as { code?: unknown })?.code === FAILED_PRECONDITION;
}

/**
 * A compare-and-set update: commits only if the document was last written at `lastUpdateTime`.
 * Resolves to the new update time, or undefined when someone else wrote first.
 */
export async function updateIfUnchanged(
  ref: DocumentReference,
  lastUpdateTime: Timestamp,
  data: UpdateData<FirebaseFirestore.DocumentData>,
): Promise<Timestamp | undefined> {
  try {
    return (await ref.update(data, { lastUpdateTime })).writeTime;
  } catch (error) {
    if (isPreconditionFailure(error)) return undefined;
    throw error;
  }
}

export class FencedWriter {
  private fenced = false;

  constructor(
    readonly ref: DocumentReference,
    private lastUpdateTime: Timestamp,
  ) {}

  /** False once a write has been rejected: the lease is gone and this attempt must stop writing. */
  get holdsLease(): boolean {
    return !this.fenced;
  }

  async update(data: UpdateData<FirebaseFirestore.DocumentData>): Promise<boolean> {
    if (this.fenced) return false;
    const writeTime = await updateIfUnchanged(this.ref, this.lastUpdateTime, data);
    if (!writeTime) {
      this.fenced = true;
      return false;
    }
    this.lastUpdateTime = writeTime;
    return true;
  }
}
