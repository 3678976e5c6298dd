/**
 * The checker on synthetic stores (bench/lib/checker-data.ts): build the versions index from a history, then
 * stream a Postgres snapshot and an Elasticsearch snapshot side by side through compare(), for the seed's
 * products (5 columns) and for a wide table of 15 typed columns read through its mapping (bench/lib/wide-data.ts).
 * Each run is a child process, so its peak resident memory is its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BENCH_TABLES, type BenchResult, type BenchTable } from '../lib/checker-data.ts';
import { load1, metric, type BenchContext, type Measure, type MeasureOutput, type Metric } from '../lib/measure.ts';
import type { Target } from '../lib/stats.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./checker-child.ts', import.meta.url));

/** What the child prints: benchCompare's figures without the comparison itself, plus its anomaly counts. */
export type CheckerRun = Omit<BenchResult, 'comparison' | 'mode'> & { load1: number; counts: Record<string, number> };

async function once(n: number, table: BenchTable): Promise<CheckerRun> {
  const startLoad = load1();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, String(n), table], {
    cwd: PROJECT_ROOT,
    maxBuffer: 1 << 20,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(line) as Omit<CheckerRun, 'load1'>), load1: startLoad };
}

const rows = (n: number): string => (n === 1_000_000 ? '1M' : `${n / 1000}k`);

export const checkerMeasure: Measure = {
  name: 'checker',
  title: 'checker: full PG-vs-ES compare',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const sizes = ctx.quick ? [100_000] : [100_000, 1_000_000];
    const runs: CheckerRun[] = [];
    for (let i = 1; i <= ctx.runs; i++) {
      for (const n of sizes) {
        // Interleaved, so both tables of a run see the same load.
        for (const table of BENCH_TABLES) {
          const r = await once(n, table);
          runs.push(r);
          ctx.log(
            `  checker run ${i} ${n.toLocaleString('en')} ${table}: build ${r.buildMs} ms + compare ` +
              `${r.compareMs} ms, peak RSS ${r.maxRssMb} MiB`,
          );
        }
      }
    }
    const of = (n: number, table: BenchTable = 'products'): CheckerRun[] =>
      runs.filter((r) => r.n === n && r.table === table);
    const total = (r: CheckerRun): number => (r.buildMs + r.compareMs) / 1000;
    const time = (n: number, table: BenchTable, id: string, label: string, target?: Target): Metric =>
      metric(
        id,
        label,
        's',
        of(n, table).map(total),
        target,
        undefined,
        of(n, table).map((r) => r.load1),
      );
    const biggest = sizes[sizes.length - 1]!;
    const metrics = [
      time(100_000, 'products', 'checker.100k', 'checker, 100k products (build versions + compare)', {
        kind: 'max',
        value: 3,
      }),
    ];
    if (sizes.includes(1_000_000)) {
      metrics.push(
        time(1_000_000, 'products', 'checker.1m', 'checker, 1M products (build versions + compare)', {
          kind: 'max',
          value: 20,
        }),
      );
    }
    metrics.push(
      metric(
        'checker.peak-rss',
        `checker, peak memory (RSS of the process, ${biggest.toLocaleString('en')} products)`,
        'MiB',
        of(biggest).map((r) => r.maxRssMb),
        { kind: 'max', value: 1024 },
      ),
    );
    for (const n of sizes) {
      metrics.push(
        time(n, 'wide', `checker.wide-${rows(n).toLowerCase()}`, `checker, ${rows(n)} wide rows × 15 typed columns`),
      );
    }
    metrics.push(
      metric(
        'checker.wide-peak-rss',
        `checker, peak memory (RSS of the process, ${biggest.toLocaleString('en')} wide rows)`,
        'MiB',
        of(biggest, 'wide').map((r) => r.maxRssMb),
      ),
      // Run by run: the wide table's time over the products' at the same size and load (3 columns to 1).
      metric(
        'checker.wide-ratio',
        `  wide ÷ products time, ${rows(biggest)} rows (15 columns ÷ 5)`,
        '×',
        of(biggest, 'wide').map((w, k) => Math.round((total(w) / total(of(biggest)[k]!)) * 100) / 100),
      ),
    );
    return {
      metrics,
      details: { mode: 'async streams', runs },
      notes: ctx.quick ? ['--quick: 1M rows skipped'] : [],
    };
  },
};
