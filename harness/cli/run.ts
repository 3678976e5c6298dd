import { listScenarios, loadScenario } from '../scenario/load.ts';
import { takeShard } from '../scenario/shard.ts';
import { ConfigError } from '../util/errors.ts';
import { durationOpt, intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import { SHARD_HELP, shardOpt } from './shard-args.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import { resolveVersionsFor, stackChoices, VERSIONS_HELP, VERSIONS_OPTIONS } from './versions-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';
import { SEARCH_HELP, SEARCH_OPTIONS } from './search-args.ts';

export const RUN_HELP =
  `outbox-chaos run <scenario>|--all [--shard I/N [--timings FILE]] [--seed N] ` +
  `[--duration S] [--rate R]
                    [--connectors DIR] [--shrink] [--keep] [--name NAME] [--port-base N]
                    [--topology single|cluster] [--search elasticsearch|opensearch] [--versions C=V,...]
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
${SHARD_HELP}
  --shrink          when a random-chaos run (randomFaults) fails, re-run it with smaller fault schedules
                    (drop faults, then halve durations; at most 12 re-runs, each a full run) and print the
                    smallest schedule that still fails, with a command replaying it exactly
  --keep            leave a local stack this command started running; on external, leave the run's objects
${STACK_HELP}
${TOPOLOGY_HELP}
${SEARCH_HELP}
                    Without it, a stack this command starts is a cluster when every scenario named says
                    \`topology: cluster\`; --all runs the scenarios written for the stack's topology (a
                    cluster also runs the single ones: plain targets stand for broker 1, worker 1, the primary)
${VERSIONS_HELP}
                    Without it, a stack this command starts runs what the scenarios' \`versions:\` say
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 every run passed (verdict as expected, within budget), 1 a verdict failed,
2 bad usage or scenario, 3 environment failure, 4 nothing failed but a scenario was skipped.`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    ...STACK_OPTIONS,
    seed: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    connectors: { type: 'string' },
    all: { type: 'boolean' },
    shard: { type: 'string' },
    timings: { type: 'string' },
    keep: { type: 'boolean' },
    shrink: { type: 'boolean' },
    ...TOPOLOGY_OPTIONS,
    ...VERSIONS_OPTIONS,
    ...SEARCH_OPTIONS,
    ...PROVIDER_OPTIONS,
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  // Every input is checked, and every problem reported, before anything starts.
  const check = new InputCheck();
  const names = values.all ? listScenarios().map((s) => s.name) : positionals;
  if (names.length === 0)
    check.add(
      new ConfigError('run: which scenario?', `name one (\`outbox-chaos list\` shows the catalogue) or pass --all`),
    );
  const seed = check.take(() => intOpt(values.seed, '--seed'));
  const durationS = check.take(() => durationOpt(values.duration, '60'));
  const rate = check.take(() => intOpt(values.rate, '--rate'));
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const connectors = values.connectors as string | undefined;
  const named = names.flatMap((n) => check.take(() => [loadScenario(n)], []));
  const shard = check.take(() => shardOpt(values.shard, values.timings));
  const asked = check.take(() => topologyOpt(values));
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  const { versions, postgresMajor, components, search } = stackChoices(check, values, connectors, named, choice);
  check.provider(choice);
  if (connectors !== undefined) check.definition(connectors, '--connectors');
  check.done();
  const pins = await resolveVersionsFor(components);
  // The topology from every scenario named, so that all shards of one command start the same kind of stack.
  const topology = asked ?? (named.every((s) => s.topology === 'cluster') ? 'cluster' : 'single');

  const share = shard && takeShard(named, shard.shard, shard.recordedMs);
  if (share && share.scenarios.length === 0) {
    console.log(`shard ${shard.shard.index}/${shard.shard.count}: no scenario falls to it (${named.length} split)`);
    return 0;
  }

  const { runScenarios } = await import('./run-scenarios.ts');
  return runScenarios({
    scenarios: share?.scenarios ?? named,
    shard: share?.record,
    names,
    all: values.all === true,
    keep: values.keep === true,
    shrink: values.shrink === true,
    seed,
    durationS,
    rate,
    connectors,
    choice,
    local: {
      name: values.name as string | undefined,
      portBase,
      connectors,
      topology,
      topologyExplicit: asked !== undefined,
      search,
      postgresMajor,
      components: pins,
      opensearchMajor: versions.opensearch,
    },
  });
}
