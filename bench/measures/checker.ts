/**
 * The checker on synthetic stores (bench/lib/checker-data.ts): build the versions index from a history, then
 * stream a Postgres snapshot and an Elasticsearch snapshot side by side through compare(). Each run is a
 * child process, so its peak resident memory is its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchResult } from '../lib/checker-data.ts';
import { load1, metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./checker-child.ts', import.meta.url));

/** What the child prints: benchCompare's figures without the comparison itself, plus its anomaly counts. */
export type CheckerRun = Omit<BenchResult, 'comparison' | 'mode'> & { load1: number; counts: Record<string, number> };

async function once(n: number): Promise<CheckerRun> {
  const startLoad = load1();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, String(n)], {
    cwd: PROJECT_ROOT,
    maxBuffer: 1 << 20,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(line) as Omit<CheckerRun, 'load1'>), load1: startLoad };
}

export const checkerMeasure: Measure = {
  name: 'checker',
  title: 'checker: full PG-vs-ES compare',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const sizes = ctx.quick ? [100_000] : [100_000, 1_000_000];
    const runs: CheckerRun[] = [];
    for (let i = 1; i <= ctx.runs; i++) {
      for (const n of sizes) {
        const r = await once(n);
        runs.push(r);
        ctx.log(
          `  checker run ${i} ${n.toLocaleString('en')}: build ${r.buildMs} ms + compare ${r.compareMs} ms, ` +
            `peak RSS ${r.maxRssMb} MiB`,
        );
      }
    }
    const of = (n: number): CheckerRun[] => runs.filter((r) => r.n === n);
    const total = (r: CheckerRun): number => (r.buildMs + r.compareMs) / 1000;
    const metrics = [
      metric(
        'checker.100k',
        'checker, 100k products (build versions + compare)',
        's',
        of(100_000).map(total),
        { kind: 'max', value: 3 },
        undefined,
        of(100_000).map((r) => r.load1),
      ),
    ];
    if (sizes.includes(1_000_000)) {
      metrics.push(
        metric(
          'checker.1m',
          'checker, 1M products (build versions + compare)',
          's',
          of(1_000_000).map(total),
          { kind: 'max', value: 20 },
          undefined,
          of(1_000_000).map((r) => r.load1),
        ),
      );
    }
    const biggest = sizes[sizes.length - 1]!;
    metrics.push(
      metric(
        'checker.peak-rss',
        `checker, peak memory (RSS of the process, ${biggest.toLocaleString('en')} products)`,
        'MiB',
        of(biggest).map((r) => r.maxRssMb),
        { kind: 'max', value: 1024 },
      ),
    );
    return {
      metrics,
      details: { mode: 'async streams', runs },
      notes: ctx.quick ? ['--quick: 1M products skipped'] : [],
    };
  },
};
