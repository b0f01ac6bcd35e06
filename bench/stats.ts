// Small statistics for the drain: nearest-rank percentiles and a cumulative completion curve.

/** Nearest-rank percentile of an ascending-sorted list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * How many of `times` (seconds from the start) had happened at each step of `stepSeconds`, up to the last one:
 * `[[0, 0], [0.5, 12], [1, 40], ...]`.
 */
export function cumulativeCurve(times: number[], stepSeconds: number): Array<[number, number]> {
  const sorted = [...times].sort((a, b) => a - b);
  const end = sorted.length ? sorted[sorted.length - 1] : 0;
  const curve: Array<[number, number]> = [];
  let done = 0;
  for (let t = 0; ; t += stepSeconds) {
    while (done < sorted.length && sorted[done] <= t) done++;
    curve.push([round(t, 3), done]);
    if (t >= end) break;
  }
  return curve;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
