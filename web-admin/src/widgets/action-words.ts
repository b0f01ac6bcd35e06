// How the page speaks of each bulk action: what it does, what it did, and why a task was left alone. One place,
// so the list's toolbar, its "all matching" dialog, the task detail and the reports say the same thing.
import type { BulkAction } from "../actions";

export const ACTION_WORDS: Record<
  BulkAction,
  {
    verb: string;
    doing: string;
    done: string;
    state: string;
    skippedBecause: string;
    effect: string;
    /** The confirmation's way out, when "Cancel" would read as the action itself. */
    dismiss?: string;
  }
> = {
  retry: {
    verb: "Retry",
    doing: "Retrying",
    done: "retried",
    state: "failed",
    skippedBecause: "no longer failed",
    effect: "is scheduled again and runs with a fresh round of attempts",
  },
  cancel: {
    verb: "Cancel",
    doing: "Cancelling",
    done: "cancelled",
    state: "scheduled",
    skippedBecause: "no longer scheduled",
    effect: "is cancelled and never runs",
    dismiss: "Keep them",
  },
};
