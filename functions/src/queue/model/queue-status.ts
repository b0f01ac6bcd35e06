// What an operator sees of the queue as a whole and changes with one switch: the handlers and their limits, what
// is paused (by whom, since when), and the recurring schedules. The `queueStatus` callable returns it and
// `setPaused` changes it; the engine, the callables and the admin page share these types. Types only.

/** Who paused something, and when (an ISO time). */
export interface PauseRecord {
  by: string;
  at: string;
}

export interface HandlerStatus {
  type: string;
  action: string;
  /** Starts per second, across all instances, when the handler declares a rate limit. */
  rateLimit?: { perSecond: number };
  /** Attempts running at once, across all instances, when the handler declares a limit. */
  maxConcurrent?: number;
  /** Set while this handler is paused (the whole queue's pause is `QueueStatus.paused`). */
  paused?: PauseRecord;
}

export interface ScheduleStatus {
  name: string;
  cron: string;
  timeZone: string;
  type: string;
  action: string;
  /** Set while the schedule is paused: its slots are not written. */
  paused?: PauseRecord;
  /** The latest slot written (ISO time), if any. */
  lastSlot?: string;
  /** The next slot the cron expression gives (ISO time). */
  nextSlot?: string;
  /** The task the latest slot wrote, and its state now (`deleted` when it is gone). */
  lastTask?: { path: string; state: string };
}

export interface QueueStatus {
  /** Set while the whole queue is paused. */
  paused?: PauseRecord;
  handlers: HandlerStatus[];
  schedules: ScheduleStatus[];
}

/** What `setPaused` switches: the whole queue, one handler, or one schedule. */
export type PauseTarget = { queue: true } | { type: string; action: string } | { schedule: string };

export interface SetPausedResult {
  /** The target's state after the call. */
  paused: boolean;
  /**
   * On resume: tasks that were held while paused and are now dispatched. `complete: false` when the time budget ran
   * out first: call again with `cursor` to go on.
   */
  dispatched?: number;
  complete: boolean;
  cursor?: string;
}
