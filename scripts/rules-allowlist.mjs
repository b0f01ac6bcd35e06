#!/usr/bin/env node
// Keeps the security rules' two generated blocks equal to their one source of truth: the allowlist of
// client-enqueueable handlers to the handler registry (`clientEnqueue: true` in functions/src/handlers), and the
// task paths (one `match` per depth of parent) to MAX_PARENT_DEPTH (functions/src/queue/config.ts), as the trigger.
// `node scripts/rules-allowlist.mjs` checks (exit 1 when they differ); `--write` rewrites the generated blocks of
// firestore.rules. test/rules/ runs the check.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const RULES_FILE = join(ROOT, "firestore.rules");
const HANDLERS_MODULE = join(ROOT, "functions", "src", "handlers", "index.ts");
const TASK_MODEL_MODULE = join(ROOT, "functions", "src", "queue", "model", "task.ts");

const BEGIN = "// BEGIN GENERATED client-enqueueable handlers";
const END = "// END GENERATED client-enqueueable handlers";
const PATHS_BEGIN = "// BEGIN GENERATED task paths";
const PATHS_END = "// END GENERATED task paths";
// The same patterns as isHandlerName/isActionName in firestore.rules: a name the rules would reject can never be
// enqueued by a client, so listing it would be a lie.
const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ACTION_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}([.][A-Za-z][A-Za-z0-9_]{0,63}){0,7}$/;

/** `type.action` of every handler the registry marks `clientEnqueue`, in declaration order. */
export function clientEnqueueable(registry) {
  return registry
    .list()
    .filter(({ options }) => options.clientEnqueue)
    .map(({ type, action }) => {
      if (!TYPE_PATTERN.test(type) || !ACTION_PATTERN.test(action)) {
        throw new Error(
          `handler "${type}" / "${action}" is clientEnqueue but its name does not match the rules' pattern ` +
            `(type ${TYPE_PATTERN}, action ${ACTION_PATTERN}): rename it`,
        );
      }
      return `${type}.${action}`;
    });
}

export async function loadRegistry() {
  const { handlers } = await tsImport(HANDLERS_MODULE, import.meta.url);
  return handlers;
}

/** The trigger's path pattern at each depth of parent, 1 to MAX_PARENT_DEPTH (functions/src/queue/model/task.ts). */
export async function loadTaskPaths() {
  const { TASK_DOCUMENT_PATHS } = await tsImport(TASK_MODEL_MODULE, import.meta.url);
  return TASK_DOCUMENT_PATHS;
}

/** `dispatchTask`, `dispatchTaskDepth2`, ...: the trigger serving a depth, named in the rules' comments. */
async function loadDispatchNames(count) {
  const { dispatchFunctionName } = await tsImport(TASK_MODEL_MODULE, import.meta.url);
  return Array.from({ length: count }, (_, i) => dispatchFunctionName(i + 1));
}

function blockBounds(rules, begin = BEGIN, end = END) {
  const from = rules.indexOf(begin);
  const to = rules.indexOf(end);
  if (from < 0 || to < from) throw new Error(`firestore.rules has no "${begin}" ... "${end}" block`);
  return { start: rules.lastIndexOf("\n", from) + 1, end: to + end.length };
}

/** The handler names listed in the rules' generated block. */
export function allowlistInRules(rules) {
  const { start, end } = blockBounds(rules);
  return [...rules.slice(start, end).matchAll(/^\s*'([^']*)',?\s*$/gm)].map((match) => match[1]);
}

/** The generated block for `names`, indented as in firestore.rules. */
export function renderBlock(names) {
  const pad = "    ";
  const items = names.map((name, i) => `${pad}    '${name}'${i < names.length - 1 ? "," : ""}`);
  return [
    `${pad}${BEGIN}: \`node scripts/rules-allowlist.mjs --write\` rewrites this block`,
    `${pad}// from the handler registry (functions/src/handlers, \`clientEnqueue: true\`); test/rules/ fails when they differ.`,
    `${pad}function clientEnqueueableHandlers() {`,
    `${pad}  return [`,
    ...items,
    `${pad}  ];`,
    `${pad}}`,
    `${pad}${END}`,
  ].join("\n");
}

export function withAllowlist(rules, names) {
  const { start, end } = blockBounds(rules);
  return rules.slice(0, start) + renderBlock(names) + rules.slice(end);
}

/** The `match` paths of the rules' generated task block, in order (`/{collection}/{parentId}/tasks/{taskId}`). */
export function taskPathsInRules(rules) {
  const { start, end } = blockBounds(rules, PATHS_BEGIN, PATHS_END);
  return [...rules.slice(start, end).matchAll(/^\s*match (\S+) \{$/gm)].map((match) => match[1].slice(1));
}

/**
 * The generated task block for the trigger's `patterns` (one per depth): a `match` each, whose rules all go through
 * the functions above with the direct parent's path (a create with it relative, as a string: the dedup lock id
 * hashes it), so the owner check is the same at every depth; and `isTaskPathString`, those depths for the locks.
 */
export function renderTaskPaths(patterns, names = patterns.map((_, i) => `depth ${i + 1}`)) {
  const pad = "    ";
  const lines = [
    `${pad}${PATHS_BEGIN}: \`node scripts/rules-allowlist.mjs --write\` rewrites this block`,
    `${pad}// from MAX_PARENT_DEPTH (functions/src/queue/config.ts): one match per depth of parent, as the trigger has.`,
  ];
  lines.push(
    "",
    `${pad}// A task's path relative to the database (\`orders/o-1/tasks/t-1\`) under a parent at depth 1 to ${patterns.length}:`,
    `${pad}// what a dedup lock's \`task\` names.`,
    `${pad}function isTaskPathString(task) {`,
    `${pad}  return task is string && task.matches('[^/]+/[^/]+(/[^/]+/[^/]+){0,${patterns.length - 1}}/tasks/[^/]+');`,
    `${pad}}`,
  );
  patterns.forEach((pattern, i) => {
    const parentSegments = pattern.split("/").slice(0, -2);
    const parent = `/databases/$(database)/documents/${parentSegments.map((s) => `$(${s.slice(1, -1)})`).join("/")}`;
    // The same parent as a string relative to the database (`users/u/orders/o`): the dedup lock id hashes it.
    const relative = parentSegments.map((s) => s.slice(1, -1)).join(" + '/' + ");
    lines.push(
      "",
      `${pad}// The queue's tasks under a parent at depth ${i + 1} (the trigger's \`${names[i]}\`).`,
      `${pad}match /${pattern} {`,
      `${pad}  // Owners of the direct parent poll its tasks (get, and queries on that one sub-collection).`,
      `${pad}  allow read: if ownsParent(${parent});`,
      `${pad}  // Owners of the direct parent enqueue client-enqueueable tasks on it.`,
      `${pad}  allow create: if isValidTaskCreate(${relative}, taskId);`,
      `${pad}  // Admins retry failed tasks and cancel scheduled ones; nothing else changes, and nobody else updates.`,
      `${pad}  allow update: if isAdmin() && (isValidRetry() || isValidCancel());`,
      `${pad}  // Nobody deletes a task from a client: the task is the record of what happened.`,
      `${pad}  allow delete: if false;`,
      `${pad}}`,
    );
  });
  lines.push(`${pad}${PATHS_END}`);
  return lines.join("\n");
}

export function withTaskPaths(rules, patterns, names) {
  const { start, end } = blockBounds(rules, PATHS_BEGIN, PATHS_END);
  return rules.slice(0, start) + renderTaskPaths(patterns, names) + rules.slice(end);
}

async function main(argv) {
  const expected = clientEnqueueable(await loadRegistry());
  const patterns = await loadTaskPaths();
  const names = await loadDispatchNames(patterns.length);
  const rules = readFileSync(RULES_FILE, "utf8");
  if (argv.includes("--write")) {
    writeFileSync(RULES_FILE, withTaskPaths(withAllowlist(rules, expected), patterns, names));
    console.log(`firestore.rules: ${expected.length} client-enqueueable handlers: ${expected.join(", ")}`);
    console.log(`firestore.rules: tasks under parents at depth 1 to ${patterns.length}`);
    return 0;
  }
  if (renderTaskPaths(patterns, names) !== rules.slice(...Object.values(blockBounds(rules, PATHS_BEGIN, PATHS_END)))) {
    console.error(`firestore.rules: the task paths differ from the trigger's (depth 1 to ${patterns.length}).`);
    console.error("Fix: node scripts/rules-allowlist.mjs --write");
    return 1;
  }
  const listed = allowlistInRules(rules);
  const missing = expected.filter((name) => !listed.includes(name));
  const extra = listed.filter((name) => !expected.includes(name));
  if (missing.length === 0 && extra.length === 0) {
    console.log(`firestore.rules allowlist matches the registry (${expected.length} handlers).`);
    return 0;
  }
  if (missing.length)
    console.error(`client-enqueueable in the registry, missing from the rules: ${missing.join(", ")}`);
  if (extra.length) console.error(`in the rules, not client-enqueueable in the registry: ${extra.join(", ")}`);
  console.error("Fix: node scripts/rules-allowlist.mjs --write");
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // No top-level await: tests import this module from CommonJS.
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
