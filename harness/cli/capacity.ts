import { runCapacity } from '../scenario/capacity/run.ts';
import { ConfigError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import { openForCommand } from './on-provider.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';
import { SEARCH_HELP, SEARCH_OPTIONS } from './search-args.ts';
import { resolveVersionsFor, stackChoices, VERSIONS_HELP, VERSIONS_OPTIONS } from './versions-args.ts';

export const CAPACITY_HELP = `outbox-chaos capacity [--connectors DIR] [--from R] [--max R] [--step S] [--lag-budget MS]
                      [--seed N] [--topology single|cluster] [--search E] [--versions C=V,...]
                      [--name NAME] [--port-base N]
                      [--provider local|containers|external] [--env FILE]

How much load the pipeline takes, and which hop gives out first. A stepped-load search: each step is a real run
of the seeded baseline workload at the offered rate (workers growing with it: one per 200 ops/s, 2 to 16),
judged sustained when the verdict is converged, the end-to-end lag p99 of the step is within the budget, the
workload achieved at least 90 % of the offered rate, and neither the replication slot's backlog nor the sink's
consumer lag kept growing over the step. The rate doubles from --from until a step is not sustained or --max is
reached, then two more steps bisect between the last sustained and the first failed rate. Each step also times
the lag probe's markers in the sink's topic, splitting the lag into commit → in Kafka (source) and in Kafka →
searchable (sink). Prints a table per step and the result; writes reports/capacity-<time>/ (capacity.json,
capacity.md, index.html with a chart); each step keeps its own run directory.

Local provider: uses the stack that \`up --detach\` left running; otherwise starts one and stops it at the end.

  --connectors DIR  pipeline definition to measure (default: connectors/)
  --from R          first offered rate, ops/s (default 100)
  --max R           highest offered rate, ops/s (default 6400)
  --step S          workload duration of each step in seconds (default 20)
  --lag-budget MS   end-to-end lag p99 a sustained step stays within, ms (default: the baseline's, 10000)
  --seed N          workload seed (default: the baseline's)
${TOPOLOGY_HELP}
${SEARCH_HELP}
${VERSIONS_HELP}
                    Compare two versions' headroom with two capacity runs, each on a stack of its own
${STACK_HELP}
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 a sustained rate was found, 1 not even --from was sustained, 2 bad usage,
3 environment failure.`;

function positive(v: number | undefined, flag: string, example: string): number | undefined {
  if (v !== undefined && v <= 0)
    throw new ConfigError(`${flag} must be more than 0, got ${v}`, `e.g. ${flag} ${example}`);
  return v;
}

export async function capacityCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('capacity', argv, {
    ...STACK_OPTIONS,
    ...PROVIDER_OPTIONS,
    ...TOPOLOGY_OPTIONS,
    ...SEARCH_OPTIONS,
    ...VERSIONS_OPTIONS,
    connectors: { type: 'string' },
    from: { type: 'string' },
    max: { type: 'string' },
    step: { type: 'string' },
    'lag-budget': { type: 'string' },
    seed: { type: 'string' },
  });
  if (values.help) {
    console.log(CAPACITY_HELP);
    return 0;
  }
  const check = new InputCheck();
  if (positionals.length)
    check.add(new ConfigError(`capacity takes no arguments, got "${positionals.join(' ')}"`, 'see --help'));
  const from = check.take(() => positive(intOpt(values.from, '--from'), '--from', '100')) ?? 100;
  const max = check.take(() => positive(intOpt(values.max, '--max'), '--max', '6400')) ?? 6400;
  if (max < from) check.add(new ConfigError(`--max ${max} is below --from ${from}`, 'raise --max or lower --from'));
  const stepS = check.take(() => positive(intOpt(values.step, '--step'), '--step', '20')) ?? 20;
  const lagBudgetMs = check.take(() => positive(intOpt(values['lag-budget'], '--lag-budget'), '--lag-budget', '5000'));
  const seed = check.take(() => intOpt(values.seed, '--seed'));
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const topology = check.take(() => topologyOpt(values));
  const connectors = values.connectors as string | undefined;
  if (connectors !== undefined) check.definition(connectors, '--connectors');
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  check.provider(choice);
  const { versions, postgresMajor, components, search } = stackChoices(check, values, connectors, [], choice);
  check.done();
  const pins = await resolveVersionsFor(components);

  const { provider, release } = await openForCommand(
    choice,
    {
      name: values.name as string | undefined,
      portBase,
      connectors,
      topology,
      topologyExplicit: topology !== undefined,
      search,
      postgresMajor,
      components: pins,
      opensearchMajor: versions.opensearch,
    },
    false,
  );
  const abort = interruptGuard();
  let out;
  try {
    out = await runCapacity({
      provider,
      connectorsDir: connectors,
      plan: { from, max, bisections: 2 },
      stepMs: stepS * 1000,
      lagBudgetMs,
      seed,
      signal: abort.signal,
    });
  } finally {
    await release();
    abort.release();
  }
  info(`capacity: ${out.dir}/index.html (and capacity.md, capacity.json)`);
  if (abort.signal.aborted) return 130;
  return out.record.sustained ? 0 : 1;
}
