/**
 * `npm run bench`: the project's performance figures against their targets, as medians of several runs.
 *
 *   npm run bench -- [--only a,b] [--runs N] [--quick] [--name NAME] [--port-base N] [--reuse NAME] [--keep]
 *                    [--no-warmup] [--no-peer] [--out FILE]
 *   npm run bench -- --compare FILE [--threshold PCT] [--fail-on-regression]
 *
 * Prints a table and merges the figures into bench/record.json, each measure with the commit it ran on; the
 * table in docs/performance.md is regenerated from it. See bench/README.md and docs/performance.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../harness/util/errors.ts';
import { onInterrupt } from '../harness/util/signals.ts';
import { compareRecords, DEFAULT_THRESHOLD, regressions, renderComparison } from './lib/compare.ts';
import { treeState, type TreeState } from './lib/git.ts';
import { loadNow, machineFacts } from './lib/machine.ts';
import type { BenchContext, MeasureRecord } from './lib/measure.ts';
import { PERFORMANCE_DOC, PROJECT_ROOT, RECORD_FILE } from './lib/paths.ts';
import {
  entryOf,
  mergeRecord,
  parseRecord,
  recordJson,
  RecordError,
  type BenchRecord,
  type RecordEntry,
} from './lib/record.ts';
import { recordMarkdown, withTable } from './lib/record-doc.ts';
import { BenchStacks, DEFAULT_BENCH_PORT_BASE, DEFAULT_BENCH_STACK } from './lib/stacks.ts';
import { renderTable } from './lib/table.ts';
import { allMeasures, MEASURE_NAMES } from './measures/index.ts';

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
  containers   the containers provider on built images: image check, cold start → RUNNING, reset, stop
               (stack NAME-containers on port base + 800; needs a Docker engine)

The record (bench/record.json) keeps every measure's latest figures with the commit they ran on, whether the
tree was clean, the machine and its load; a run merges its measures into it and regenerates the table in
docs/performance.md. Commit first: figures from a tree with uncommitted changes are marked DIRTY TREE.

Options:
  --only a,b        run only these measures (the record keeps the others' figures, with their own commits)
  --runs N          runs per measure, medians reported (default 3)
  --quick           fewer rows and shorter runs: a smoke run, not figures to quote (not recorded without --out)
  --name NAME       the benchmark's stack name (default "${DEFAULT_BENCH_STACK}")
  --port-base N     its port block (default ${DEFAULT_BENCH_PORT_BASE}; other engineers' stacks use 17400–17999)
  --reuse NAME      run the stack measures on this running stack instead of starting one (left running)
  --keep            leave the last cold-start stack running (stop it with \`outbox-chaos down --name NAME\`)
  --no-warmup       no discarded warm-up start before the cold starts
  --no-peer         no stock peer starts beside the cold starts (its stack is NAME-peer on port base + 200)
  --out FILE        the record to merge into (default bench/record.json; only that one regenerates the docs)
  --print           measure nothing: print the record as a table (--markdown: the table of docs/performance.md)
  --compare FILE    measure nothing: each figure of the record (or --out FILE) against an earlier record or
                    results file, e.g. \`git show HEAD~3:bench/record.json > /tmp/old.json\`
  --threshold PCT   how far a figure must move to count as a regression or improvement (default
                    ${DEFAULT_THRESHOLD * 100}: the same code moved by up to 13 % between two sessions on the 2-core
                    reference machine)
  --fail-on-regression  with --compare: exit 1 when a figure regressed beyond the threshold (otherwise exit 0)`;

function readRecordFile(file: string, hint = 'run `npm run bench` first'): BenchRecord {
  if (!existsSync(file)) throw new RecordError(`no record ${file}; ${hint}`);
  return parseRecord(readFileSync(file, 'utf8'), file);
}

/** Loud, because figures from uncommitted code cannot be reproduced from the commit they name. */
function dirtyBanner(tree: TreeState): string {
  const bar = '!'.repeat(100);
  return [
    bar,
    `!! DIRTY TREE: the code measured is ${tree.commit ?? '?'} plus uncommitted changes; the record marks these`,
    '!! figures as such. Commit (or stash) and run again for figures that hold:',
    ...tree.changes.map((c) => `!!   ${c}`),
    bar,
  ].join('\n');
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
        compare: { type: 'string' },
        threshold: { type: 'string' },
        'fail-on-regression': { type: 'boolean' },
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
  const out = typeof values.out === 'string' ? resolve(values.out) : RECORD_FILE;
  if (typeof values.compare === 'string') return compare(values.compare, out, values);
  if (values['fail-on-regression'] || values.threshold !== undefined) {
    console.error('bench: --fail-on-regression and --threshold go with --compare FILE');
    return 2;
  }
  if (values.print || values.markdown) {
    let record: BenchRecord;
    try {
      record = readRecordFile(out);
    } catch (err) {
      console.error(`bench: ${errorMessage(err)}`);
      return 2;
    }
    const entries = Object.values(record.measures);
    console.log(
      values.markdown
        ? recordMarkdown(record, MEASURE_NAMES)
        : entries.length
          ? renderTable(entries, { cores: entries.find((e) => e.machine)?.machine?.cores ?? machineFacts().cores })
          : `${out} holds no measure yet (it began at ${record.since.commit ?? record.since.date})`,
    );
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
  const all = allMeasures({
    keep: values.keep === true,
    warmup: values['no-warmup'] !== true,
    peer: values['no-peer'] !== true,
  });
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
  const quick = values.quick === true;
  // A smoke run's figures are not to be quoted: they go into the record only when asked for by --out.
  const record = !quick || typeof values.out === 'string';
  // The previous record is read before measuring: a damaged one stops the run instead of being overwritten.
  let previous: BenchRecord | null = null;
  if (record && existsSync(out)) {
    try {
      previous = readRecordFile(out);
    } catch (err) {
      console.error(`bench: ${errorMessage(err)}; fix or move it, or pass --out FILE`);
      return 2;
    }
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
    quick,
    stacks,
    log: (msg) => process.stderr.write(`${msg}\n`),
    shared: new Map(),
  };

  // The bench's own outputs do not make the measured code dirty.
  const tree = (): TreeState => treeState(PROJECT_ROOT, [out, RECORD_FILE, PERFORMANCE_DOC]);
  const startTree = tree();
  if (startTree.clean === false) ctx.log(dirtyBanner(startTree));
  const machine = machineFacts();
  const invocation = { runs, quick: ctx.quick, stack: stacks.plan.name, reuse: stacks.plan.reuse ?? null };
  const start = loadNow();
  const entries: RecordEntry[] = [];
  let failed = 0;
  try {
    for (const m of selected) {
      ctx.log(`\n▶ bench ${m.name}: ${m.title} (load ${start.load.join(' / ')} → now ${loadNow().load.join(' / ')})`);
      const loadBefore = loadNow();
      const at = tree();
      const t0 = Date.now();
      let r: MeasureRecord;
      try {
        if (m.needsStack) await stacks.get();
        r = {
          name: m.name,
          title: m.title,
          startedAt: new Date(t0).toISOString(),
          durationMs: Date.now() - t0,
          loadBefore,
          loadAfter: loadNow(),
          invocation,
          ...(await m.run(ctx)),
        };
        r.durationMs = Date.now() - t0;
        r.loadAfter = loadNow();
      } catch (err) {
        failed++;
        ctx.log(`✗ bench ${m.name} failed: ${errorMessage(err)}`);
        r = {
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
      entries.push(entryOf(r, at, machine));
    }
  } finally {
    await stacks.stopOwned();
    off();
  }

  const cores = machine.cores;
  if (!record) {
    console.log(`\n${renderTable(entries, { cores })}`);
    console.log('\n--quick: figures not recorded (pass --out FILE to keep them)');
    return failed ? 1 : 0;
  }
  const merged = mergeRecord(
    previous,
    entries,
    { commit: startTree.commit, date: new Date().toISOString() },
    all.map((m) => m.name),
  );
  writeFileSync(out, recordJson(merged));
  console.log(`\n${renderTable(Object.values(merged.measures), { cores })}`);
  console.log(`\nmerged into ${out}`);
  if (out === RECORD_FILE) {
    const page = readFileSync(PERFORMANCE_DOC, 'utf8');
    const next = withTable(page, recordMarkdown(merged, MEASURE_NAMES));
    if (next !== page) {
      writeFileSync(PERFORMANCE_DOC, next);
      console.log(`regenerated the table in ${PERFORMANCE_DOC}`);
    }
  }
  const dirty = entries.filter((e) => e.clean === false);
  if (dirty.length) {
    console.log(`\n${dirtyBanner({ ...startTree, changes: dirty[0]!.changes ?? [] })}`);
    console.log(`(measured on a dirty tree: ${dirty.map((e) => e.name).join(', ')})`);
  }
  return failed ? 1 : 0;
}

function compare(file: string, out: string, values: Record<string, string | boolean | undefined>): number {
  const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : Number(values.threshold) / 100;
  if (!Number.isFinite(threshold) || threshold <= 0) {
    console.error(`bench: --threshold must be a percentage above 0, got ${String(values.threshold)}`);
    return 2;
  }
  let before: BenchRecord;
  let now: BenchRecord;
  try {
    before = readRecordFile(resolve(file), 'e.g. `git show HEAD~3:bench/record.json > /tmp/old.json`');
    now = readRecordFile(out);
  } catch (err) {
    console.error(`bench: ${errorMessage(err)}`);
    return 2;
  }
  const rows = compareRecords(before, now, threshold);
  const name = before.legacy ? `${file} (an earlier results file: most of its commits are unknown)` : file;
  console.log(renderComparison(rows, name, threshold));
  return values['fail-on-regression'] && regressions(rows).length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
