import { providerFlags } from '../provider/traits.ts';
import { renderComparisonMarkdown } from '../report/compare.ts';
import { writeSuite } from '../report/suite/write.ts';
import { runComparison } from '../scenario/compare.ts';
import { loadScenario } from '../scenario/load.ts';
import { ConfigError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { durationOpt, intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import { postgresFor } from './run.ts';
import {
  componentsFor,
  refuseOpenSearchMajor,
  resolveVersionsFor,
  VERSIONS_HELP,
  VERSIONS_OPTIONS,
  versionsFlag,
  versionsOpt,
} from './versions-args.ts';
import { openForCommand } from './on-provider.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';

export const COMPARE_HELP =
  `outbox-chaos compare <scenario>... --pipelines ` +
  `DIR,DIR[,DIR...] [--seed N] [--duration S] [--rate R] [--keep]
                        [--name NAME] [--port-base N] [--versions C=V,...]
                        [--provider local|containers|external] [--env FILE]

Runs each scenario against each pipeline definition, one after another on one stack, with the same seed,
workload and fault schedule, and writes one side-by-side report: reports/compare-<time>-<scenario>/
(compare.md, printed too; index.html; compare.json), plus a suite report over the runs
(reports/suite-<time>-compare/). Each run keeps its own run directory. Use it to weigh pipeline kinds
against each other (connectors/dual-write, connectors, connectors/outbox) or a pipeline before and after a
config change.

For each pipeline and scenario: the verdict, the anomalies per class, the time to convergence, end-to-end
lag p50/p99, the pipeline's throughput and the workload's rate.

  --pipelines LIST  two or more definition directories, comma-separated, in column order
  --seed N          workload and fault-schedule seed for every run (default: each scenario's)
  --duration S      workload duration in seconds (default: the scenario's)
  --rate R          target operations per second (default: the scenario's)
  --keep            leave a local stack this command started running
${STACK_HELP}
${VERSIONS_HELP}
                    One set for every run (the stack this command starts or finds runs it)
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 every run did what its scenario expects, 1 at least one did not (as dual-write does under
es-outage: that is the finding the comparison shows), 2 bad usage, 3 environment failure.`;

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
  if (pipelines.length < 2)
    check.add(
      new ConfigError(
        'compare needs --pipelines with at least two definition directories',
        'e.g. --pipelines connectors/dual-write,connectors/outbox',
      ),
    );
  for (const p of pipelines) check.definition(p, '--pipelines');
  const seed = check.take(() => intOpt(values.seed, '--seed'));
  const durationS = check.take(() => durationOpt(values.duration, '20'));
  const rate = check.take(() => intOpt(values.rate, '--rate'));
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const scenarios = positionals.flatMap((n) => check.take(() => [loadScenario(n)], []));
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  const versions = check.take(() => versionsOpt(values), {});
  check.take(() => refuseOpenSearchMajor(versions, 'compare'));
  const postgresMajor = check.take(() => postgresFor(versions.postgres, scenarios, choice));
  const components = check.take(() => componentsFor(versions, scenarios, choice), {});
  check.provider(choice);
  check.done();
  const pins = await resolveVersionsFor(components);

  const flags = [
    seed !== undefined ? `--seed ${seed}` : '',
    durationS !== undefined ? `--duration ${durationS}` : '',
    rate !== undefined ? `--rate ${rate}` : '',
    ...providerFlags(choice, { destructive: false }),
    versionsFlag(postgresMajor, pins),
  ].filter(Boolean);
  const replay = ['npx outbox-chaos compare', ...positionals, `--pipelines ${pipelines.join(',')}`, ...flags].join(' ');
  const opts = { name: values.name as string | undefined, portBase, postgresMajor, components: pins };
  const { provider, release } = await openForCommand(choice, opts, values.keep === true);
  const abort = interruptGuard();
  let out;
  try {
    out = await runComparison({
      scenarios,
      pipelines,
      provider,
      seed,
      durationMs: durationS !== undefined ? durationS * 1000 : undefined,
      ratePerSec: rate,
      signal: abort.signal,
      replay,
      runReplay: (s, sd, p) =>
        [
          'npx outbox-chaos run',
          s.name,
          `--seed ${sd}`,
          `--connectors ${p}`,
          ...flags.filter((f) => !f.startsWith('--seed')),
        ].join(' '),
      onRun: (run) => info(`  ${run.report.passed ? '✔' : '✘'} ${run.pipeline}: ${run.report.verdict} → ${run.runDir}`),
    });
  } finally {
    await release();
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
    { title: `compare ${positionals.join(' ')}: ${pipelines.join(' vs ')}`, kind: 'compare' },
  );
  info(`suite report: ${suite}/index.html (and summary.md, junit.xml)`);
  if (abort.signal.aborted) return 130;
  return results.every((r) => r.report.passed) ? 0 : 1;
}
