import { loadDefinition, pipelineVars } from '../pipeline/definition.ts';
import { setupPipeline } from '../pipeline/lifecycle.ts';
import { defaultRunNames } from '../pipeline/run-names.ts';
import { ENV_FILE_EXAMPLE } from '../provider/external.ts';
import { openProvider, upLocal, type ProviderChoice } from '../provider/open.ts';
import { traitsOf } from '../provider/traits.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import type { Stack } from '../stack/stack.ts';
import type { Topology } from '../stack/targets.ts';
import { describeExit, superviseStack, type ServiceExit } from '../stack/supervise.ts';
import { ConfigError } from '../util/errors.ts';
import { info, step, warn } from '../util/log.ts';
import { onInterrupt } from '../util/signals.ts';
import { intOpt, parse, PLUGIN_PATH_HELP, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';
import {
  checkSearchVersions,
  componentsFor,
  resolveVersionsFor,
  searchWithVersions,
  VERSIONS_HELP,
  VERSIONS_OPTIONS,
  versionsOpt,
} from './versions-args.ts';
import { SEARCH_HELP, SEARCH_OPTIONS, searchFor } from './search-args.ts';

export const UP_HELP =
  `outbox-chaos up [--detach] [--connectors DIR] ` +
  `[--port-base N] [--name NAME] [--topology single|cluster]
                [--search elasticsearch|opensearch] [--versions C=V,...]
                [--provider local|containers|external] [--env FILE]

Provisions what is missing (Postgres, Kafka, Kafka Connect, Debezium, Elasticsearch, Toxiproxy, the sink
plugin), starts them as local processes on 127.0.0.1, creates the schema and the index, and registers both
connectors through Toxiproxy. Prints endpoints and timings.

A stack that is already running and healthy (every service answers, connectors RUNNING) is left as it is:
\`up\` says so and exits 0. One that is in use by another live command (a foreground \`up\`, a \`run\`) is
refused with exit 3, naming that command; what a crashed or killed command left is stopped and started
afresh. In the foreground, \`up\` watches every service: when one exits, it prints which, how and its last
log lines, stops the rest and exits 3 (0 when \`outbox-chaos down\` stopped the stack).

  --detach          return once the pipeline runs and leave the stack up (stop it with \`outbox-chaos down\`);
                    without it, \`up\` stays in the foreground and Ctrl-C stops everything
  --connectors DIR  pipeline definition to register (default: connectors/)
  --port-base N     first port of the block the stack uses (default 17400, or OUTBOX_CHAOS_PORT_BASE)
  --name NAME       stack name, for several stacks side by side (default "default")
${TOPOLOGY_HELP}
${SEARCH_HELP}
${VERSIONS_HELP}
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

--provider containers starts the same pipeline in Docker containers and stays in the foreground (the
containers go with the process; --detach is refused). --provider external starts nothing: it probes the
environment the env file names and prints its endpoints and the fault kinds it allows; runs then create
their own objects there. An env file looks like this:

${ENV_FILE_EXAMPLE}`;

export function printEndpoints(s: Stack): void {
  info(
    `\nstack "${s.name}" is up (provision ${(s.timings.provisionMs / 1000).toFixed(1)} s, ` +
      `start ${(s.timings.startMs / 1000).toFixed(1)} s)`,
  );
  printAddresses(s.endpoints, undefined, engineOf(s.versions));
  printCluster(s.endpoints);
  info(`  Postgres server  ${s.versions.postgres ?? '?'} (${s.versions['postgres-source'] ?? 'unknown source'})`);
  const v = s.versions;
  info(`  versions         Debezium ${v.debezium}, Kafka ${v.kafka}, ${searchLabel(v)}`);
  info(`  logs             ${s.dir}/logs/`);
}

/** The engine a local stack runs, for its address line. */
function engineOf(v: Record<string, string>): string {
  return v.opensearch ? 'OpenSearch' : 'Elasticsearch';
}

function searchLabel(v: Record<string, string>): string {
  return v.opensearch ? `OpenSearch ${v.opensearch}` : `Elasticsearch ${v.elasticsearch ?? '?'}`;
}

/** A cluster's members: brokers with their proxies, workers, the Postgres nodes. */
function printCluster(e: Endpoints): void {
  const c = e.cluster;
  if (!c) return;
  for (const b of c.brokers)
    info(
      `  ${b.member.padEnd(16)} ${b.direct} (Connect via ` +
        `proxy ${b.proxy}, replication via ${b.replicationProxy ?? '–'})`,
    );
  for (const w of c.workers) info(`  ${w.member.padEnd(16)} ${w.url}`);
  for (const p of c.postgres) info(`  ${p.member.padEnd(16)} ${p.host}:${p.port}`);
  info(`  the primary      ${e.pgUrl} (proxy pg-primary; it follows a failover)`);
}

/** `via`: how the connectors' addresses relate to the harness's (through our proxies, or as an env file says). */
function printAddresses(e: Endpoints, via = 'via proxy', engine = 'Elasticsearch'): void {
  info(`  Postgres         ${e.pgUrl}            (${via}: ${e.pgProxied.host}:${e.pgProxied.port})
  Kafka            ${e.kafkaBootstrap}   (${via}: ${e.kafkaProxied})
  Kafka Connect    ${e.connectUrl}
  ${engine.padEnd(16)} ${e.esUrl}   (${via}: ${e.esProxiedUrl})
  Toxiproxy        ${e.toxiproxyUrl || '(none)'}`);
}

/** Keeps the process (and what it owns) alive until Ctrl-C, which stops `stop` first. */
async function foreground(stop: () => Promise<void>): Promise<number> {
  onInterrupt(stop);
  // A pending promise alone does not keep Node alive; a timer does, until the interrupt handler exits.
  setInterval(() => undefined, 1 << 30);
  await new Promise<never>(() => undefined);
  return 0;
}

async function upOther(
  choice: ProviderChoice,
  o: { portBase?: number; connectors?: string; topology?: Topology },
): Promise<number> {
  if (!traitsOf(choice).startsServices) {
    const { provider } = await openProvider(choice, {});
    info(`\n${provider.label} is reachable`);
    printAddresses(provider.endpoints, 'connectors use');
    info(
      `  process faults: none; network faults ` +
        `on: ${provider.capabilities.proxies.join(', ') || 'none (no toxiproxy.proxies in the env file)'}`,
    );
    info(
      `\nNothing was started or changed. Run scenarios with \`outbox-chaos ` +
        `run <scenario> --provider external --env ${choice.env}\`.`,
    );
    return 0;
  }
  const { provider } = await openProvider(choice, { portBase: o.portBase, topology: o.topology });
  try {
    const names = defaultRunNames();
    const def = loadDefinition(o.connectors, pipelineVars(provider.endpoints, names));
    await step(`register pipeline (${def.dir})`, () => setupPipeline(provider.endpoints, def, names));
  } catch (err) {
    await provider.stop();
    throw err;
  }
  info(`\n${provider.label} is up`);
  printAddresses(provider.endpoints);
  info('\nRunning in the foreground; Ctrl-C removes the containers.');
  return foreground(() => provider.stop());
}

export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parse('up', argv, {
    ...STACK_OPTIONS,
    ...TOPOLOGY_OPTIONS,
    ...VERSIONS_OPTIONS,
    ...SEARCH_OPTIONS,
    detach: { type: 'boolean' },
    connectors: { type: 'string' },
    ...PROVIDER_OPTIONS,
  });
  if (values.help) {
    console.log(UP_HELP);
    return 0;
  }
  // Every input is checked, and every problem reported, before anything starts.
  const check = new InputCheck();
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const topology = check.take(() => topologyOpt(values));
  const connectors = values.connectors as string | undefined;
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  const versions = check.take(() => versionsOpt(values), {});
  const components = check.take(() => componentsFor(versions, [], choice), {});
  if (versions.postgres !== undefined && !traitsOf(choice).choosesVersions)
    check.add(
      new ConfigError(
        `--versions is for the local provider; --provider ${choice.kind} runs its own versions`,
        'drop --versions, or use --provider local',
      ),
    );
  check.provider(choice);
  if (connectors !== undefined) check.definition(connectors, '--connectors');
  const search = check.take(() => searchWithVersions(searchFor(values, connectors), versions.opensearch));
  check.take(() => checkSearchVersions(components, search));
  if (values.detach && traitsOf(choice).startsServices && !traitsOf(choice).detachable)
    check.add(
      new ConfigError(
        `--detach is not possible with --provider ${choice.kind}: ` +
          'the containers are removed when the harness process ends',
        `run \`outbox-chaos run <scenario> --provider ${choice.kind}\` (it starts and removes them), ` +
          `or \`up --provider ${choice.kind}\` in the foreground`,
      ),
    );
  check.done();
  if (!traitsOf(choice).detachable) return upOther(choice, { portBase, connectors, topology });
  const pins = await resolveVersionsFor(components);
  const t0 = Date.now();
  const { stack, started } = await upLocal({
    search,
    name: values.name as string | undefined,
    portBase,
    connectors,
    topology,
    topologyExplicit: topology !== undefined,
    postgresMajor: versions.postgres,
    components: pins,
    opensearchMajor: versions.opensearch,
  });
  if (!started) {
    info(
      `\nstack "${stack.name}" is already up and healthy (every service answers, connectors RUNNING); left as it is`,
    );
    printAddresses(stack.endpoints, undefined, engineOf(stack.versions));
    if (portBase !== undefined && portBase !== stack.ports.postgres)
      warn(
        `it runs on port base ${stack.ports.postgres}, not ${portBase}: ` +
          `\`outbox-chaos down --name ${stack.name}\` first to move it`,
      );
    if (values.connectors)
      warn(
        `its connectors are not re-registered from ${String(values.connectors)}: ` +
          `\`run --connectors\` registers a definition per run`,
      );
    return 0;
  }
  printEndpoints(stack);
  info(`  all connectors RUNNING ${((Date.now() - t0) / 1000).toFixed(1)} s after \`up\` began`);
  if (values.detach) {
    info(
      `\nDetached. Try: eval "$(npx outbox-chaos env)"; then \`outbox-chaos doctor\`; stop with \`outbox-chaos down\`.`,
    );
    return 0;
  }
  info('\nRunning in the foreground; Ctrl-C stops the stack.');
  return supervised(stack);
}

/**
 * The foreground of a local stack: watched until Ctrl-C, or until a service exits — then which, how and its
 * last log lines are printed, the rest is stopped, and the exit code is 3 (0 when `down` stopped the stack).
 */
function supervised(stack: Stack): Promise<number> {
  return new Promise<number>((resolve) => {
    // A pending promise alone does not keep Node alive; a timer does.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const finish = (code: number) => {
      unwatch();
      off();
      clearInterval(keepAlive);
      resolve(code);
    };
    const off = onInterrupt(async () => {
      unwatch();
      await stack.stop();
    });
    const unwatch = superviseStack(stack.dir, (e: ServiceExit) => {
      const noticed = e.status ? ` (noticed ${e.detectedAt - Math.round(e.status.at)} ms after it ended)` : '';
      if (e.stoppedBy) {
        info(`\n${describeExit(e)}; the stack is being stopped there`);
        return finish(0);
      }
      console.error(
        `\nerror: ${describeExit(e)}${noticed}\n\n${e.logTail
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n')}\n\nfix: see ${e.logFile}; stopping the rest of the stack`,
      );
      unwatch();
      void stack.stop().finally(() => finish(3));
    });
  });
}
