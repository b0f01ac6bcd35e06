// The queue as an operator sees it (model/queue-status.ts): every handler with its limits and pause, the whole
// queue's pause, and the schedules. One read of the pauses document, plus what the schedules read.
import type { Registry } from "../model/handler";
import type { HandlerStatus, QueueStatus } from "../model/queue-status";
import type { Schedule } from "../model/schedule";
import { handlerAddress, readPauses } from "../flow/pauses";
import { scheduleStatuses } from "./schedules";

export async function queueStatus(registry: Registry, schedules: readonly Schedule[]): Promise<QueueStatus> {
  const [pauses, scheduleList] = await Promise.all([readPauses(), scheduleStatuses(schedules)]);
  const handlers = registry.list().map(({ type, action, options }): HandlerStatus => {
    const paused = pauses.handlers[handlerAddress(type, action)];
    return {
      type,
      action,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.maxConcurrent !== undefined ? { maxConcurrent: options.maxConcurrent } : {}),
      ...(paused ? { paused } : {}),
    };
  });
  return { ...(pauses.queue ? { paused: pauses.queue } : {}), handlers, schedules: scheduleList };
}
