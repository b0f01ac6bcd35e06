// Deterministic ids: the same input always gives the same id, which is what makes enqueues idempotent.
import { createHash } from "node:crypto";

export function hashId(text: string, length = 40): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}
