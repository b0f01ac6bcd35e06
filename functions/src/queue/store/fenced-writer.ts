// Fenced writes: after a claim, every write to the task carries the update time of our previous write as a
// precondition. If anything else wrote the task meanwhile (the sweeper recovering an expired lease, a newer
// attempt), Firestore rejects ours, so a worker that outlived its lease can never overwrite a newer outcome.
import type { DocumentReference, Timestamp, UpdateData } from "firebase-admin/firestore";
import { isPreconditionFailure } from "./status-codes";

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
  // Writes go out one after another: two writes in flight would carry the same precondition, and the one that
  // lost would wrongly take the lease for lost (a handler calling ctx.progress without awaiting it, say).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ref: DocumentReference,
    private lastUpdateTime: Timestamp,
  ) {}

  /** Writes `data` if the task is still ours; false once anybody else has written it, or after close(). */
  update(data: UpdateData<FirebaseFirestore.DocumentData>): Promise<boolean> {
    const write = this.queue.then(async () => {
      if (this.fenced) return false;
      const writeTime = await updateIfUnchanged(this.ref, this.lastUpdateTime, data);
      if (!writeTime) {
        this.fenced = true;
        return false;
      }
      this.lastUpdateTime = writeTime;
      return true;
    });
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** After the outcome is recorded the attempt is over: a handler still running in the background writes nothing. */
  close(): void {
    this.fenced = true;
  }
}
