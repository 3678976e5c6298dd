/**
 * One checker benchmark in a process of its own, so the peak RSS it reports is this comparison's alone.
 *   node --import tsx bench/measures/checker-child.ts <rows> [products|wide]
 * Prints one JSON line.
 */
import { BENCH_TABLES, benchCompare, type BenchTable } from '../lib/checker-data.ts';

const n = Number(process.argv[2]);
const table = (process.argv[3] ?? 'products') as BenchTable;
if (!Number.isInteger(n) || n <= 0 || !BENCH_TABLES.includes(table)) {
  process.stderr.write(`usage: checker-child.ts <rows> [${BENCH_TABLES.join('|')}]\n`);
  process.exit(2);
}
// Async streams, as the snapshot readers feed the checker in a run.
const r = await benchCompare(n, { async: true, table });
const { comparison, ...figures } = r;
process.stdout.write(`${JSON.stringify({ ...figures, counts: comparison.counts, equal: comparison.equal })}\n`);
