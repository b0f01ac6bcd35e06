// The options every deployed function shares, declared once for the modules in this folder.
import { FUNCTION_TIMEOUT_SECONDS, REGION } from "../queue/config";

export const runtime = { region: REGION, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS, memory: "512MiB" as const };

// Retries by Cloud Tasks cover infrastructure errors only; handler failures are recorded on the task, not thrown.
export const queueRetries = { maxAttempts: 5, minBackoffSeconds: 1 };

/** The engine's handlers, imported when a function first needs them (handlers/ and their schemas are not light). */
export const loadHandlers = () => import("../handlers/index.js").then((m) => m.handlers);
