// The plain design (plain-design.ts) as the whole entry module of a deployment of its own: what an app built on it
// would deploy. bench/cold-start.ts loads it as a deployed instance would, next to functions/lib/index.js, to
// compare their cold starts. bench/index.ts exports its function inside the emulator only, for the drains.
import { onDocumentWritten } from "firebase-functions/firestore";
import { REGION } from "../queue/config";
import { handlePlainWrite, PLAIN_TASK_PATH } from "./plain-design";

export const benchMinimalTask = onDocumentWritten({ region: REGION, document: PLAIN_TASK_PATH }, handlePlainWrite);
