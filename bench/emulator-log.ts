// Reads the emulator suite's log (EMULATOR_LOG, written by scripts/with-emulators.mjs) as it grows, and turns it
// into events: every function execution the Functions emulator starts and finishes ("Beginning execution of
// "us-central1-dispatchTask"", "Finished ... in N ms"), and every Firestore request the functions' request meter
// reports (functions/src/bench/rpc-meter.ts), every reload of the functions (which stops the idle workers) and every
// pass of the emulator suite's sweeper. The bench counts invocations from the first, writes and reads from the
// second: from the outside, not from what the engine is supposed to do; reloads and sweeper passes mark the
// measurements they may have disturbed.
import { closeSync, openSync, readSync } from "node:fs";

export interface MeterRecord {
  /** The function whose instance made the request (its FUNCTION_TARGET). */
  fn: string;
  pid: number;
  method: string;
  kind: "read" | "write";
  /** Documents written by the request (0 for reads). */
  writes: number;
  /** Documents (or a query's parent) the request names, relative to the database root. */
  paths: string[];
}

export type LogEvent =
  | { type: "begin" | "finish"; fn: string; at: number }
  | { type: "meter"; record: MeterRecord; at: number }
  /** The Functions emulator reloaded the functions (a rebuild of functions/lib, or the triggers switched): every
   * idle worker is stopped, so what runs next starts cold. */
  | { type: "reload"; at: number }
  /** A pass of the emulator suite's sweeper began (scripts/lib/background-sweeper.mjs, every minute): its queries
   * scan every task in the emulator, the bench's thousands included. */
  | { type: "sweep"; at: number };

const BEGIN = /Beginning execution of "([^"]+)"/;
const FINISH = /Finished "([^"]+)" in /;
const RELOAD = /functions: Loaded functions definitions from source/;
const SWEEP = /sweeper: pass started/;
const METER_MESSAGE = "bench: firestore request";
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** `us-central1-dispatchTask` → `dispatchTask`. */
function functionName(triggerKey: string): string {
  return triggerKey.replace(/^[a-z]+-[a-z]+\d+-/, "");
}

function parseLine(raw: string, at: number): LogEvent | undefined {
  const line = raw.replace(ANSI, "");
  const begin = BEGIN.exec(line);
  if (begin) return { type: "begin", fn: functionName(begin[1]), at };
  const finish = FINISH.exec(line);
  if (finish) return { type: "finish", fn: functionName(finish[1]), at };
  if (RELOAD.test(line)) return { type: "reload", at };
  if (SWEEP.test(line)) return { type: "sweep", at };
  if (!line.includes(METER_MESSAGE)) return undefined;
  const json = line.slice(line.indexOf("{"));
  try {
    const entry = JSON.parse(json) as Partial<MeterRecord> & { message?: string };
    if (entry.message !== METER_MESSAGE || !Array.isArray(entry.paths)) return undefined;
    const record: MeterRecord = {
      fn: String(entry.fn),
      pid: Number(entry.pid),
      method: String(entry.method),
      kind: entry.kind === "read" ? "read" : "write",
      writes: Number(entry.writes ?? 0),
      paths: entry.paths.map(String),
    };
    return { type: "meter", record, at };
  } catch {
    return undefined;
  }
}

export class EmulatorLog {
  readonly events: LogEvent[] = [];
  private position = 0;
  private partial = "";
  private begun = 0;
  private finished = 0;
  private lastActivity = Date.now();

  constructor(readonly file: string) {}

  /** The log of the emulators this process runs inside; fails with the fix when there is none. */
  static fromEnvironment(): EmulatorLog {
    const file = process.env.EMULATOR_LOG;
    if (!file) {
      throw new Error(
        "EMULATOR_LOG is not set: the bench counts invocations from the emulators' log. Run it with `npm run bench`.",
      );
    }
    return new EmulatorLog(file);
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    const fd = openSync(this.file, "r");
    try {
      const buffer = Buffer.alloc(1 << 20);
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, this.position);
        if (read <= 0) break;
        this.position += read;
        const text = this.partial + buffer.subarray(0, read).toString("utf8");
        const lines = text.split("\n");
        this.partial = lines.pop() ?? "";
        const now = Date.now();
        for (const line of lines) {
          const event = parseLine(line, now);
          if (!event) continue;
          this.events.push(event);
          if (event.type === "begin") this.begun++;
          if (event.type === "finish") this.finished++;
          if (event.type !== "meter" && event.type !== "sweep") this.lastActivity = now;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** A position in the event list: `since(mark)` returns what happened after it. */
  mark(): number {
    this.poll();
    return this.events.length;
  }

  since(mark: number): LogEvent[] {
    this.poll();
    return this.events.slice(mark);
  }

  /** Executions started and not finished yet, over the whole log. */
  inFlight(): number {
    this.poll();
    return this.begun - this.finished;
  }

  /**
   * Waits until no function is executing and none has started or finished for `quietMs`, so that the trailing
   * invocations of a scenario (the trigger fired by its last write) are in the log before it is counted. A worker
   * that died without a "Finished" line would keep `inFlight` above zero: after `stuckMs` of silence it counts as
   * quiet anyway.
   */
  async waitForQuiet(quietMs = 1500, timeoutMs = 120_000, stuckMs = 15_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const inFlight = this.inFlight();
      const silentFor = Date.now() - this.lastActivity;
      if ((inFlight <= 0 && silentFor >= quietMs) || silentFor >= stuckMs) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Executions started per function among `events`. */
export function executionsByFunction(events: LogEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) if (event.type === "begin") counts[event.fn] = (counts[event.fn] ?? 0) + 1;
  return counts;
}

/** Times the Functions emulator reloaded the functions among `events`. */
export function reloads(events: LogEvent[]): number {
  return events.filter((event) => event.type === "reload").length;
}

/** Passes of the emulator suite's sweeper that began among `events`. */
export function sweeperPasses(events: LogEvent[]): number {
  return events.filter((event) => event.type === "sweep").length;
}
