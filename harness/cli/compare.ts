import { providerFlags } from '../provider/traits.ts';
import { renderComparisonMarkdown } from '../report/compare.ts';
import { writeSuite } from '../report/suite/write.ts';
import { pipelineName, runComparison, type CompareColumn } from '../scenario/compare.ts';
import { loadScenario } from '../scenario/load.ts';
import { parseVersions, type ComponentPins } from '../provision/component-versions.ts';
import type { PgMajor } from '../provision/pg-versions.ts';
import { ConfigError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { durationOpt, intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import {
  componentsFor,
  postgresFor,
  refuseOpenSearchMajor,
  resolveVersionsFor,
  VERSIONS_HELP,
  VERSIONS_OPTIONS,
  versionsFlag,
  versionsOpt,
} from './versions-args.ts';
import { openForCommand } from './on-provider.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';

/** Where `compare --versions A --versions B` starts its stacks, one set after another (clear of `up`'s default). */
export const COMPARE_PORT_BASE = 18400;

export const COMPARE_HELP =
  `outbox-chaos compare <scenario>... --pipelines ` +
  `DIR,DIR[,DIR...] [--seed N] [--duration S] [--rate R] [--keep]
                        [--name NAME] [--port-base N] [--versions C=V,...]
                        [--provider local|containers|external] [--env FILE]
       outbox-chaos compare <scenario>... --versions C=V,... --versions C=V,...[ --versions ...]
                        [--pipelines DIR] [--seed N] [--duration S] [--rate R] [--name NAME] [--port-base N]

Runs each scenario against each pipeline definition, one after another on one stack, with the same seed,
workload and fault schedule, and writes one side-by-side report: reports/compare-<time>-<scenario>/
(compare.md, printed too; index.html; compare.json), plus a suite report over the runs
(reports/suite-<time>-compare/). Each run keeps its own run directory. Use it to weigh pipeline kinds
against each other (connectors/dual-write, connectors, connectors/outbox) or a pipeline before and after a
config change.

With --versions given two or more times, the columns are version sets instead (an upgrade you plan: e.g.
--versions debezium=3.6.1.Final --versions debezium=3.4.x.Final): each set gets a fresh local stack of its
own (NAME-1, NAME-2, …, one after another on one port block), runs every scenario with the same seed and
schedule, and is stopped; the page is the matrix of scenario × version set, and each run's report names the
exact versions it ran.

For each pipeline and scenario: the verdict, the anomalies per class, the time to convergence, end-to-end
lag p50/p99, the pipeline's throughput, the workload's rate and the versions it ran.

  --pipelines LIST  two or more definition directories, comma-separated, in column order (with several
                    --versions: one directory, default connectors/)
  --seed N          workload and fault-schedule seed for every run (default: each scenario's)
  --duration S      workload duration in seconds (default: the scenario's)
  --rate R          target operations per second (default: the scenario's)
  --keep            leave a local stack this command started running (not with several --versions)
${STACK_HELP}
                    With several --versions: the stacks' name prefix (default compare) and port base
                    (default ${COMPARE_PORT_BASE})
${VERSIONS_HELP}
                    Once: one set for every run (the stack this command starts or finds runs it). Two or
                    more times: one column per occurrence (commas join components within one set)
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 every run did what its scenario expects, 1 at least one did not (as dual-write does under
es-outage: that is the finding the comparison shows), 2 bad usage, 3 environment failure.`;

/** One version set of `--versions A --versions B`, checked and resolved. */
interface VersionSet {
  postgresMajor?: PgMajor;
  pins?: ComponentPins;
  /** What differs, as a column heading and in replays: "debezium=3.4.3.Final". */
  label: string;
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('compare', argv, {
    ...STACK_OPTIONS,
    ...PROVIDER_OPTIONS,
    ...VERSIONS_OPTIONS,
    pipelines: { type: 'string' },
    seed: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    keep: { type: 'boolean' },
  });
  if (values.help) {
    console.log(COMPARE_HELP);
    return 0;
  }
  // Every input is checked, and every problem reported, before anything starts.
  const check = new InputCheck();
  if (positionals.length === 0)
    check.add(
      new ConfigError('compare: which scenario?', 'name one or more (`outbox-chaos list` shows the catalogue)'),
    );
  const pipelines = String(values.pipelines ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const setArgs = ((values.versions as string[] | undefined) ?? []).filter((v) => v.trim());
  const byVersions = setArgs.length >= 2;
  if (byVersions && pipelines.length > 1)
    check.add(
      new ConfigError(
        'compare varies one thing at a time: several --pipelines and several --versions were given',
        'compare version sets on one definition (--pipelines DIR), or definitions on one version set',
      ),
    );
  else if (!byVersions && pipelines.length < 2)
    check.add(
      new ConfigError(
        'compare needs --pipelines with at least two definition directories, or --versions two or more times',
        'e.g. --pipelines connectors/dual-write,connectors/outbox, or --versions debezium=3.6.1.Final ' +
          '--versions debezium=3.4.x.Final',
      ),
    );
  if (byVersions && values.keep === true)
    check.add(new ConfigError('--keep keeps one stack; compare --versions starts one per set', 'drop --keep'));
  for (const p of pipelines) check.definition(p, '--pipelines');
  const seed = check.take(() => intOpt(values.seed, '--seed'));
  const durationS = check.take(() => durationOpt(values.duration, '20'));
  const rate = check.take(() => intOpt(values.rate, '--rate'));
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const scenarios = positionals.flatMap((n) => check.take(() => [loadScenario(n)], []));
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  const asked = byVersions
    ? setArgs.map((a, i) => check.take(() => parseVersions([a], `--versions (set ${i + 1})`), {}))
    : [check.take(() => versionsOpt(values), {})];
  const unresolved = asked.map((versions) => {
    check.take(() => refuseOpenSearchMajor(versions, 'compare'));
    return {
      postgresMajor: check.take(() => postgresFor(versions.postgres, scenarios, choice)),
      components: check.take(() => componentsFor(versions, scenarios, choice), {}),
    };
  });
  check.provider(choice);
  check.done();
  const sets: VersionSet[] = [];
  for (const u of unresolved) {
    const pins = await resolveVersionsFor(u.components);
    sets.push({
      postgresMajor: u.postgresMajor,
      pins,
      label: versionsFlag(u.postgresMajor, pins).replace(/^--versions /, ''),
    });
  }
  if (byVersions && new Set(sets.map((v) => v.label)).size < sets.length)
    throw new ConfigError(
      `two --versions sets resolve to the same versions (${sets.map((v) => v.label).join(' vs ')})`,
      'name versions that differ, e.g. an exact version instead of a pattern matching the other one',
    );

  const common = [
    seed !== undefined ? `--seed ${seed}` : '',
    durationS !== undefined ? `--duration ${durationS}` : '',
    rate !== undefined ? `--rate ${rate}` : '',
    ...providerFlags(choice, { destructive: false }),
  ].filter(Boolean);
  const one = sets[0]!;
  const replay = [
    'npx outbox-chaos compare',
    ...positionals,
    byVersions
      ? [...(pipelines[0] ? [`--pipelines ${pipelines[0]}`] : []), ...sets.map((v) => `--versions ${v.label}`)].join(
          ' ',
        )
      : [`--pipelines ${pipelines.join(',')}`, versionsFlag(one.postgresMajor, one.pins)].filter(Boolean).join(' '),
    ...common,
  ].join(' ');
  const columns: (CompareColumn & { set: VersionSet })[] = byVersions
    ? sets.map((set) => ({ label: set.label, dir: pipelines[0], set }))
    : pipelines.map((dir) => ({ label: pipelineName(dir), dir, set: one }));
  const name = values.name as string | undefined;
  // Definitions share one stack, opened for the first column and released after the last; version sets get one
  // each, released once its runs are done.
  let shared: Awaited<ReturnType<typeof openForCommand>> | undefined;
  const open = async (column: CompareColumn, i: number) => {
    const { set } = columns[i]!;
    const opts = { postgresMajor: set.postgresMajor, components: set.pins };
    if (byVersions)
      return openForCommand(
        choice,
        { ...opts, name: `${name ?? 'compare'}-${i + 1}`, portBase: portBase ?? COMPARE_PORT_BASE },
        false,
      );
    shared ??= await openForCommand(choice, { ...opts, name, portBase }, values.keep === true);
    return { provider: shared.provider, release: async () => {} };
  };
  const abort = interruptGuard();
  let out;
  try {
    out = await runComparison({
      scenarios,
      columns,
      open,
      ...(byVersions
        ? {
            conditions:
              'Each scenario ran once per version set, each set on a fresh stack of its own, one set after another, ' +
              'with the same seed, workload and fault schedule.',
          }
        : {}),
      seed,
      durationMs: durationS !== undefined ? durationS * 1000 : undefined,
      ratePerSec: rate,
      signal: abort.signal,
      replay,
      runReplay: (s, sd, column) => {
        const { set } = columns.find((c) => c.label === column.label)!;
        return [
          'npx outbox-chaos run',
          s.name,
          `--seed ${sd}`,
          ...(column.dir ? [`--connectors ${column.dir}`] : []),
          ...common.filter((f) => !f.startsWith('--seed')),
          versionsFlag(set.postgresMajor, set.pins),
        ]
          .filter(Boolean)
          .join(' ');
      },
      onRun: (run) => info(`  ${run.report.passed ? '✔' : '✘'} ${run.pipeline}: ${run.report.verdict} → ${run.runDir}`),
    });
  } finally {
    await shared?.release();
    abort.release();
  }
  const { comparison, results } = out;
  console.log(`\n${renderComparisonMarkdown(comparison)}`);
  info(`comparison: ${comparison.dir}/index.html (and compare.md, compare.json)`);
  const suite = writeSuite(
    comparison.scenarios.flatMap((s) =>
      s.runs.map((r) => ({
        report: r.report,
        runDir: r.runDir,
        name: `${s.scenario} · ${r.pipeline}`,
        pipeline: r.pipeline,
      })),
    ),
    { title: `compare ${positionals.join(' ')}: ${columns.map((c) => c.label).join(' vs ')}`, kind: 'compare' },
  );
  info(`suite report: ${suite}/index.html (and summary.md, junit.xml)`);
  if (abort.signal.aborted) return 130;
  return results.every((r) => r.report.passed) ? 0 : 1;
}
