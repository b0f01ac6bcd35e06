// The limited handlers' queues, written next to the build (`lib/limited-queues.json`) by `npm run build`, so a
// deployed limited-* function declares its queue's limits without loading the handlers and their dependencies at
// start: it reads this small file, and imports the handlers on its first call like every other function.
// `node lib/endpoints/limited-queues.js` (the build's last step) loads the handlers once and writes it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LimitedQueue } from "../queue/flow/limits";

/** `functions/lib/limited-queues.json`: beside the compiled entry point, so `firebase deploy` uploads it with it. */
export const LIMITED_QUEUES_FILE = join(__dirname, "..", "limited-queues.json");

/** The queues the build wrote; a clear error when the build did not. */
export function readLimitedQueues(file = LIMITED_QUEUES_FILE): LimitedQueue[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(
      `${file} is missing: build the functions with \`npm run build\` (in functions/), which compiles them and ` +
        "then writes the limited handlers' queues from the handlers",
    );
  }
  return JSON.parse(text) as LimitedQueue[];
}

/** Loads the handlers and writes their limited queues (the build's last step). */
export async function writeLimitedQueues(file = LIMITED_QUEUES_FILE): Promise<LimitedQueue[]> {
  const [{ handlers }, { limitedQueues }] = await Promise.all([
    import("../handlers/index.js"),
    import("../queue/flow/limits.js"),
  ]);
  const queues = limitedQueues(handlers);
  writeFileSync(file, `${JSON.stringify(queues, null, 2)}\n`);
  return queues;
}

if (require.main === module) {
  writeLimitedQueues().then(
    (queues) => process.stdout.write(`wrote ${LIMITED_QUEUES_FILE}: ${queues.length} limited handler queue(s)\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
