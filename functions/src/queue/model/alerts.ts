// A handler's alert rule (`alert` in defineHandler): when it fires and when it clears. Pure: the engine evaluates
// it on the metrics rollups (metrics/alerts.ts), the admin page shows it.

export interface AlertRule {
  /** Fires when at least this many of the handler's tasks failed within the window. */
  failedTasks?: number;
  /** Fires when failed / ended reaches this (0 to 1) within the window, once `minTasks` tasks ended in it. */
  failureRate?: number;
  /** The window, in whole minutes (1 to 60; default 15). */
  windowMinutes?: number;
  /** Ended tasks the window needs before `failureRate` applies (default 10). */
  minTasks?: number;
}

export interface ResolvedAlertRule {
  failedTasks: number | null;
  failureRate: number | null;
  windowMinutes: number;
  minTasks: number;
}

export const MAX_ALERT_WINDOW_MINUTES = 60;

/** The rule with defaults filled in; a RangeError or TypeError names what to fix. */
export function resolveAlertRule(rule: AlertRule): ResolvedAlertRule {
  if (typeof rule !== "object" || rule === null) {
    throw new TypeError(`alert must be an object such as { failedTasks: 5 }, got ${JSON.stringify(rule)}`);
  }
  const { failedTasks, failureRate, windowMinutes = 15, minTasks = 10 } = rule;
  if (failedTasks === undefined && failureRate === undefined) {
    throw new TypeError("alert needs failedTasks or failureRate (or both): when should it fire?");
  }
  if (failedTasks !== undefined && !(Number.isInteger(failedTasks) && failedTasks >= 1)) {
    throw new RangeError(`alert.failedTasks must be an integer >= 1, got ${failedTasks}`);
  }
  if (failureRate !== undefined && !(typeof failureRate === "number" && failureRate > 0 && failureRate <= 1)) {
    throw new RangeError(`alert.failureRate must be in (0, 1] (0.2 is 20%), got ${failureRate}`);
  }
  if (!(Number.isInteger(windowMinutes) && windowMinutes >= 1 && windowMinutes <= MAX_ALERT_WINDOW_MINUTES)) {
    throw new RangeError(
      `alert.windowMinutes must be an integer in [1, ${MAX_ALERT_WINDOW_MINUTES}], got ${windowMinutes}`,
    );
  }
  if (!(Number.isInteger(minTasks) && minTasks >= 1)) {
    throw new RangeError(`alert.minTasks must be an integer >= 1, got ${minTasks}`);
  }
  return { failedTasks: failedTasks ?? null, failureRate: failureRate ?? null, windowMinutes, minTasks };
}

/** Does the rule fire on these counts of its window? */
export function alertFires(rule: ResolvedAlertRule, window: { completed: number; failed: number }): boolean {
  const ended = window.completed + window.failed;
  if (rule.failedTasks !== null && window.failed >= rule.failedTasks) return true;
  return rule.failureRate !== null && ended >= rule.minTasks && window.failed / ended >= rule.failureRate;
}
