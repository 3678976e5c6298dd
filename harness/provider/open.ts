import { loadDefinition, pipelineVars } from '../pipeline/definition.ts';
import { setupPipeline } from '../pipeline/lifecycle.ts';
import { defaultRunNames } from '../pipeline/run-names.ts';
import { claimStack, type Claim } from '../stack/owner.ts';
import { startStack, attachStack, type Stack } from '../stack/stack.ts';
import { readState, writeState } from '../stack/state.ts';
import type { Topology } from '../stack/targets.ts';
import type { OsMajor } from '../provision/opensearch-versions.ts';
import type { PgMajor } from '../provision/pg-versions.ts';
import type { ComponentPins } from '../provision/component-versions.ts';
import type { SearchEngine } from '../provision/index.ts';
import { EnvError } from '../util/errors.ts';
import { step, info } from '../util/log.ts';
import { onInterrupt } from '../util/signals.ts';
import { openExternal } from './external.ts';
import { assertServicesUp, stackProblems } from './health.ts';
import type { ProviderName, Provider } from './interface.ts';
import { localProvider } from './local.ts';

/**
 * A provider to run on, and whether this command started it (and so must stop it). local: the stack that
 * `up --detach` left running, else a new one; containers: new containers; external: the environment as it is.
 */
export async function openProvider(
  choice: ProviderChoice,
  opts: LocalOptions,
): Promise<{ provider: Provider; owned: boolean }> {
  if (choice.kind === 'external') {
    const provider = await openExternal(choice.env as string);
    info(
      `using ${provider.label}: ${Object.entries(provider.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    return { provider, owned: false };
  }
  if (choice.kind === 'containers') {
    // Loaded on demand: testcontainers is heavy, and only this provider needs it.
    const { openContainers } = await import('./containers/open.ts');
    const provider = await openContainers({
      portBase: opts.portBase,
      topology: opts.topology,
      images: choice.images,
      name: opts.name,
    });
    return { provider, owned: true };
  }
  const { stack, owned } = await obtainStack(opts);
  return { provider: localProvider(stack), owned };
}

/**
 * A local stack to run on: the one `up --detach` left running (refused when one of its services is down), or
 * a new one this command owns. Either way the command holds the stack's lock until it exits, so no other
 * command starts, stops or runs on it meanwhile (StackInUse, exit 3, names a live holder).
 */
export async function obtainStack(opts: LocalOptions): Promise<{ stack: Stack; owned: boolean }> {
  const name = opts.name ?? 'default';
  const claim = claimStack(name);
  // A dead owner's stack may still have its faults on: it is started afresh, not run on.
  if (claim.tookOver)
    info(`stack "${name}" was held by ${describeOwner(claim.tookOver)}, which is gone: what it left is stopped`);
  const attached = claim.tookOver ? undefined : await attachStack(name);
  if (attached) {
    assertServicesUp(attached);
    if (opts.topologyExplicit && attached.topology !== (opts.topology ?? 'single'))
      throw topologyMismatch(attached, opts.topology ?? 'single');
    if (opts.search && attached.search !== opts.search) throw searchMismatch(attached, opts.search);
    assertPostgresMajor(attached, opts.postgresMajor);
    assertComponents(attached, opts.components);
    assertOpenSearchMajor(attached, opts.opensearchMajor);
    info(`using the running stack "${attached.name}"`);
    return { stack: attached, owned: false };
  }
  return { stack: await bringUp(opts), owned: true };
}

/**
 * `up` on the local provider: a stack that is running and healthy is left exactly as it is (`started` false);
 * one that is running but unhealthy, or what a dead owner left, is stopped and started afresh. The lock is
 * held until the process exits.
 */
export async function upLocal(opts: LocalOptions): Promise<{ stack: Stack; started: boolean }> {
  const name = opts.name ?? 'default';
  const claim = claimStack(name);
  if (claim.tookOver)
    info(`stack "${name}" was held by ${describeOwner(claim.tookOver)}, which is gone: what it left is stopped`);
  const running = claim.tookOver ? undefined : await attachStack(name);
  if (running && opts.topologyExplicit && running.topology !== (opts.topology ?? 'single'))
    throw topologyMismatch(running, opts.topology ?? 'single');
  if (running && opts.search && running.search !== opts.search) throw searchMismatch(running, opts.search);
  if (running) assertPostgresMajor(running, opts.postgresMajor);
  if (running) assertComponents(running, opts.components);
  if (running) assertOpenSearchMajor(running, opts.opensearchMajor);
  if (running) {
    const problems = await stackProblems(running);
    if (problems.length === 0) return { stack: running, started: false };
    info(`stack "${name}" is running but not healthy (${problems.join('; ')}): starting it afresh`);
  }
  return { stack: await bringUp(opts), started: true };
}

function topologyMismatch(s: Stack, wanted: Topology): EnvError {
  return new EnvError(
    `stack "${s.name}" is running as a ${s.topology} stack, not ${wanted}`,
    `\`outbox-chaos down --name ${s.name}\` first, or use another --name and --port-base for the ${wanted} stack`,
  );
}

function searchMismatch(s: Stack, wanted: SearchEngine): EnvError {
  return new EnvError(
    `stack "${s.name}" runs ${s.search}, not ${wanted}`,
    `\`outbox-chaos down --name ${s.name}\` first, or use another --name and --port-base for the ${wanted} stack`,
  );
}

/** A running stack runs the Postgres it was started with: asking for another is refused, not ignored. */
function assertPostgresMajor(s: Stack, wanted: PgMajor | undefined): void {
  const has = s.artifacts.postgres.major;
  if (wanted === undefined || wanted === has) return;
  throw new EnvError(
    `stack "${s.name}" is running Postgres ${s.versions.postgres ?? has}, not ${wanted}`,
    `\`outbox-chaos down --name ${s.name}\` first, or use another --name and --port-base for Postgres ${wanted}`,
  );
}

/** Likewise the OpenSearch major (a stack of the other engine is refused before, by searchMismatch). */
function assertOpenSearchMajor(s: Stack, wanted: OsMajor | undefined): void {
  const has = s.artifacts.opensearchMajor;
  if (wanted === undefined || has === undefined || wanted === has) return;
  throw new EnvError(
    `stack "${s.name}" is running OpenSearch ${s.versions.opensearch ?? has}, not ${wanted}`,
    `\`outbox-chaos down --name ${s.name}\` first, or use another --name and --port-base for OpenSearch ${wanted}`,
  );
}

/** A running stack runs the versions it was started with: asking for others is refused, not ignored. */
function assertComponents(s: Stack, wanted: ComponentPins | undefined): void {
  const differ = Object.entries(wanted ?? {}).filter(([c, v]) => s.versions[c] !== v);
  if (differ.length === 0) return;
  const has = differ.map(([c]) => `${c} ${s.versions[c] ?? '?'}`).join(', ');
  const want = differ.map(([c, v]) => `${c}=${v}`).join(',');
  throw new EnvError(
    `stack "${s.name}" is running ${has}, not ${differ.map(([c, v]) => `${c} ${v}`).join(', ')}`,
    `\`outbox-chaos down --name ${s.name}\` first, or use another --name and --port-base for --versions ${want}`,
  );
}

function describeOwner(o: NonNullable<Claim['tookOver']>): string {
  return o === 'unreadable' ? 'a command whose lock file is unreadable' : `pid ${o.pid} (${o.command})`;
}

/** What a command asks of a local stack: its name, ports, pipeline definition and topology. */
export interface LocalOptions {
  name?: string;
  portBase?: number;
  connectors?: string;
  /** The topology a new stack gets (default single); a running stack of another topology is refused. */
  topology?: Topology;
  /** true: --topology was given (a running stack of another topology is an error, not a skip). */
  topologyExplicit?: boolean;
  /** The search engine of a new local stack; a running stack of another engine is refused. */
  search?: SearchEngine;
  /** The Postgres major a new stack runs (`--versions postgres=N`); a running stack of another is refused. */
  postgresMajor?: PgMajor;
  /** Debezium, Kafka, Elasticsearch versions of a new stack (resolved); a running stack of others is refused. */
  components?: ComponentPins;
  /** The OpenSearch major a new stack runs (`--versions opensearch=N`); a running stack of another is refused. */
  opensearchMajor?: OsMajor;
}

/** Where a command runs: the provider, its env file (external), and whether it may treat it as its own. */
export interface ProviderChoice {
  kind: ProviderName;
  env?: string;
  allowDestructive: boolean;
  /** containers only: --images (official | built). */
  images?: string;
}

/** Brings a stack and the pipeline up; stops everything again if anything fails or the user interrupts. */
export async function bringUp(opts: LocalOptions): Promise<Stack> {
  let stack: Stack | undefined;
  const off = onInterrupt(async () => {
    await stack?.stop();
  });
  try {
    stack = await startStack({
      name: opts.name,
      portBase: opts.portBase,
      topology: opts.topology,
      search: opts.search,
      postgresMajor: opts.postgresMajor,
      components: opts.components,
      opensearchMajor: opts.opensearchMajor,
    });
    const s = stack;
    const names = defaultRunNames();
    const def = loadDefinition(opts.connectors, pipelineVars(s.endpoints, names));
    await step(`register pipeline (${def.dir})`, () => setupPipeline(s.endpoints, def, names));
    const state = readState(s.dir);
    if (state) writeState({ ...state, connectorsDir: def.dir });
    return s;
  } catch (err) {
    await stack?.stop();
    throw err;
  } finally {
    off();
  }
}
