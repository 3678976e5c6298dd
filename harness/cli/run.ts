import { ScenarioSkipped } from '../faults/capabilities.ts';
import { type ProviderChoice, openProvider } from '../provider/open.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { writeSuite } from '../report/suite/write.ts';
import { loadScenario, listScenarios } from '../scenario/load.ts';
import { runScenario, type RunOptions, type RunResult } from '../scenario/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { PgMajor } from '../provision/pg-versions.ts';
import { shrinkFailingRun } from '../scenario/shrink-run.ts';
import { ConfigError } from '../util/errors.ts';
import { info, warn } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import { VERSIONS_HELP, VERSIONS_OPTIONS, versionsOpt } from './versions-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';

export const RUN_HELP = `outbox-chaos run <scenario>|--all [--seed N] [--duration S] [--rate R] [--connectors DIR] [--shrink] [--keep]
                    [--name NAME] [--port-base N] [--topology single|cluster] [--versions postgres=N]
                    [--provider local|containers|external] [--env FILE] [--allow-destructive]

Runs a named scenario (scenarios/<name>.yaml, or a path to a scenario file): resets the pipeline, drives the
randomized workload while the scenario's faults come and go, heals everything, then checks that
Elasticsearch converges to Postgres within the budget. Writes reports/<run-id>/ (report.json, report.md,
index.html, junit.xml, history.jsonl, samples.jsonl, timeline.jsonl, logs/) and points reports/latest at it.
With more than one scenario (--all, or several names), also a suite report over them: reports/suite-<time>-run/
(index.html, summary.md, junit.xml with a testcase per scenario, suite.json), reports/latest-suite.

Local provider: uses the stack that \`up --detach\` left running; otherwise starts one and stops it at the end
(--keep leaves it up). Containers: starts the containers and removes them at the end. External: runs on the
environment the env file names, creating only objects tagged with the run (and removing them afterwards).
A scenario with a fault the provider cannot inject (a process fault on external) is skipped, with the reason.
A local stack another live command holds (a foreground \`up\`, another \`run\`) is refused with exit 3.

Ctrl-C (or SIGTERM) heals every fault the run started, writes its partial report marked \`interrupted\`,
stops a stack this command started, and exits 130 (143). A service that exits outside a fault ends the run
the same way, with exit 3 naming it, how it ended and its last log lines.

  --seed N          workload and fault-schedule seed (default: the scenario's)
  --duration S      workload duration in seconds (default: the scenario's)
  --rate R          target operations per second (default: the scenario's; 0 = as fast as possible)
  --connectors DIR  pipeline definition to test (default: connectors/)
  --all             run every scenario of the catalogue, one after another, on one stack
  --shrink          when a random-chaos run (randomFaults) fails, re-run it with smaller fault schedules
                    (drop faults, then halve durations; at most 12 re-runs, each a full run) and print the
                    smallest schedule that still fails, with a command replaying it exactly
  --keep            leave a local stack this command started running; on external, leave the run's objects
${STACK_HELP}
${TOPOLOGY_HELP}
                    Without it, a stack this command starts is a cluster when every scenario named says
                    \`topology: cluster\`; --all runs the scenarios written for the stack's topology (a
                    cluster also runs the single ones: plain targets stand for broker 1, worker 1, the primary)
${VERSIONS_HELP}
                    Without it, a stack this command starts runs what the scenarios' \`versions:\` say
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 every run passed (verdict as expected, within budget), 1 a verdict failed,
2 bad usage or scenario, 3 environment failure, 4 nothing failed but a scenario was skipped.`;

function replayCommand(
  s: Scenario,
  seed: number,
  o: {
    duration?: number;
    rate?: number;
    connectors?: string;
    choice: ProviderChoice;
    cluster?: boolean;
    postgres?: string;
  },
): string {
  const parts = ['npx outbox-chaos run', s.name, `--seed ${seed}`];
  if (o.cluster && s.topology !== 'cluster') parts.push('--topology cluster');
  if (o.postgres && o.postgres !== s.versions?.postgres) parts.push(`--versions postgres=${o.postgres}`);
  if (o.choice.kind !== 'local') parts.push(`--provider ${o.choice.kind}`);
  if (o.choice.env) parts.push(`--env ${o.choice.env}`);
  if (o.choice.allowDestructive) parts.push('--allow-destructive');
  if (o.duration !== undefined) parts.push(`--duration ${o.duration}`);
  if (o.rate !== undefined) parts.push(`--rate ${o.rate}`);
  if (o.connectors) parts.push(`--connectors ${o.connectors}`);
  return parts.join(' ');
}

/**
 * The Postgres major a local stack should run: --versions, else what the scenarios' `versions:` agree on.
 * Scenarios asking for different majors cannot share one stack, and other providers run their own versions.
 */
export function postgresFor(
  asked: PgMajor | undefined,
  scenarios: Scenario[],
  choice: ProviderChoice,
): PgMajor | undefined {
  const wanted = [...new Set(scenarios.map((s) => s.versions?.postgres).filter((v) => v !== undefined))];
  if (choice.kind !== 'local') {
    if (asked !== undefined)
      throw new ConfigError(
        `--versions is for the local provider; --provider ${choice.kind} runs its own versions`,
        'drop --versions, or use --provider local',
      );
    return undefined;
  }
  if (asked !== undefined || wanted.length === 0) return asked;
  if (wanted.length > 1)
    throw new ConfigError(
      `the scenarios ask for different Postgres majors (${wanted.join(', ')}); one stack runs one`,
      'run them separately, or choose one with --versions postgres=N',
    );
  return wanted[0];
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    ...STACK_OPTIONS,
    seed: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    connectors: { type: 'string' },
    all: { type: 'boolean' },
    keep: { type: 'boolean' },
    shrink: { type: 'boolean' },
    ...TOPOLOGY_OPTIONS,
    ...VERSIONS_OPTIONS,
    ...PROVIDER_OPTIONS,
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const names = values.all ? listScenarios().map((s) => s.name) : positionals;
  if (names.length === 0)
    throw new ConfigError('run: which scenario?', `name one (\`outbox-chaos list\` shows the catalogue) or pass --all`);
  const seed = intOpt(values.seed, '--seed');
  const durationS = intOpt(values.duration, '--duration');
  const rate = intOpt(values.rate, '--rate');
  if (durationS !== undefined && durationS <= 0)
    throw new ConfigError('--duration must be a positive number of seconds', 'e.g. --duration 60');
  const connectors = values.connectors as string | undefined;
  // Load (and validate) every scenario before touching the stack.
  const loaded = names.map((n) => loadScenario(n));
  const asked = topologyOpt(values);
  const topology = asked ?? (loaded.every((s) => s.topology === 'cluster') ? 'cluster' : 'single');

  const choice = providerChoice(values);
  const postgresMajor = postgresFor(versionsOpt(values).postgres, loaded, choice);
  const { provider, owned } = await openProvider(choice, {
    name: values.name as string | undefined,
    portBase: intOpt(values['port-base'], '--port-base'),
    connectors,
    topology,
    topologyExplicit: asked !== undefined,
    postgresMajor,
  });
  // --all: the catalogue for the stack it runs on; a single stack leaves the cluster's scenarios out, saying so.
  const onCluster = provider.topology === 'cluster' || choice.kind === 'external';
  const scenarios = values.all && !onCluster ? loaded.filter((s) => s.topology !== 'cluster') : loaded;
  if (scenarios.length < loaded.length)
    info(
      `  --all on a single stack: ${loaded.length - scenarios.length} cluster scenario(s) left out (${loaded
        .filter((s) => s.topology === 'cluster')
        .map((s) => s.name)
        .join(', ')}); \`run --all --topology cluster\` runs them`,
    );
  const leave = owned && !(values.keep && choice.kind === 'local');
  // Ctrl-C / SIGTERM: the run in progress heals every fault and writes its partial report (marked
  // interrupted), what this command started is stopped below, and only then does the process exit.
  const abort = interruptGuard();
  const results: RunResult[] = [];
  const skipped: ScenarioSkipped[] = [];
  try {
    for (const scenario of scenarios) {
      if (abort.signal.aborted) break;
      const s = seed ?? scenario.seed;
      const opts: RunOptions = {
        scenario,
        provider,
        allowDestructive: choice.allowDestructive,
        keepObjects: values.keep === true,
        connectorsDir: connectors,
        seed: s,
        durationMs: durationS !== undefined ? durationS * 1000 : undefined,
        ratePerSec: rate,
        replay: replayCommand(scenario, s, {
          duration: durationS,
          rate,
          connectors,
          choice,
          cluster: provider.topology === 'cluster',
          postgres: choice.kind === 'local' ? provider.versions.postgres?.split('.')[0] : undefined,
        }),
        signal: abort.signal,
      };
      let r: RunResult;
      try {
        r = await runScenario(opts);
      } catch (err) {
        if (!(err instanceof ScenarioSkipped)) throw err;
        skipped.push(err);
        warn(`⊘ ${err.message}`);
        continue;
      }
      results.push(r);
      console.log(`\n${renderMarkdown(r.report)}`);
      info(`report: ${r.runDir}/index.html`);
      if (values.shrink && !r.report.passed && scenario.randomFaults && !abort.signal.aborted)
        await shrinkFailingRun(opts, r);
    }
  } finally {
    if (leave) await provider.stop();
    abort.release();
  }
  if (results.length + skipped.length > 1) {
    const suite = writeSuite(
      results.map((r) => ({ report: r.report, runDir: r.runDir })),
      {
        title: values.all ? 'run --all' : `run ${names.join(' ')}`,
        kind: 'run',
        skipped: skipped.map((k) => ({ name: k.scenario, reason: k.reasons.join('; ') })),
      },
    );
    info(`\nsuite report: ${suite}/index.html (and summary.md, junit.xml)`);
    info('\nsummary:');
    for (const r of results)
      info(
        `  ${r.report.passed ? '✔' : '✘'} ${r.report.scenario.padEnd(24)} ${r.report.verdict.padEnd(15)} ${r.runDir}`,
      );
    for (const k of skipped) info(`  ⊘ ${k.scenario.padEnd(24)} skipped         ${k.reasons.join('; ')}`);
  }
  if (!results.every((r) => r.report.passed)) return 1;
  return skipped.length ? 4 : 0;
}
