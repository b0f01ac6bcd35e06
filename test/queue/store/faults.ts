// Fault injection on a real DocumentReference: its `update` does something else on chosen calls (writes and then
// throws, throws without writing, writes twice as the SDK does when it retries a commit that had landed); every other
// call goes to the emulator as usual.
import type { DocumentReference, WriteResult } from "firebase-admin/firestore";

/** An error shaped like the SDK's gRPC errors: `code` is the gRPC status code. */
export function grpcError(code: number, name: string): Error & { code: number } {
  return Object.assign(new Error(`${code} ${name}: injected by the test`), { code });
}
export const UNAVAILABLE = 14;
export const DEADLINE_EXCEEDED = 4;

type Update = () => Promise<WriteResult>;
export type Fault = (realUpdate: Update) => Promise<WriteResult>;

/** The write lands, then the caller gets `code` (the answer was lost). */
export const landsThenFails =
  (code = UNAVAILABLE): Fault =>
  async (update) => {
    await update();
    throw grpcError(code, "AMBIGUOUS");
  };
/** The write does not land; the caller gets `code`. */
export const failsBeforeLanding =
  (code = UNAVAILABLE): Fault =>
  async () => {
    throw grpcError(code, "TRANSIENT");
  };
/** The write lands, its answer is lost and the SDK sends it again: the caller gets the retry's answer. */
export const landsThenSdkRetries: Fault = async (update) => {
  await update();
  return update();
};

/** `ref`, with its `n`-th call of `update` (from 1) handed to `faults[n]`; `calls()` counts the calls. */
export function faultyRef(
  ref: DocumentReference,
  faults: Record<number, Fault>,
): { ref: DocumentReference; calls: () => number } {
  let calls = 0;
  const update = (...args: unknown[]) => {
    calls++;
    const real = () => (ref.update as (...a: unknown[]) => Promise<WriteResult>)(...args);
    const fault = faults[calls];
    return fault ? fault(real) : real();
  };
  const proxy = new Proxy(ref, {
    get(target, property) {
      if (property === "update") return update;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ref: proxy, calls: () => calls };
}
