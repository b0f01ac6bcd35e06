// A handler's schema for its `data`: any Standard Schema (zod, valibot, arktype...), checked the same way by the
// engine before a run, by server enqueues and by the client library before a write. No runtime imports, so the
// browser client library can use it.
import type { StandardSchemaV1 } from "@standard-schema/spec";

export type { StandardSchemaV1 };

/** A schema for a task's `data`: a map in, a map out. */
export type DataSchema<Input extends object = object, Output extends object = Input> = StandardSchemaV1<Input, Output>;

/** Schemas addressed like handlers: `type`, then the (possibly dotted) `action`. */
export interface SchemaTree {
  readonly [name: string]: StandardSchemaV1 | SchemaTree;
}

/** What a schema made of some data: its parsed output, or the first problem, naming the field. */
export type DataCheck = { value: unknown; problem?: undefined } | { problem: string; issues: readonly Issue[] };

type Issue = StandardSchemaV1.Issue;

/** Some libraries' schemas are functions (arktype), and may keep `~standard` on their prototype. */
export function isSchema(value: unknown): value is StandardSchemaV1 {
  return (typeof value === "object" || typeof value === "function") && value !== null && "~standard" in value;
}

/** The schema at `type`/`action`, walking own entries only (as the handler registry does), or undefined. */
export function schemaAt(tree: SchemaTree, type: string, action: string): StandardSchemaV1 | undefined {
  let node: unknown = tree;
  for (const name of [type, ...action.split(".")]) {
    if (typeof node !== "object" || node === null || isSchema(node) || !Object.hasOwn(node, name)) return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return isSchema(node) ? node : undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `data.items[2].sku`: the path of an issue, from `data`. */
export function issuePath(issue: Issue): string {
  let out = "data";
  for (const segment of issue.path ?? []) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${typeof key === "string" ? JSON.stringify(key) : String(key)}]`;
  }
  return out;
}

/** "data.items[2].sku: Invalid input: expected string, received number (and 1 more problem)". */
export function describeIssues(issues: readonly Issue[]): string {
  const [first] = issues;
  if (!first) return "data: invalid (the schema reported no issue)";
  const more = issues.length - 1;
  const rest = more === 0 ? "" : ` (and ${more} more problem${more === 1 ? "" : "s"})`;
  return `${issuePath(first)}: ${first.message}${rest}`;
}

function checkOf(result: StandardSchemaV1.Result<unknown>): DataCheck {
  return result.issues ? { problem: describeIssues(result.issues), issues: result.issues } : { value: result.value };
}

/**
 * Checks `data` against `schema`. Synchronous when the schema is (zod is, unless it has async refinements), so a
 * write into a batch can be checked before it is added.
 */
export function checkData(schema: StandardSchemaV1, data: unknown): DataCheck | Promise<DataCheck> {
  const result = schema["~standard"].validate(data);
  return result instanceof Promise ? result.then(checkOf) : checkOf(result);
}
