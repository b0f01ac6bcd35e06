// Declaring a schedule: a definition that cannot work is refused as it loads, with a message that names the
// schedule and what was expected; type, action and data are typed from the registered handlers.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import ts from "typescript";
import { defineSchedule, defineSchedules, type ScheduleDefinition } from "../../../functions/src/queue";
import { defineHandler, defineHandlers } from "../../../functions/src/queue/model/registry";
import { SCHEDULES } from "../../../functions/src/queue/config";
import { handlers } from "../../../functions/src/handlers";
import { schedules } from "../../../functions/src/handlers/schedules";

const FIXTURE = join(import.meta.dirname, "fixtures", "typed-schedule.ts");

/** A valid definition with `changes` on top (untyped, to reach the checks a compiler would not). */
function define(changes: Record<string, unknown> = {}) {
  const base = { name: "nightly", cron: "15 7 * * *", timeZone: "Europe/Berlin", type: "demo", action: "noop" };
  return defineSchedule({ ...base, ...changes } as ScheduleDefinition);
}

describe("defineSchedule", () => {
  it("returns the schedule, frozen, with missed defaulting to latest and data to {}", () => {
    const schedule = define();
    assert.deepEqual(
      { ...schedule },
      {
        name: "nightly",
        cron: "15 7 * * *",
        timeZone: "Europe/Berlin",
        type: "demo",
        action: "noop",
        data: {},
        missed: "latest",
      },
    );
    assert.ok(Object.isFrozen(schedule) && Object.isFrozen(schedule.data));
    assert.equal(define({ missed: "all", data: { a: 1 } }).missed, "all");
  });

  it("takes names fit for a document id and a task path: letters, digits, - and _, at most 64", () => {
    for (const name of ["a", "demo-heartbeat", "Daily_Report2", "9", "x".repeat(SCHEDULES.nameMaxChars)]) {
      assert.equal(define({ name }).name, name);
    }
    for (const name of ["", "a/b", "-lead", "_x", "..", "__id__", "a b", "é", "a.b", "x".repeat(65)]) {
      assert.throws(() => define({ name }), RangeError, name);
    }
    assert.throws(() => define({ name: 7 }), { name: "TypeError", message: /name must be a string, got 7/ });
  });

  it("refuses a cron expression that is not five fields, or never fires, naming the schedule", () => {
    assert.throws(() => define({ cron: "* * * * * *" }), {
      name: "RangeError",
      message: /^schedule "nightly": cron "\* \* \* \* \* \*" is not a five-field cron expression/,
    });
    for (const cron of ["", "every minute", "61 * * * *", "* 24 * * *", "* * * 13 *", "*/0 * * * *"]) {
      assert.throws(() => define({ cron }), RangeError, cron);
    }
    assert.throws(() => define({ cron: "0 0 31 2 *" }), { name: "RangeError", message: /"0 0 31 2 \*" never fires/ });
    assert.throws(() => define({ cron: undefined }), TypeError);
    for (const cron of ["*/5 * * * *", "0 9 * * MON-FRI", "0 0 1 JAN *", "30 2 * * 0,6", "0 12 L * *"]) {
      assert.equal(define({ cron }).cron, cron);
    }
  });

  it("takes IANA time zones only, checked with Intl", () => {
    for (const timeZone of ["UTC", "Etc/UTC", "America/New_York", "Asia/Kolkata", "America/Argentina/Buenos_Aires"]) {
      assert.equal(define({ timeZone }).timeZone, timeZone);
    }
    for (const timeZone of ["Mars/Olympus", "", "+01:00", "CET/", "europe berlin", undefined]) {
      assert.throws(() => define({ timeZone }), {
        name: "RangeError",
        message: /^schedule "nightly": timeZone must be an IANA time zone/,
      });
    }
  });

  it("refuses a missed-slot policy it does not know, data that is not a map, and an empty address", () => {
    assert.throws(() => define({ missed: "never" }), {
      name: "RangeError",
      message: /missed must be one of latest, skip, all/,
    });
    for (const data of [[1], "x", 3])
      assert.throws(() => define({ data }), { name: "TypeError", message: /data must be a map/ });
    assert.throws(() => define({ type: "" }), {
      name: "TypeError",
      message: /type and action must be non-empty strings/,
    });
  });
});

describe("defineSchedules", () => {
  const registry = defineHandlers({ demo: { noop: defineHandler({}, () => undefined) } });

  it("refuses two schedules of the same name", () => {
    assert.throws(
      () => defineSchedules(registry, [define({ name: "twice" }), define({ name: "twice", cron: "* * * * *" })]),
      {
        name: "RangeError",
        message: /two schedules are named "twice"/,
      },
    );
  });

  it("refuses a schedule whose handler is not registered, naming the schedule and the address", () => {
    assert.throws(() => defineSchedules(registry, [define({ name: "orphan", action: "gone" })]), {
      name: "TypeError",
      message: /^schedule "orphan" runs demo\.gone, but no handler is registered there/,
    });
  });

  it("refuses entries not made by defineSchedule", () => {
    const forged = { ...define() };
    assert.throws(() => defineSchedules(registry, [forged]), {
      name: "TypeError",
      message: /declare it with defineSchedule/,
    });
  });

  it("the application's schedules load, demo-heartbeat among them: demo.noop every minute, UTC", () => {
    const heartbeat = schedules.find((s) => s.name === "demo-heartbeat");
    assert.ok(heartbeat);
    assert.deepEqual(
      [heartbeat.cron, heartbeat.timeZone, heartbeat.type, heartbeat.action],
      ["* * * * *", "UTC", "demo", "noop"],
    );
    assert.ok(handlers.resolve(heartbeat.type, heartbeat.action));
  });

  it("types type, action and data from the registered handlers (compiles a fixture of right and wrong calls)", function () {
    this.timeout(120_000);
    const program = ts.createProgram([FIXTURE], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts"],
      skipLibCheck: true,
      types: ["node"],
    });
    // An unmet @ts-expect-error is itself an error: no diagnostics means every wrong definition was refused.
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(problems, []);
  });
});
