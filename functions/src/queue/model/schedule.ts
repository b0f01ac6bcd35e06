// What a recurring schedule is: a cron expression read in a time zone, the task each of its slots writes, and what
// a pass does with slots missed while nothing wrote them. `defineSchedule` checks one definition as it loads, and
// `defineSchedules` the list (unique names, registered handlers), so a mistake stops the functions from loading
// instead of surfacing in a pass at 3 a.m.
import { Cron } from "croner";
import { LIMITS, SCHEDULES } from "../config";
import type { Registry } from "./handler";
import type { ServerTaskRequest } from "./request";

/**
 * What a pass does with slots that fell due while nothing wrote them (the scheduler was down, the schedule was
 * paused, a pass failed):
 * - `latest`: writes the latest of them, once, and skips the older ones;
 * - `skip`: writes only a slot due in the current tick (the minute the pass runs in), and skips the rest;
 * - `all`: writes every one of them, the newest `SCHEDULES.maxMissedSlots` (100) at most; older ones are skipped.
 */
export type MissedSlotPolicy = "latest" | "skip" | "all";
export const MISSED_SLOT_POLICIES: readonly MissedSlotPolicy[] = ["latest", "skip", "all"];

/** A task request without `runAt`, for each handler of the union (Omit alone would merge the union's members). */
type WithoutRunAt<R> = R extends unknown ? Omit<R, "runAt"> : never;

/**
 * A schedule as an application declares it: `type`, `action` and `data` are typed from the registered handlers, as
 * `enqueueTask`'s are.
 */
export type ScheduleDefinition = {
  /**
   * Names the schedule's state and its tasks' parent (`taskSchedules/{name}`): letters, digits, `-` and `_`,
   * starting with a letter or a digit, at most 64 characters. Renaming a schedule starts a new one.
   */
  name: string;
  /**
   * Five fields, minute hour day-of-month month day-of-week, read by croner: `15 7 * * 1-5` is 07:15 on weekdays.
   * The scheduler runs once a minute, so there is no seconds field.
   */
  cron: string;
  /** The IANA time zone the expression is read in: `UTC`, `Europe/Berlin`, `America/New_York`. */
  timeZone: string;
  /** What to do with slots missed while nothing wrote them. @default "latest" */
  missed?: MissedSlotPolicy;
} & WithoutRunAt<ServerTaskRequest>;

/** A checked schedule, as `defineSchedule` returns it. */
export interface Schedule {
  readonly name: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly type: string;
  readonly action: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly missed: MissedSlotPolicy;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** `Area/Location` names and `UTC`; Intl also takes offsets such as `+01:00`, which have no daylight-saving rules. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

const defined = new WeakSet<Schedule>();

/** Declares one schedule; throws a TypeError or RangeError that names it when the definition cannot work. */
export function defineSchedule(definition: ScheduleDefinition): Schedule {
  const { name, cron, timeZone } = definition;
  const { type, action } = definition as { type: unknown; action: unknown };
  const data: unknown = (definition as { data?: unknown }).data ?? {};
  const missed: unknown = definition.missed ?? "latest";
  if (typeof name !== "string") throw new TypeError(`a schedule's name must be a string, got ${describe(name)}`);
  if (!NAME.test(name) || name.length > SCHEDULES.nameMaxChars) {
    throw new RangeError(
      `schedule name ${JSON.stringify(name)} must be letters, digits, "-" and "_", start with a letter or a digit, ` +
        `and have at most ${SCHEDULES.nameMaxChars} characters: it becomes part of document paths`,
    );
  }
  const where = `schedule "${name}"`;
  if (typeof timeZone !== "string" || !IANA_NAME.test(timeZone) || !isTimeZone(timeZone)) {
    throw new RangeError(
      `${where}: timeZone must be an IANA time zone such as "Europe/Berlin", got ${describe(timeZone)}`,
    );
  }
  if (typeof cron !== "string") throw new TypeError(`${where}: cron must be a string, got ${describe(cron)}`);
  let parsed: Cron;
  try {
    parsed = new Cron(cron, { timezone: timeZone, mode: "5-part", paused: true });
  } catch (error) {
    throw new RangeError(
      `${where}: cron ${JSON.stringify(cron)} is not a five-field cron expression (minute hour day-of-month month ` +
        `day-of-week): ${(error as Error).message}`,
    );
  }
  if (!parsed.nextRun()) throw new RangeError(`${where}: cron ${JSON.stringify(cron)} never fires`);
  if (typeof type !== "string" || type === "" || typeof action !== "string" || action === "") {
    throw new TypeError(
      `${where}: type and action must be non-empty strings, got ${describe(type)}, ${describe(action)}`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TypeError(`${where}: data must be a map, got ${describe(data)}`);
  }
  const dataBytes = Buffer.byteLength(JSON.stringify(data));
  if (dataBytes > LIMITS.dataBytes) {
    throw new RangeError(`${where}: data is ${dataBytes} bytes as JSON, more than a task's ${LIMITS.dataBytes}`);
  }
  if (!MISSED_SLOT_POLICIES.includes(missed as MissedSlotPolicy)) {
    throw new RangeError(`${where}: missed must be one of ${MISSED_SLOT_POLICIES.join(", ")}, got ${describe(missed)}`);
  }
  const schedule: Schedule = Object.freeze({
    name,
    cron,
    timeZone,
    type,
    action,
    data: Object.freeze({ ...(data as Record<string, unknown>) }),
    missed: missed as MissedSlotPolicy,
  });
  defined.add(schedule);
  return schedule;
}

/**
 * The application's schedules, checked against its handlers: each made by `defineSchedule`, names unique, and a
 * handler registered at each `type`/`action`. The array `runSchedules` and the admin callables take.
 */
export function defineSchedules(registry: Registry, schedules: readonly Schedule[]): readonly Schedule[] {
  checkScheduleList(schedules);
  for (const schedule of schedules) {
    if (!registry.resolve(schedule.type, schedule.action)) {
      throw new TypeError(
        `schedule "${schedule.name}" runs ${schedule.type}.${schedule.action}, but no handler is registered there ` +
          "(functions/src/handlers/index.ts)",
      );
    }
  }
  return Object.freeze([...schedules]);
}

/** Every entry made by `defineSchedule`, no name twice: names key the state document and the tasks' parents. */
export function checkScheduleList(schedules: readonly Schedule[]): void {
  const names = new Set<string>();
  for (const schedule of schedules) {
    if (!defined.has(schedule))
      throw new TypeError(`${describe(schedule)} is not a schedule: declare it with defineSchedule`);
    if (names.has(schedule.name)) {
      throw new RangeError(`two schedules are named "${schedule.name}": a schedule's name must be unique`);
    }
    names.add(schedule.name);
  }
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : (JSON.stringify(value)?.slice(0, 80) ?? "an object");
}
