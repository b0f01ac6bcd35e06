// An automated accessibility audit of what the page shows: axe-core, injected from node_modules (no download) into
// the page, run on the whole document. The suite fails on serious and critical violations; minor and moderate ones
// are reported by axe's own tools when someone looks for them.
import { join } from "node:path";
import type { Page } from "playwright-core";

const AXE_SCRIPT = join(__dirname, "..", "..", "node_modules", "axe-core", "axe.min.js");

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** The serious and critical violations on the page as it is now, one line each with where they are. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}
