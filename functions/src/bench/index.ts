// Benchmark-only functions (bench/, `npm run bench`). They exist only inside the Functions emulator: in a deployed
// project FUNCTIONS_EMULATOR is unset, these exports are undefined and `firebase deploy` skips them. Why: see
// docs/decisions.md, "Benchmark functions only in the emulator".
import { onDocumentWritten } from "firebase-functions/firestore";
import { REGION } from "../queue/config";
import { handlePlainWrite, PLAIN_TASK_PATH } from "./plain-design";
import { installRpcMeter } from "./rpc-meter";

const IN_EMULATOR = process.env.FUNCTIONS_EMULATOR === "true";

// Every function instance loads this module through index.ts, so the meter sees the requests of all of them.
if (IN_EMULATOR) installRpcMeter();

/**
 * The plain design (plain-design.ts) the engine's drain is compared with. Its export name predates the name "plain
 * design" and is kept: functions/src/index.ts re-exports it and test/deploy/manifest.test.ts checks it by name.
 */
export const benchMinimalTask = IN_EMULATOR
  ? onDocumentWritten({ region: REGION, document: PLAIN_TASK_PATH }, handlePlainWrite)
  : undefined;
