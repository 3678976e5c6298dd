/**
 * `npm run bench`: the project's performance figures against their targets, as medians of several runs.
 *
 *   npm run bench -- [--only a,b] [--runs N] [--quick] [--name NAME] [--port-base N] [--reuse NAME] [--keep]
 *                    [--no-warmup] [--no-peer]
 *
 * Prints a table and writes bench/results.json. See bench/README.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { errorMessage } from '../harness/util/errors.ts';
import { onInterrupt } from '../harness/util/signals.ts';
import { loadNow, machineInfo, type Load, type MachineInfo } from './lib/machine.ts';
import type { BenchContext, Measure, MeasureRecord } from './lib/measure.ts';
import { RESULTS_FILE } from './lib/paths.ts';
import { BenchStacks, DEFAULT_BENCH_PORT_BASE, DEFAULT_BENCH_STACK } from './lib/stacks.ts';
import { renderMarkdown, renderTable } from './lib/table.ts';
import { checkerMeasure } from './measures/checker.ts';
import { cliStartMeasure } from './measures/cli-start.ts';
import { coldStartMeasure } from './measures/cold-start.ts';
import { coldStartClusterMeasure } from './measures/cold-start-cluster.ts';
import { leversMeasure } from './measures/levers.ts';
import { driverMeasure } from './measures/driver.ts';
import { npmTestMeasure } from './measures/npm-test.ts';
import { probeMeasure } from './measures/probe.ts';
import { resetMeasure } from './measures/reset.ts';
import { resetClusterMeasure } from './measures/reset-cluster.ts';
import { throughputMeasure } from './measures/throughput.ts';

const HELP = `npm run bench -- [options]

Measures, in this order (stack measures share one stack; cold starts come last, with nothing else of ours up):
  npm-test     \`npm test\` wall time, read from the last reports/vitest-results.json (never runs the suite)
  cli-start    \`outbox-chaos --help\` from the packed package installed into a fresh project (target ≤ 0.5 s),
               beside the clone's bin, npx and a bare node
  checker      full PG-vs-ES compare of 100k and 1M synthetic products, and peak memory
  driver       workload driver against a throwaway Postgres: batched ops/s, single-op txn/s
  reset        reset between two scenarios on a running stack (reset + prepare + register → RUNNING)
  probe        lag probe resolution (poll interval, e2e-lag granularity) and its cost to pipeline throughput
  throughput   pipeline throughput at saturation, commit → searchable (events/s)
  cold-start   stack cold start with a warm artifact cache → both connectors RUNNING, CPU per program, the
               critical path; and its peer: the same programs started the stock way, in the same runs
  levers       cold starts with each start-up lever off in turn (stack NAME-levers on port base + 500)
  cold-start-cluster  the cluster topology's cold start (stack NAME-cluster on port base + 600)
  reset-cluster  the reset between scenarios on a running cluster (stack NAME-cluster, started for it)

Options:
  --only a,b        run only these measures (results.json keeps the other measures' last figures)
  --runs N          runs per measure, medians reported (default 3)
  --quick           fewer rows and shorter runs: a smoke run, not figures to quote
  --name NAME       the benchmark's stack name (default "${DEFAULT_BENCH_STACK}")
  --port-base N     its port block (default ${DEFAULT_BENCH_PORT_BASE}; other engineers' stacks use 17400–17999)
  --reuse NAME      run the stack measures on this running stack instead of starting one (left running)
  --keep            leave the last cold-start stack running (stop it with \`outbox-chaos down --name NAME\`)
  --no-warmup       no discarded warm-up start before the cold starts
  --no-peer         no stock peer starts beside the cold starts (its stack is NAME-peer on port base + 200)
  --out FILE        results file (default bench/results.json)
  --print           measure nothing: print the results file as a table (--markdown: as a Markdown table)`;

export interface ResultsFile {
  generatedAt: string;
  machine: MachineInfo;
  options: {
    runs: number;
    quick: boolean;
    only: string[] | null;
    stack: string;
    portBase: number;
    reuse: string | null;
  };
  load: { start: Load; end: Load };
  measures: Record<string, MeasureRecord>;
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        only: { type: 'string' },
        runs: { type: 'string' },
        quick: { type: 'boolean' },
        name: { type: 'string' },
        'port-base': { type: 'string' },
        reuse: { type: 'string' },
        keep: { type: 'boolean' },
        'no-warmup': { type: 'boolean' },
        'no-peer': { type: 'boolean' },
        out: { type: 'string' },
        print: { type: 'boolean' },
        markdown: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`bench: ${errorMessage(err)}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const runs = values.runs === undefined ? 3 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench: --runs must be a whole number ≥ 1, got ${String(values.runs)}`);
    return 2;
  }
  const portBase = values['port-base'] === undefined ? DEFAULT_BENCH_PORT_BASE : Number(values['port-base']);
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65_000) {
    console.error(`bench: --port-base must be a port number, got ${String(values['port-base'])}`);
    return 2;
  }
  const all: Measure[] = [
    npmTestMeasure,
    cliStartMeasure,
    checkerMeasure,
    driverMeasure,
    resetMeasure,
    probeMeasure,
    throughputMeasure,
    coldStartMeasure({
      keep: values.keep === true,
      warmup: values['no-warmup'] !== true,
      peer: values['no-peer'] !== true,
    }),
    leversMeasure,
    coldStartClusterMeasure,
    resetClusterMeasure,
  ];
  const only =
    typeof values.only === 'string'
      ? values.only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : null;
  const unknown = (only ?? []).filter((n) => !all.some((m) => m.name === n));
  if (unknown.length) {
    console.error(`bench: unknown measure(s) ${unknown.join(', ')}; known: ${all.map((m) => m.name).join(', ')}`);
    return 2;
  }
  const selected = only ? all.filter((m) => only.includes(m.name)) : all;
  const out = typeof values.out === 'string' ? values.out : RESULTS_FILE;
  const order = all.map((m) => m.name);
  const sorted = (r: ResultsFile): MeasureRecord[] =>
    Object.values(r.measures).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  if (values.print || values.markdown) {
    if (!existsSync(out)) {
      console.error(`bench: no results file ${out}; run \`npm run bench\` first`);
      return 2;
    }
    const r = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    console.log(values.markdown ? renderMarkdown(sorted(r)) : renderTable(sorted(r), r));
    return 0;
  }
  let stacks: BenchStacks;
  try {
    stacks = new BenchStacks({
      name: typeof values.name === 'string' ? values.name : DEFAULT_BENCH_STACK,
      portBase,
      ...(typeof values.reuse === 'string' ? { reuse: values.reuse } : {}),
    });
  } catch (err) {
    console.error(`bench: ${errorMessage(err)}`);
    return 2;
  }
  const off = onInterrupt(() => stacks.stopOwned());
  const ctx: BenchContext = {
    runs,
    quick: values.quick === true,
    stacks,
    log: (msg) => process.stderr.write(`${msg}\n`),
    shared: new Map(),
  };

  const invocation = { runs, quick: ctx.quick, stack: stacks.plan.name, reuse: stacks.plan.reuse ?? null };
  const start = loadNow();
  const records: Record<string, MeasureRecord> = {};
  let failed = 0;
  try {
    for (const m of selected) {
      ctx.log(`\n▶ bench ${m.name}: ${m.title} (load ${start.load.join(' / ')} → now ${loadNow().load.join(' / ')})`);
      const loadBefore = loadNow();
      const t0 = Date.now();
      try {
        if (m.needsStack) await stacks.get();
        const r = await m.run(ctx);
        records[m.name] = {
          name: m.name,
          title: m.title,
          startedAt: new Date(t0).toISOString(),
          durationMs: Date.now() - t0,
          loadBefore,
          loadAfter: loadNow(),
          invocation,
          ...r,
        };
      } catch (err) {
        failed++;
        ctx.log(`✗ bench ${m.name} failed: ${errorMessage(err)}`);
        records[m.name] = {
          name: m.name,
          title: m.title,
          startedAt: new Date(t0).toISOString(),
          durationMs: Date.now() - t0,
          loadBefore,
          loadAfter: loadNow(),
          invocation,
          metrics: [],
          error: errorMessage(err),
        };
      }
    }
  } finally {
    await stacks.stopOwned();
    off();
  }

  // --only refreshes the measures it ran and keeps the rest of the previous results file.
  let previous: ResultsFile | undefined;
  if (only && existsSync(out)) {
    try {
      previous = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    } catch {
      previous = undefined;
    }
  }
  const results: ResultsFile = {
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    options: { runs, quick: ctx.quick, only, stack: stacks.plan.name, portBase, reuse: stacks.plan.reuse ?? null },
    load: { start, end: loadNow() },
    measures: { ...(previous?.measures ?? {}), ...records },
  };
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${renderTable(sorted(results), results)}`);
  console.log(`\nwritten to ${out}`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
