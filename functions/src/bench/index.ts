// Benchmark-only functions (bench/, `npm run bench`). They exist only inside the Functions emulator: in a deployed
// project FUNCTIONS_EMULATOR is unset, these exports are undefined and `firebase deploy` skips them. Why: see
// docs/decisions.md, "Benchmark functions only in the emulator".
/* eslint-disable @typescript-eslint/no-require-imports -- outside the emulator, plain-entry is never loaded */
import type * as PlainEntry from "./plain-entry";

const IN_EMULATOR = process.env.FUNCTIONS_EMULATOR === "true";

/**
 * The plain design (plain-design.ts) the engine's drain is compared with. Its export name predates the name "plain
 * design" and is kept: functions/src/index.ts exports it and test/deploy/manifest.test.ts checks it by name.
 */
export const benchMinimalTask = IN_EMULATOR
  ? (require("./plain-entry") as typeof PlainEntry).benchMinimalTask
  : undefined;
