// Importing a module when it is first needed instead of at load: what a function's first request uses, it imports;
// what it never uses (the Cloud Tasks client in a trigger that runs its tasks at once, say), it never loads.

/**
 * A trigger's implementation, imported on its first call and shared by the calls after it: the trigger's module
 * stays light at load, and a failed import is retried by the next call rather than cached.
 */
export function onFirstCall<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
