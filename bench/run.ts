// `npm run bench [-- --quick] [-- --out <file>]`: runs the benchmark inside the emulators (package.json starts
// them), prints the report, and in full mode writes bench/results.json and redraws docs/performance.svg. Exits 1
// when a budget is missed: counts and speed ratios alike (the tests assert only the counts).
import { renameSync, writeFileSync } from "node:fs";
import { runBench } from "./bench";
import { RESULTS_FILE, writeCharts } from "./chart";
import { formatReport, markdownCounts, markdownDelay, markdownDrain, markdownLimitedRate } from "./report";
import { markdownWorkflows } from "./workflows";
import { markdownColdStart } from "./report-cold-start";
import { markdownScale } from "./report-scale";

function writeJson(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

const args = process.argv.slice(2);
const mode = args.includes("--quick") ? "quick" : "full";
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? args[outIndex + 1] : mode === "full" ? RESULTS_FILE : undefined;

async function main(): Promise<number> {
  const results = await runBench({
    mode,
    cleanup: mode === "quick",
    progress: (message) => console.error(`[bench +${Math.round(performance.now() / 1000)} s] ${message}`),
  });
  const markdown = [
    markdownCounts(results),
    markdownDrain(results),
    markdownDelay(results),
    markdownLimitedRate(results),
    markdownWorkflows(results.workflows),
    markdownScale(results.scale),
    markdownColdStart(results.coldStart),
  ].join("\n\n");
  console.log(`\n${formatReport(results)}\n\nMarkdown (docs/performance.md):\n\n${markdown}\n`);
  if (out) {
    writeJson(out, results);
    console.log(`wrote ${out}`);
  }
  if (mode === "full") {
    for (const file of writeCharts(results)) console.log(`wrote ${file}`);
  }
  const missed = results.budgets.filter((b) => b.ok === false);
  if (missed.length) console.error(`\nbudget missed: ${missed.map((b) => b.description).join("; ")}`);
  return missed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
