import { strict as assert } from "node:assert";
import { backoffDelayMs, failureFromError, nextState } from "../../../functions/src/queue/attempt/retry-policy";
import { PermanentError, TaskFailure } from "../../../functions/src/queue/model/errors";

const backoff = { baseSeconds: 2, capSeconds: 60, jitter: "full" as const };

describe("retry policy", () => {
  it("full jitter draws from [0, base * 2^(n-1)], capped", () => {
    assert.equal(
      backoffDelayMs(backoff, 1, () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(backoff, 1, () => 1),
      2000,
    );
    assert.equal(
      backoffDelayMs(backoff, 3, () => 1),
      8000,
    );
    assert.equal(
      backoffDelayMs(backoff, 3, () => 0.5),
      4000,
    );
    assert.equal(
      backoffDelayMs(backoff, 20, () => 1),
      60_000,
      "capped",
    );
  });

  it("equal jitter never waits less than half the window, so gaps grow", () => {
    const equal = { ...backoff, jitter: "equal" as const };
    assert.equal(
      backoffDelayMs(equal, 1, () => 0),
      1000,
    );
    assert.equal(
      backoffDelayMs(equal, 2, () => 0),
      2000,
    );
    assert.ok(backoffDelayMs(equal, 2, () => 0) >= backoffDelayMs(equal, 1, () => 1));
  });

  it("completes on success", () => {
    assert.deepEqual(nextState({ ok: true, result: 1 }, 1, 3, backoff), { state: "completed", result: 1 });
  });

  it("retries a retryable failure while attempts remain, at now + backoff", () => {
    const failure = new TaskFailure("handler/error", "boom", true);
    const now = new Date("2026-01-01T00:00:00Z");
    const next = nextState({ ok: false, failure }, 1, 3, backoff, now);
    assert.equal(next.state, "scheduled");
    assert.ok(next.state === "scheduled" && next.runAt.getTime() - now.getTime() <= 2000);
  });

  it("fails when attempts are exhausted", () => {
    const failure = new TaskFailure("handler/error", "boom", true);
    assert.equal(nextState({ ok: false, failure }, 3, 3, backoff).state, "failed");
  });

  it("fails at once on a permanent failure", () => {
    const { failure } = failureFromError(new PermanentError("nope", "payment/declined"));
    assert.equal(failure.code, "payment/declined");
    assert.equal(failure.retryable, false);
    assert.equal(nextState({ ok: false, failure }, 1, 5, backoff).state, "failed");
  });

  it("recognises a PermanentError by name, across module copies", () => {
    const foreign = Object.assign(new Error("x"), { name: "PermanentError", code: "x/y" });
    assert.equal(failureFromError(foreign).failure.retryable, false);
  });

  it("records plain errors and non-errors as retryable handler/error", () => {
    assert.equal(failureFromError(new Error("boom")).failure.code, "handler/error");
    assert.equal(failureFromError(new Error("boom")).failure.retryable, true);
    assert.match(failureFromError("a string").failure.message, /non-Error thrown: "a string"/);
    assert.match(failureFromError(new Error("")).failure.message, /without a message/);
  });
});
