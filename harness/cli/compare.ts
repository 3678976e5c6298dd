import { existsSync, statSync } from 'node:fs';
import { openProvider } from '../provider/open.ts';
import { renderComparisonMarkdown } from '../report/compare.ts';
import { writeSuite } from '../report/suite/write.ts';
import { runComparison } from '../scenario/compare.ts';
import { loadScenario } from '../scenario/load.ts';
import { ConfigError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';

export const COMPARE_HELP = `outbox-chaos compare <scenario>... --pipelines DIR,DIR[,DIR...] [--seed N] [--duration S] [--rate R] [--keep]
                        [--name NAME] [--port-base N] [--provider local|containers|external] [--env FILE]

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
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 every run did what its scenario expects, 1 at least one did not (as dual-write does under
es-outage: that is the finding the comparison shows), 2 bad usage, 3 environment failure.`;

export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('compare', argv, {
    ...STACK_OPTIONS,
    ...PROVIDER_OPTIONS,
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
  if (positionals.length === 0)
    throw new ConfigError('compare: which scenario?', 'name one or more (`outbox-chaos list` shows the catalogue)');
  const pipelines = String(values.pipelines ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (pipelines.length < 2)
    throw new ConfigError(
      'compare needs --pipelines with at least two definition directories',
      'e.g. --pipelines connectors/dual-write,connectors/outbox',
    );
  for (const p of pipelines)
    if (!existsSync(p) || !statSync(p).isDirectory())
      throw new ConfigError(
        `--pipelines: ${p} is not a directory`,
        'name pipeline definition directories such as connectors/outbox',
      );
  const seed = intOpt(values.seed, '--seed');
  const durationS = intOpt(values.duration, '--duration');
  const rate = intOpt(values.rate, '--rate');
  if (durationS !== undefined && durationS <= 0)
    throw new ConfigError('--duration must be a positive number of seconds', 'e.g. --duration 20');
  const scenarios = positionals.map((n) => loadScenario(n));

  const choice = providerChoice(values);
  const flags = [
    seed !== undefined ? `--seed ${seed}` : '',
    durationS !== undefined ? `--duration ${durationS}` : '',
    rate !== undefined ? `--rate ${rate}` : '',
    choice.kind !== 'local' ? `--provider ${choice.kind}` : '',
    choice.env ? `--env ${choice.env}` : '',
  ].filter(Boolean);
  const replay = ['npx outbox-chaos compare', ...positionals, `--pipelines ${pipelines.join(',')}`, ...flags].join(' ');
  const { provider, owned } = await openProvider(choice, {
    name: values.name as string | undefined,
    portBase: intOpt(values['port-base'], '--port-base'),
  });
  const leave = owned && !(values.keep && choice.kind === 'local');
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
    if (leave) await provider.stop();
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
