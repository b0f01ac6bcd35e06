// What `firebase deploy` would deploy, read the way it reads it (discover-functions.ts: firebase-tools' own
// discovery of the Node codebase on functions/lib, in a deploy's environment, offline), against the contract: these
// functions and no other, their triggers, region, memory and timeout, and nothing from functions/src/bench. The
// emulator-based suites cannot see any of this: the emulator runs whatever index.ts exports, with emulator settings.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  FUNCTION_TIMEOUT_SECONDS,
  MAX_HANDLER_TIMEOUT_SECONDS,
  REGION,
  RUN_TASK_FUNCTION,
  SCHEDULES,
  SWEEPER,
  MAX_PARENT_DEPTH,
} from "../../functions/src/queue/config";
import { TASK_DOCUMENT_PATHS, dispatchFunctionName } from "../../functions/src/queue/model/task";
import { limitedQueues } from "../../functions/src/queue/flow/limits";
import { handlers } from "../../functions/src/handlers";
import { assertFunctionsBuilt, DEPLOY_PROJECT, discoverDeployedFunctions, type Discovery } from "./discover-functions";

const ROOT = join(__dirname, "..", "..");
const RUNTIME = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8")).functions[0].runtime;

/** The engine's functions: what each needs to do its job (docs/architecture.md, docs/operations.md). */
const WORKER = { availableMemoryMb: 512, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS };
/** One trigger per depth of parent, 1 to MAX_PARENT_DEPTH: `dispatchTask`, `dispatchTaskDepth2`, ... */
const DISPATCHERS = TASK_DOCUMENT_PATHS.map((document, i) => ({ name: dispatchFunctionName(i + 1), document }));
const EXPECTED: Record<string, { trigger: string; availableMemoryMb: number | null; timeoutSeconds: number | null }> = {
  ...Object.fromEntries(DISPATCHERS.map(({ name }) => [name, { trigger: "eventTrigger", ...WORKER }])),
  [RUN_TASK_FUNCTION]: { trigger: "taskQueueTrigger", ...WORKER },
  sweepTasks: { trigger: "scheduleTrigger", ...WORKER },
  runSchedules: { trigger: "scheduleTrigger", ...WORKER }, // writes every schedule's due slots, rolls up metrics
  retryTasks: { trigger: "callableTrigger", ...WORKER }, // pages through thousands of tasks within the timeout
  cancelTasks: { trigger: "callableTrigger", ...WORKER }, // the same, for scheduled tasks
  runTaskNow: { trigger: "callableTrigger", availableMemoryMb: null, timeoutSeconds: null }, // one write: defaults
  queueStatus: { trigger: "callableTrigger", availableMemoryMb: null, timeoutSeconds: null }, // a few reads
  queueMetrics: { trigger: "callableTrigger", availableMemoryMb: null, timeoutSeconds: null }, // 168 reads at most
  setPaused: { trigger: "callableTrigger", ...WORKER }, // a resume pages through the held tasks
  // One queue function per handler with limits, generated from the registry (below).
  ...Object.fromEntries(limitedQueues(handlers).map(({ name }) => [name, { trigger: "taskQueueTrigger", ...WORKER }])),
};
const TRIGGERS = [
  "httpsTrigger",
  "callableTrigger",
  "eventTrigger",
  "taskQueueTrigger",
  "scheduleTrigger",
  "blockingTrigger",
];

describe("the functions firebase deploy would deploy", function () {
  this.timeout(90_000);
  let deploy: Discovery;
  let emulator: Discovery;
  let benchExports: string[];

  before(async () => {
    assertFunctionsBuilt();
    [deploy, emulator] = await Promise.all([
      discoverDeployedFunctions("deploy"),
      discoverDeployedFunctions("emulator"),
    ]);
    benchExports = Object.keys(await import("../../functions/src/bench")).filter((name) => name !== "default");
  });

  const endpoint = (name: string) => {
    const found = deploy.endpoints[name];
    assert.ok(found, `${name} is not deployed`);
    return found;
  };

  it("were discovered as a deploy discovers them, without the emulator's variables", () => {
    // PORT: the binary serves its manifest over localhost, firebase deploy's default way of discovering.
    assert.deepEqual(deploy.discoveryEnv, ["FIREBASE_CONFIG", "GCLOUD_PROJECT", "GOOGLE_CLOUD_QUOTA_PROJECT", "PORT"]);
    assert.deepEqual(deploy.requiredAPIs, ["cloudscheduler.googleapis.com", "cloudtasks.googleapis.com"]);
  });

  it("are exactly the engine's functions and one queue function per limited handler", () => {
    assert.deepEqual(Object.keys(deploy.endpoints).sort(), Object.keys(EXPECTED).sort());
  });

  it("leave out the benchmark functions, which exist only in the emulator", () => {
    assert.ok(benchExports.includes("benchMinimalTask"), "functions/src/bench exports benchMinimalTask");
    for (const name of benchExports) {
      assert.ok(!(name in deploy.endpoints), `${name} (functions/src/bench) would be deployed`);
      assert.ok(name in emulator.endpoints, `${name} is missing in the emulator too: is the test still looking?`);
    }
  });

  it("each have the trigger, memory and timeout the engine relies on", () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const actual = endpoint(name);
      assert.deepEqual(
        TRIGGERS.filter((t) => t in actual),
        [expected.trigger],
        `${name}'s trigger`,
      );
      assert.equal(actual.availableMemoryMb, expected.availableMemoryMb, `${name}'s memory (MB)`);
      assert.equal(actual.timeoutSeconds, expected.timeoutSeconds, `${name}'s timeout`);
    }
    // A handler may run MAX_HANDLER_TIMEOUT_SECONDS; the functions that run handlers must outlast it.
    const runners = limitedQueues(handlers).map(({ name }) => name);
    for (const name of [...DISPATCHERS.map((d) => d.name), RUN_TASK_FUNCTION, "sweepTasks", ...runners]) {
      assert.ok((endpoint(name).timeoutSeconds as number) > MAX_HANDLER_TIMEOUT_SECONDS, name);
    }
  });

  it(`run in ${REGION} (set in the code, not left to the default region) on ${RUNTIME}`, () => {
    for (const [name, actual] of Object.entries(deploy.endpoints)) {
      assert.equal(actual.region, REGION, `${name}'s region`);
      assert.equal(actual.platform, "gcfv2", `${name} is a 2nd gen function`);
      assert.equal(actual.runtime, RUNTIME, `${name}'s runtime`);
      assert.equal(actual.project, DEPLOY_PROJECT);
      // The default compute service account: the README's IAM roles are granted to it.
      assert.equal(actual.serviceAccount, null, `${name}'s service account`);
    }
  });

  it(`dispatchTask and one trigger per deeper parent (to depth ${MAX_PARENT_DEPTH}): a task document's creation, not retried`, () => {
    assert.equal(DISPATCHERS.length, MAX_PARENT_DEPTH);
    assert.deepEqual(
      DISPATCHERS.map((d) => d.document),
      [
        "{collection}/{parentId}/tasks/{taskId}",
        "{collection1}/{parentId1}/{collection}/{parentId}/tasks/{taskId}",
        "{collection1}/{parentId1}/{collection2}/{parentId2}/{collection}/{parentId}/tasks/{taskId}",
      ].slice(0, MAX_PARENT_DEPTH),
      "a fixed number of segments each, ending in a `tasks` collection: nothing else fires them",
    );
    for (const { name, document } of DISPATCHERS) {
      assert.deepEqual(endpoint(name).eventTrigger, {
        eventType: "google.cloud.firestore.document.v1.created",
        eventFilters: { database: "(default)", namespace: "(default)" },
        eventFilterPathPatterns: { document },
        retry: false,
      });
    }
  });

  it(`${RUN_TASK_FUNCTION}: a Cloud Tasks queue with its retry and rate settings exactly`, () => {
    // Retries here cover infrastructure errors only; the engine records handler failures itself
    // (functions/src/endpoints/run-task.ts). 100 concurrent dispatches: docs/performance.md, docs/operations.md.
    assert.deepEqual(endpoint(RUN_TASK_FUNCTION).taskQueueTrigger, {
      retryConfig: {
        maxAttempts: 5,
        minBackoffSeconds: 1,
        maxBackoffSeconds: null,
        maxDoublings: null,
        maxRetrySeconds: null,
      },
      rateLimits: { maxConcurrentDispatches: 100, maxDispatchesPerSecond: null },
    });
  });

  it("each limited handler's queue carries the limits its options give, as the registry declares them", () => {
    const declared = handlers
      .list()
      .filter(({ options }) => options.rateLimit || options.maxConcurrent !== undefined)
      .map(({ type, action, options }) => ({
        type,
        action,
        perSecond: options.rateLimit?.perSecond,
        concurrent: options.maxConcurrent,
      }));
    assert.ok(declared.length >= 2, "the demo registry declares limited handlers: is the test still looking?");
    const deployed = Object.entries(deploy.endpoints).filter(([name]) => name.startsWith("limited-"));
    assert.equal(deployed.length, declared.length, "one queue function per limited handler, no other");
    for (const { type, action, perSecond, concurrent } of declared) {
      const name = `limited-${type}-${action.replaceAll(".", "-")}`;
      const { rateLimits, retryConfig } = endpoint(name).taskQueueTrigger as {
        rateLimits: { maxDispatchesPerSecond: number | null; maxConcurrentDispatches: number };
        retryConfig: object;
      };
      assert.deepEqual(
        retryConfig,
        (endpoint(RUN_TASK_FUNCTION).taskQueueTrigger as { retryConfig: object }).retryConfig,
      );
      // The rate is exact only if no lane may start more than once per 1000 / (perSecond / lanes) ms: see limits.ts.
      assert.equal(rateLimits.maxDispatchesPerSecond, perSecond ?? 500, `${name}'s dispatches per second`);
      const lanes = Math.min(perSecond ?? Infinity, concurrent ?? Infinity);
      assert.equal(rateLimits.maxConcurrentDispatches, lanes, `${name}'s dispatches at once`);
    }
  });

  it(`sweepTasks: on Cloud Scheduler "${SWEEPER.schedule}"`, () => {
    assert.deepEqual(endpoint("sweepTasks").scheduleTrigger, {
      schedule: SWEEPER.schedule,
      timeZone: null,
      retryConfig: {},
    });
    // The sweeper re-dispatches tasks overdue by more than the grace period: it must run at least that often.
    const minutes = Number(/^every (\d+) minutes?$/.exec(SWEEPER.schedule)?.[1]);
    assert.ok(Number.isInteger(minutes), `read "${SWEEPER.schedule}" as "every N minutes" here, or extend the test`);
    assert.ok(minutes * 60 <= SWEEPER.overdueGraceSeconds, `"${SWEEPER.schedule}" is slower than the grace period`);
  });

  it(`runSchedules: on Cloud Scheduler "${SCHEDULES.schedule}", every minute, which slots of whole minutes need`, () => {
    assert.deepEqual(endpoint("runSchedules").scheduleTrigger, {
      schedule: SCHEDULES.schedule,
      timeZone: null,
      retryConfig: {},
    });
    assert.equal(SCHEDULES.schedule, "every 1 minutes", "a slower job would find several slots due at once");
  });

  it("the admin callables (retryTasks, cancelTasks, runTaskNow, queueStatus, setPaused): callables, not public HTTP endpoints", () => {
    for (const name of ["retryTasks", "cancelTasks", "runTaskNow", "queueStatus", "setPaused"]) {
      assert.deepEqual(endpoint(name).callableTrigger, {}, name);
      assert.ok(!("httpsTrigger" in endpoint(name)), name);
    }
  });
});
