// Cost per task as the load grows: the engine's claimed path (`demo.noop`) drained once at each size, up to 10,000
// tasks written at once, through bench/drain.ts (the same timing and metering). At every size: writes and
// invocations per task (they should not move), the drain rate, and whether every task completed exactly once:
// completed, on its first attempt (`attempts` 1: one claim won, one handler run; a second run would need a second
// claim). Duplicate deliveries, and the sweeper's re-dispatches of tasks left overdue behind a long backlog, show in
// the cost columns (trigger runs per task, invocations by function), not as a second run.
import { adminDb } from "../test/support/emulators";
import { ENGINE_TRIGGER } from "./config";
import { measureDrain, type DrainResult } from "./drain";
import type { EmulatorLog } from "./emulator-log";

export interface ScaleRow {
  tasks: number;
  completed: number;
  /** Tasks completed with `attempts` 1: none was claimed twice. */
  completedOnFirstAttempt: number;
  /** Trigger executions per task: 1 when no event was delivered twice and none was lost. */
  triggerRunsPerTask: number;
  /** Executions per task by function (runTask: re-dispatches by the sweeper of tasks overdue in the backlog). */
  invocationsByFunction?: Record<string, number>;
  writesPerTask: number;
  invocationsPerTask: number;
  readsPerTask: number;
  tasksPerSecond: number;
  seconds: number;
  latencyMs: DrainResult["latencyMs"];
  sameWritesForEveryTask: boolean;
  /** Every task completed, each on its first attempt. */
  exactlyOnce: boolean;
  /** The functions were reloaded or a sweeper pass ran during the drain (its rate is then the machine's). */
  disturbed: boolean;
  isolated: boolean;
}

async function completedOnFirstAttempt(collectionPath: string): Promise<number> {
  const query = adminDb().collection(collectionPath).where("state", "==", "completed").where("attempts", "==", 1);
  return (await query.count().get()).data().count;
}

export async function measureScale(
  sizes: number[],
  runId: string,
  log: EmulatorLog,
  timeoutMs: number,
  progress: (message: string) => void,
): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const tasks of sizes) {
    progress(`scale: ${tasks.toLocaleString("en-US")} no-op tasks through the engine's claimed path`);
    const d = await measureDrain("engine", tasks, `${runId}-scale`, 1, log, timeoutMs);
    const firstAttempt = d.collectionPath ? await completedOnFirstAttempt(d.collectionPath) : 0;
    const triggerRunsPerTask = d.invocationsPerTask.byFunction[ENGINE_TRIGGER] ?? 0;
    const row: ScaleRow = {
      tasks,
      completed: d.completed,
      completedOnFirstAttempt: firstAttempt,
      triggerRunsPerTask,
      invocationsByFunction: d.invocationsPerTask.byFunction,
      writesPerTask: d.writesPerTask.total,
      invocationsPerTask: d.invocationsPerTask.total,
      readsPerTask: d.readsPerTask,
      tasksPerSecond: d.tasksPerSecond,
      seconds: d.seconds,
      latencyMs: d.latencyMs,
      sameWritesForEveryTask: d.sameWritesForEveryTask ?? false,
      exactlyOnce: d.completed === tasks && firstAttempt === tasks,
      disturbed: d.reloads > 0 || (d.sweeperPasses ?? 0) > 0,
      isolated: d.isolated,
    };
    progress(
      `  ${row.tasksPerSecond} tasks/s; ${row.writesPerTask} writes, ${row.invocationsPerTask} invocations per ` +
        `task; ${row.completed} completed, ${firstAttempt} on the first attempt` +
        (row.exactlyOnce ? "" : " (NOT exactly once)"),
    );
    rows.push(row);
  }
  return rows;
}
