// `npm run bench -- --quick`, inside `npm test`: holds the engine to its count budgets (writes, invocations and
// Firestore reads per task are deterministic), alone and in the drain next to the plain design. Speed ratios
// (engine ÷ plain, express ÷ plain) are printed, never asserted: the machines that run the tests are shared and
// noisy. `npm run bench` checks those. The cold start is asserted on what a loaded machine leaves stable: peak
// memory, and CPU time with a wide margin.
import { strict as assert } from "node:assert";
import { runBench, type BenchResults } from "../../bench/bench";
import { BUDGETS, ENGINE_TRIGGER, PLAIN_TRIGGER } from "../../bench/config";
import { countProblem, formatReport } from "../../bench/report";

describe("bench --quick: what a task costs", function () {
  this.timeout(240_000);
  let results: BenchResults;

  before(async function () {
    this.timeout(240_000);
    // cleanup: the other suites share these emulators; leave no bench documents behind.
    results = await runBench({ mode: "quick", cleanup: true });
    console.log(`\n${formatReport(results)}\n`);
  });

  const scenario = (id: string) => {
    const found = results.counts.find((c) => c.id === id);
    assert.ok(found, `scenario ${id} was measured`);
    return found;
  };

  it("every counting scenario ran alone, ended in its expected state and was metered", () => {
    for (const counts of results.counts) assert.equal(countProblem(counts), undefined, counts.label);
  });

  it(`a successful task costs at most ${BUDGETS.writesPerSuccessfulTask} writes`, () => {
    assert.ok(scenario("success").writesPerTask.total <= BUDGETS.writesPerSuccessfulTask);
  });

  it(`a successful task costs at most ${BUDGETS.invocationsPerSuccessfulTask} invocations, at most ${BUDGETS.readingInvocationsPerSuccessfulTask} of them reading Firestore`, () => {
    const success = scenario("success");
    assert.ok(success.invocationsPerTask.total <= BUDGETS.invocationsPerSuccessfulTask);
    assert.ok(success.readingInvocationsPerTask <= BUDGETS.readingInvocationsPerSuccessfulTask);
  });

  it(`an express (idempotent) task costs at most ${BUDGETS.writesPerExpressTask} writes and ${BUDGETS.invocationsPerSuccessfulTask} invocation`, () => {
    const express = scenario("express");
    assert.ok(express.writesPerTask.total <= BUDGETS.writesPerExpressTask);
    assert.ok(express.invocationsPerTask.total <= BUDGETS.invocationsPerSuccessfulTask);
  });

  it(`a rate-limited handler's task costs ${BUDGETS.invocationsPerLimitedTask} invocations and at most ${BUDGETS.writesPerSuccessfulTask} writes, and its limit holds in every second`, () => {
    const limited = scenario("limited");
    assert.equal(limited.invocationsPerTask.total, BUDGETS.invocationsPerLimitedTask);
    assert.ok(limited.writesPerTask.total <= BUDGETS.writesPerSuccessfulTask);
    const rate = results.limitedRate;
    assert.equal(rate.completed, rate.tasks, "every rate-limited task completed");
    assert.ok(
      rate.mostStartsInOneSecond <= rate.configuredPerSecond,
      `${rate.mostStartsInOneSecond} starts in a second`,
    );
  });

  it("a fan-out runs its continuation once with every child counted; one dedupKey runs once; a debounced burst runs once with the last data", () => {
    const { fanOut, dedup, debounce } = results.workflows;
    assert.equal(fanOut.continuations, 1);
    assert.deepEqual(fanOut.fanIn, { completed: fanOut.children, failed: 0, cancelled: 0 });
    assert.equal(fanOut.cost.runs, fanOut.children + 2, "the fanning-out task, every child and the continuation");
    assert.deepEqual([dedup.withKey.tasksWritten, dedup.withKey.runs], [1, 1], "deduplicated");
    assert.deepEqual([dedup.withoutKey.tasksWritten, dedup.withoutKey.runs], [dedup.enqueues, dedup.enqueues]);
    assert.equal(debounce.withKey.runs, 1, "debounced");
    assert.deepEqual(debounce.ranWithData, [{ n: debounce.enqueues - 1 }]);
    assert.equal(debounce.withoutKey.runs, debounce.enqueues);
  });

  it("counts are deterministic: every task of a scenario made the same writes", () => {
    for (const counts of results.counts) assert.ok(counts.sameWritesForEveryTask, counts.label);
  });

  it("in the drain, the engine keeps its counts and the plain design costs 2 writes and 2 invocations", () => {
    for (const size of results.drain.sizes) {
      const { engine, express, plain } = size;
      for (const d of [engine, express, plain]) assert.equal(d.completed, d.tasks, `${d.variant}: all completed`);
      assert.equal(engine.invocationsPerTask.byFunction[ENGINE_TRIGGER], BUDGETS.invocationsPerSuccessfulTask);
      assert.ok(engine.writesPerTask.total <= BUDGETS.writesPerSuccessfulTask, "engine writes");
      assert.equal(express.invocationsPerTask.byFunction[ENGINE_TRIGGER], BUDGETS.invocationsPerSuccessfulTask);
      assert.ok(express.writesPerTask.total <= BUDGETS.writesPerExpressTask, "express writes");
      // The baseline is what it says it is: a create and a completion, each waking the trigger once.
      assert.equal(plain.writesPerTask.total, 2, "plain design writes");
      assert.equal(plain.invocationsPerTask.byFunction[PLAIN_TRIGGER], 2, "plain design invocations");
    }
  });

  it("a dispatchTask instance loads no more than the plain design's trigger, and far less than every function", () => {
    const { coldStart } = results;
    const dispatch = coldStart.functions.find((f) => f.name === ENGINE_TRIGGER);
    assert.ok(dispatch, "dispatchTask was measured");
    // Margins for a loaded 2-core machine: measured ≈ 1.0 (memory) and ≈ 1.0 (CPU time); wall time is only printed.
    assert.ok(dispatch.memoryRatio <= 1.1, `peak RSS ${dispatch.memoryRatio} × the plain design's`);
    assert.ok(dispatch.cpuRatio <= 1.35, `CPU time ${dispatch.cpuRatio} × the plain design's`);
    // Before its exports were lazy, an instance loaded every function: about twice the CPU time.
    assert.ok(
      dispatch.cpuMs <= 0.75 * coldStart.everything.cpuMs,
      `${dispatch.cpuMs} ms vs ${coldStart.everything.cpuMs}`,
    );
  });
});
