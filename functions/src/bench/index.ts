// Benchmark-only functions (bench/, `npm run bench`). They exist only inside the Functions emulator: in a deployed
// project FUNCTIONS_EMULATOR is unset, these exports are undefined and `firebase deploy` skips them. Why: see
// docs/decisions.md, "Benchmark functions only in the emulator".
import { onDocumentWritten } from "firebase-functions/firestore";
import { REGION } from "../queue/config";
import { handleMinimalWrite, MINIMAL_TASK_PATH } from "./minimal-trigger";
import { installRpcMeter } from "./rpc-meter";

const IN_EMULATOR = process.env.FUNCTIONS_EMULATOR === "true";

// Every function instance loads this module through index.ts, so the meter sees the requests of all of them.
if (IN_EMULATOR) installRpcMeter();

/** The minimal trigger the engine's drain rate is compared with. */
export const benchMinimalTask = IN_EMULATOR
  ? onDocumentWritten({ region: REGION, document: MINIMAL_TASK_PATH }, handleMinimalWrite)
  : undefined;
