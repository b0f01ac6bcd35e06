#!/usr/bin/env node
// Keeps the security rules' allowlist of client-enqueueable handlers equal to the handler registry, the one
// source of truth (`clientEnqueue: true` in functions/src/handlers). `node scripts/rules-allowlist.mjs` checks
// (exit 1 when they differ); `--write` rewrites the generated block of firestore.rules. test/rules/ runs the check.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const RULES_FILE = join(ROOT, "firestore.rules");
const HANDLERS_MODULE = join(ROOT, "functions", "src", "handlers", "index.ts");

const BEGIN = "// BEGIN GENERATED client-enqueueable handlers";
const END = "// END GENERATED client-enqueueable handlers";
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

function blockBounds(rules) {
  const start = rules.indexOf(BEGIN);
  const end = rules.indexOf(END);
  if (start < 0 || end < start) throw new Error(`firestore.rules has no "${BEGIN}" ... "${END}" block`);
  return { start: rules.lastIndexOf("\n", start) + 1, end: end + END.length };
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

async function main(argv) {
  const expected = clientEnqueueable(await loadRegistry());
  const rules = readFileSync(RULES_FILE, "utf8");
  if (argv.includes("--write")) {
    writeFileSync(RULES_FILE, withAllowlist(rules, expected));
    console.log(`firestore.rules: ${expected.length} client-enqueueable handlers: ${expected.join(", ")}`);
    return 0;
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
