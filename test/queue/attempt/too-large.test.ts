// A task Firestore could store when it was created, but not once the engine has added its own fields, must not be
// stranded: the claim or the outcome would be refused (INVALID_ARGUMENT) and the task would stay `scheduled` or
// `running` for good. Validation counts the stored size as Firestore does, with the engine's headroom, and fails
// such a task at once as `task/too-large`, with a write that fits.
import { strict as assert } from "node:assert";
import { Timestamp, type DocumentData, type DocumentReference } from "firebase-admin/firestore";
import { validateTask } from "../../../functions/src/queue/attempt/validate";
import { failureThatFits, outcomeUpdate } from "../../../functions/src/queue/attempt/outcome";
import { documentSize, documentSizeAfter, FIRESTORE_LIMITS } from "../../../functions/src/queue/store/document-size";
import { TaskFailure } from "../../../functions/src/queue/model/errors";
import { LIMITS } from "../../../functions/src/queue/config";
import { newParent } from "../../support/tasks";

const LIMIT = FIRESTORE_LIMITS.documentBytes;

/**
 * A `demo.noop` task whose document at `ref` is exactly `bytes` stored bytes: `data` holds rows of small integers
 * (8 bytes stored each, 2 of JSON) in a map, padded with a string.
 */
function taskOfStoredSize(ref: DocumentReference, bytes: number): DocumentData {
  const rows: Record<string, number[]> = {};
  const data = { rows, pad: "" };
  const task = { type: "demo", action: "noop", state: "scheduled", createdAt: Timestamp.now(), data };
  const row = Array.from({ length: 1000 }, (_, i) => i % 10);
  let size = documentSize(ref.path, task);
  for (let i = 0; size + 8_100 < bytes; i++) {
    rows[`r${i}`] = row;
    size += `r${i}`.length + 1 + 8 * row.length;
  }
  data.pad = "x".repeat(bytes - documentSize(ref.path, task));
  assert.equal(documentSize(ref.path, task), bytes);
  return task;
}

/** The task's state and error once it is final; rejects after `timeoutMs` naming the state it stayed in. */
function outcomeOf(ref: DocumentReference, timeoutMs = 20_000): Promise<{ state: string; error?: DocumentData }> {
  return new Promise((resolve, reject) => {
    let state: unknown;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${ref.path} stayed "${state}" for ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = ref.onSnapshot((snap) => {
      state = snap.get("state");
      if (state === "completed" || state === "failed") {
        clearTimeout(timer);
        unsubscribe();
        resolve({ state: state as string, error: snap.get("error") });
      }
    }, reject);
  });
}

describe("tasks too large for the engine's own fields", () => {
  it("a task 100 bytes under 1 MiB (small integers in nested maps) ends failed task/too-large, not stuck", async () => {
    const ref = (await newParent()).collection("tasks").doc();
    const task = taskOfStoredSize(ref, LIMIT - 100);
    assert.ok(Buffer.byteLength(JSON.stringify(task.data)) < LIMITS.dataBytes, "under the JSON bound");
    await ref.set(task);
    const outcome = await outcomeOf(ref);
    assert.equal(outcome.state, "failed");
    assert.equal(outcome.error?.code, "task/too-large");
  });

  it("a task within the engine's headroom of 1 MiB fails task/too-large, its message giving size and limit", async () => {
    const ref = (await newParent()).collection("tasks").doc();
    const task = taskOfStoredSize(ref, LIMIT - 50_000);
    await ref.set(task);
    const outcome = await outcomeOf(ref);
    assert.equal(outcome.state, "failed");
    assert.equal(outcome.error?.code, "task/too-large");
    assert.match(outcome.error?.message, new RegExp(`${LIMIT - 50_000}\\b.*\\b${LIMIT}\\b`));
  });

  it("a task whose data needs more than 40,000 index entries ends failed task/too-large", async () => {
    const fields: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) fields[`k${i}`] = i;
    const ref = (await newParent()).collection("tasks").doc();
    await ref.set({ type: "demo", action: "noop", state: "scheduled", createdAt: Timestamp.now(), data: { fields } });
    const outcome = await outcomeOf(ref);
    assert.equal(outcome.state, "failed");
    assert.equal(outcome.error?.code, "task/too-large");
    assert.match(outcome.error?.message, /index entries/);
  });
});

describe("validateTask: stored size and index entries", () => {
  const path = "orders/o-1/tasks/t-1";
  const base = { type: "demo", action: "noop", state: "scheduled", createdAt: Timestamp.now() };

  it("passes a task well within the bounds", () => {
    assert.equal(validateTask({ ...base, data: { rows: [1, 2, 3] } }, path), undefined);
  });

  it("fails a task whose stored size leaves the engine no room, naming the size and the limit", () => {
    const data = { rows: Array.from({ length: 125_000 }, (_, i) => i % 10) };
    const size = documentSize(path, { ...base, data });
    const failure = validateTask({ ...base, data }, path);
    assert.equal(failure?.code, "task/too-large");
    assert.equal(failure?.retryable, false);
    assert.match(failure!.message, new RegExp(`${size} bytes`));
    assert.match(failure!.message, /1048576/);
  });

  it("fails a task whose data needs more than 40,000 index entries", () => {
    const fields = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const failure = validateTask({ ...base, data: { fields } }, path);
    assert.equal(failure?.code, "task/too-large");
    assert.match(failure!.message, /index entries/);
  });

  it("keeps task/invalid for data over the JSON bound", () => {
    const failure = validateTask({ ...base, data: { s: "x".repeat(LIMITS.dataBytes + 1) } }, path);
    assert.equal(failure?.code, "task/invalid");
  });
});

describe("failureThatFits: the failure of a too-large task can be stored", () => {
  const path = "orders/o-1/tasks/t-1";
  const failure = new TaskFailure("task/too-large", "the task is too large to run", false);
  const taskNear = (bytes: number) => {
    const task: DocumentData = { type: "demo", action: "noop", state: "scheduled", data: { pad: "" } };
    task.data.pad = "x".repeat(bytes - documentSize(path, task));
    return task;
  };
  const failWith = (task: DocumentData) => {
    const full = outcomeUpdate({ state: "failed", failure }, { attempt: 1, startedAt: Timestamp.now(), history: [] });
    return failureThatFits(path, task, { ...full, attempts: 1 });
  };

  it("writes the whole record when it fits", () => {
    const update = failWith(taskNear(10_000));
    assert.ok(update.history && update.failedAt && update.attempts === 1);
  });

  for (const [room, keys] of [
    // The end fields (endedAt, expireAt, runBucket: metrics and retention) stay while they fit.
    [200, ["attempts", "endedAt", "error", "expireAt", "failedAt", "lease", "runBucket", "state", "updatedAt"]],
    [100, ["endedAt", "error", "expireAt", "runBucket", "state"]],
    [10, ["state"]],
  ] as const) {
    it(`writes ${keys.join(", ")} for a task ${room} bytes under 1 MiB`, () => {
      const task = taskNear(LIMIT - room);
      const update = failWith(task);
      assert.deepEqual(Object.keys(update).sort(), keys);
      assert.equal(update.state, "failed");
      assert.ok(documentSizeAfter(path, task, update as DocumentData) <= LIMIT);
    });
  }
});
