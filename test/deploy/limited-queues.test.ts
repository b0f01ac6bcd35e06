// The limited handlers' queues as the build writes them (functions/lib/limited-queues.json), which the deployed
// limited-* functions read at start instead of loading the handlers: the same as the registry gives, and a clear
// error when the build did not write them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { handlers } from "../../functions/src/handlers";
import { limitedQueues, type LimitedQueue } from "../../functions/src/queue/flow/limits";
import { readLimitedQueues } from "../../functions/src/endpoints/limited-queues";

const BUILT = join(__dirname, "..", "..", "functions", "lib", "limited-queues.json");

describe("deploy: the limited queues the build writes", () => {
  it("are the registry's limited queues, with their limits", () => {
    const byName = (queues: LimitedQueue[]) => [...queues].sort((a, b) => a.name.localeCompare(b.name));
    const built = JSON.parse(readFileSync(BUILT, "utf8")) as LimitedQueue[];
    assert.deepEqual(byName(built), byName(limitedQueues(handlers)));
    assert.ok(built.length >= 2, "the demo registry declares limited handlers");
  });

  it("when missing, the functions refuse to load with the command that writes them", () => {
    assert.throws(() => readLimitedQueues(join(__dirname, "no-such-file.json")), /is missing: .*npm run build/);
  });
});
