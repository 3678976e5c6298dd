/**
 * One checker benchmark in a process of its own, so the peak RSS it reports is this comparison's alone.
 *   node --import tsx bench/measures/checker-child.ts <products>
 * Prints one JSON line.
 */
import { benchCompare } from '../lib/checker-data.ts';

const n = Number(process.argv[2]);
if (!Number.isInteger(n) || n <= 0) {
  process.stderr.write('usage: checker-child.ts <products>\n');
  process.exit(2);
}
// Async streams, as the snapshot readers feed the checker in a run.
const r = await benchCompare(n, { async: true });
const { comparison, ...figures } = r;
process.stdout.write(`${JSON.stringify({ ...figures, counts: comparison.counts, equal: comparison.equal })}\n`);
