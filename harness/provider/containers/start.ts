import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ContainerRuntimeClient, StartedNetwork } from 'testcontainers';
import { imageVersions, resolveImages, type ImageName } from '../../provision/images.ts';
import { cacheDir } from '../../provision/paths.ts';
import { MANIFEST, manifestVersions } from '../../provision/manifest.ts';
import { HOST } from '../../stack/context.ts';
import { assertPortsFree, portFree, portPlan } from '../../stack/ports.ts';
import { resolvePortBase } from '../../stack/stack.ts';
import { PROXIES, PROCESS_TARGETS, type ProcessTarget } from '../../stack/targets.ts';
import { EnvError, errorMessage, HarnessError } from '../../util/errors.ts';
import { info } from '../../util/log.ts';
import { onInterrupt } from '../../util/signals.ts';
import type { Provider, ServiceHandle } from '../interface.ts';
import { containersPlan, networkPrefix } from './definitions.ts';
import { chooseImageSet, engineProbe } from './image-set.ts';
import { dockerAvailable, runtimeClient } from './docker.ts';
import { containerHandle, dockerOps } from './handle.ts';
import {
  CONTAINER_SERVICES,
  LABEL,
  SINK_PLUGIN_TARGET,
  type ContainerService,
  type ContainersPlan,
  type ImageSet,
  type ProxyDef,
} from './plan.ts';
import { READY_TIMEOUT_MS, readiness } from './readiness.ts';

export interface ContainersProviderOptions {
  portBase?: number;
  /** The sink plugin: its own directory (holding its jars), or a plugin.path entry holding outbox-chaos-es-sink/. */
  pluginDir: string;
  log?: (line: string) => void;
  /** Names the stack in container labels and the network name (default "containers"). */
  stack?: string;
  /** --images: `official` or `built`; else OUTBOX_CHAOS_IMAGES, else chosen by what the engine can reach. */
  images?: string;
}

/** Which image set runs, and the images: the built set is built first where it is not on the engine yet. */
export async function imagesToRun(
  client: ContainerRuntimeClient,
  flag: string | undefined,
  log: (l: string) => void,
): Promise<{ set: ImageSet; images: Record<ImageName, string> }> {
  const choice = await chooseImageSet(flag, process.env, engineProbe(client.container.dockerode));
  log(`images: ${choice.set} (${choice.why})`);
  if (choice.set === 'official') return { set: 'official', images: resolveImages() };
  // Ryuk's image comes from a registry too; without it, the stack's labels are the cleanup (removeStackResources).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { ensureBuiltImages } = await import('./image-build.ts');
  const built = await ensureBuiltImages({ cache: cacheDir(), log });
  if (built.built.length) log(`built ${built.built.join(', ')} in ${sec(built.ms)}`);
  return { set: 'built', images: built.images };
}

/** The directory to mount as the sink plugin, from what provisioning returns (ensureEsSink: its parent). */
export function resolveSinkPluginDir(pluginDir: string): string {
  const dir = resolve(pluginDir);
  const child = join(dir, SINK_PLUGIN_TARGET.slice(SINK_PLUGIN_TARGET.lastIndexOf('/') + 1));
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  const hasJars = (p: string) => isDir(p) && readdirSync(p).some((f) => f.endsWith('.jar'));
  if (hasJars(child)) return child;
  if (hasJars(dir)) return dir;
  throw new EnvError(
    `no sink plugin jars in ${dir}`,
    'build it with `mvn -f connectors/es-sink/pom.xml package -DskipTests` (JDK 17 and Maven), ' +
      'or let `outbox-chaos run --provider containers` build it',
  );
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

type Docker = ContainerRuntimeClient['container']['dockerode'];

/** Every container (running or not) carrying label=value. */
async function labelled(docker: Docker, label: string, value: string) {
  return docker.listContainers({ all: true, filters: { label: [`${label}=${value}`] } });
}

/** Containers of the stack name, left behind by a harness that died before Ryuk reaped them (or with Ryuk off). */
export async function listStackContainers(
  stack = 'containers',
): Promise<{ id: string; service: string; state: string }[]> {
  const client = await runtimeClient();
  return (await labelled(client.container.dockerode, LABEL.stack, stack)).map((c) => ({
    id: c.Id,
    service: c.Labels[LABEL.service] ?? '?',
    state: c.State,
  }));
}

/** Force-removes containers (thawing paused ones first: not every engine kills a paused container). */
async function removeContainers(client: ContainerRuntimeClient, ids: string[]): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      const c = client.container.getById(id);
      try {
        if ((await c.inspect()).State.Paused) await c.unpause();
      } catch {
        // Gone already, or not paused: remove decides.
      }
      await c.remove({ force: true, v: true }).catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 404)
          problems.push(`${id.slice(0, 12)}: ${errorMessage(err)}`);
      });
    }),
  );
  return problems;
}

/**
 * Like the local provider's cleanupStack: everything an earlier run of this stack name left (containers with
 * their anonymous volumes, networks, volumes; a harness killed before its stop() ran leaves them all) goes first.
 */
export async function removeStackResources(
  client: ContainerRuntimeClient,
  stack: string,
  log: (l: string) => void,
): Promise<number> {
  const docker = client.container.dockerode;
  const left = await labelled(docker, LABEL.stack, stack);
  if (left.length) {
    log(
      `removing ${left.length} container(s) an earlier run of stack "${stack}" left: ` +
        left.map((c) => `${c.Labels[LABEL.service] ?? '?'} ${c.Id.slice(0, 12)}`).join(', '),
    );
    const problems = await removeContainers(
      client,
      left.map((c) => c.Id),
    );
    if (problems.length)
      throw new EnvError(
        `could not remove containers left by an earlier run: ${problems.join('; ')}`,
        `docker rm -f $(docker ps -aq --filter label=${LABEL.stack}=${stack})`,
      );
  }
  const prefix = networkPrefix(stack);
  const byLabel = await docker.listNetworks({ filters: { label: [`${LABEL.stack}=${stack}`] } });
  // By name too: networks from before they carried the label.
  // Only the prefix and the 8 hex digits the start adds: "containers" must not take "containers-killed"'s.
  const byName = (await docker.listNetworks({ filters: { name: [prefix] } })).filter(
    (n) => n.Name.startsWith(prefix) && /^[0-9a-f]{8}$/.test(n.Name.slice(prefix.length)),
  );
  const networks = [...new Map([...byLabel, ...byName].map((n) => [n.Id, n])).values()];
  for (const n of networks)
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  const volumes = (await docker.listVolumes({ filters: { label: [`${LABEL.stack}=${stack}`] } })).Volumes ?? [];
  for (const v of volumes)
    await docker
      .getVolume(v.Name)
      .remove({ force: true })
      .catch(() => undefined);
  if (networks.length || volumes.length)
    log(`removed ${networks.length} network(s) and ${volumes.length} volume(s) of stack "${stack}"`);
  return left.length + networks.length + volumes.length;
}

async function populateProxies(toxiproxyUrl: string, proxies: ProxyDef[]): Promise<void> {
  const res = await fetch(`${toxiproxyUrl}/populate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(proxies),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new EnvError(`Toxiproxy refused the proxies (HTTP ${res.status}): ${(await res.text()).trim()}`);
}

async function connectVersion(connectUrl: string): Promise<string | undefined> {
  try {
    const r = await fetch(`${connectUrl}/`, { signal: AbortSignal.timeout(3000) });
    return ((await r.json()) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The built images carry the local stack's programs, at MANIFEST's versions. */
export function builtVersions(): Record<string, string> {
  const { 'kafka-connect': _connect, ...rest } = manifestVersions();
  return { ...rest, images: 'built' };
}

/**
 * The stack's network, created here rather than by testcontainers' Network, which cannot label it: without
 * Ryuk, the label is how a later command finds a network this one left.
 */
export async function createStackNetwork(
  client: ContainerRuntimeClient,
  plan: { networkPrefix: string; stack: string; runId: string },
): Promise<StartedNetwork> {
  const tc = await import('testcontainers');
  const name = `${plan.networkPrefix}${randomBytes(4).toString('hex')}`;
  const created = await client.network.create({
    Name: name,
    CheckDuplicate: true,
    Driver: 'bridge',
    Internal: false,
    Attachable: false,
    Ingress: false,
    EnableIPv6: false,
    Labels: { [LABEL.stack]: plan.stack, [LABEL.run]: plan.runId },
  });
  return new tc.StartedNetwork(client, name, created);
}

/** One start of the stack: what it created, so that stop() (or a failed start) removes exactly that. */
class ContainersRun {
  private network: StartedNetwork | undefined;
  get networkName(): string | undefined {
    return this.network?.getName();
  }
  readonly ids = new Map<ContainerService, string>();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly client: ContainerRuntimeClient,
    private readonly plan: ContainersPlan,
    private readonly log: (l: string) => void,
  ) {}

  async start(): Promise<void> {
    const { buildContainer } = await import('./build.ts');
    this.network = await createStackNetwork(this.client, this.plan);
    const network = this.network;

    const startOne = async (svc: ContainerService): Promise<void> => {
      if (this.stopping) throw new EnvError(`${svc}: not started, the stack is stopping`);
      const def = this.plan.containers[svc];
      const t = Date.now();
      this.log(`${svc}: starting ${def.image}`);
      const started = await buildContainer(def, this.plan, network).start();
      this.ids.set(svc, started.getId());
      this.log(`${svc}: up in ${sec(Date.now() - t)} (container ${started.getId().slice(0, 12)})`);
    };
    // Toxiproxy, Postgres, Kafka and Elasticsearch do not depend on each other; Connect needs Kafka and the
    // kafka proxy, and nothing else until connectors are registered.
    const toxiproxy = startOne('toxiproxy').then(() =>
      populateProxies(this.plan.endpoints.toxiproxyUrl, this.plan.proxies),
    );
    const kafka = startOne('kafka');
    const connect = Promise.all([toxiproxy, kafka]).then(() => startOne('connect'));
    const results = await Promise.allSettled([
      toxiproxy,
      startOne('postgres'),
      kafka,
      startOne('elasticsearch'),
      connect,
    ]);
    // A Toxiproxy or Kafka failure also fails Connect with the same error: report each once.
    const failed = [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])))];
    if (failed.length) throw await this.startFailure(failed);
  }

  /** The first failure, with the last log lines of every container of this run that is not running. */
  private async startFailure(errors: unknown[]): Promise<EnvError> {
    const lines: string[] = [];
    const docker = this.client.container.dockerode;
    for (const c of await labelled(docker, LABEL.run, this.plan.runId).catch(() => [])) {
      if (c.State === 'running' && this.ids.has(c.Labels[LABEL.service] as ContainerService)) continue;
      const tail = await dockerOps(this.client, c.Id)
        .logTail(30)
        .catch(() => '');
      lines.push(`--- ${c.Labels[LABEL.service] ?? '?'} (${c.Id.slice(0, 12)}, ${c.State}) ---\n${tail}`);
    }
    const first = errors[0];
    const msg = errors.map(errorMessage).join('; ');
    return new EnvError(
      `the containers stack did not start: ${msg}`,
      first instanceof EnvError && first.fix
        ? first.fix
        : 'the log lines below are all that is left: the containers were removed. ' +
            'DEBUG=testcontainers* shows what testcontainers did',
      lines.join('\n') || undefined,
    );
  }

  /** Removes every container of this run and the network; safe to call twice and after a failed start. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const docker = this.client.container.dockerode;
      // A stop during the start (Ctrl-C) may find a container being created: no new one is started once
      // stopping, and the run's label is listed again until nothing is left (or 10 s have passed).
      const problems: string[] = [];
      const deadline = Date.now() + 10_000;
      for (let quiet = 0; quiet < 2 && Date.now() < deadline;) {
        const ids = (await labelled(docker, LABEL.run, this.plan.runId)).map((c) => c.Id);
        if (ids.length) problems.splice(0, problems.length, ...(await removeContainers(this.client, ids)));
        quiet = ids.length ? 0 : quiet + 1;
        if (quiet < 2) await new Promise((r) => setTimeout(r, 500));
      }
      if (this.network)
        await this.network.stop().catch((err: unknown) => problems.push(`network: ${errorMessage(err)}`));
      // The local provider promises free ports when stop() returns; Docker's proxies can lag a moment.
      if (this.plan.publishIp) await waitHostPortsFree(publishedPorts(this.plan), 10_000);
      if (problems.length) {
        throw new EnvError(
          `could not remove everything the containers stack started: ${problems.join('; ')}`,
          `docker rm -f $(docker ps -aq --filter label=${LABEL.run}=${this.plan.runId}) ` +
            `(Ryuk also removes them once this process is gone)`,
        );
      }
    })();
    return this.stopping;
  }
}

function publishedPorts(plan: ContainersPlan): number[] {
  return CONTAINER_SERVICES.flatMap((s) => plan.containers[s].ports.map((p) => p.host));
}

async function waitHostPortsFree(ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await portFree(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The pipeline as containers on a user-defined network, every hop of Connect's through Toxiproxy, the
 * harness's own connections on fixed host ports. testcontainers labels everything with its session and
 * starts Ryuk, which removes the lot if this process dies; LABEL.stack lets a later start remove leftovers.
 */
export async function startContainersProvider(opts: ContainersProviderOptions): Promise<Provider> {
  const log = opts.log ?? ((l: string) => info(`  ${l}`));
  const docker = await dockerAvailable();
  if (!docker.ok) {
    throw new EnvError(docker.reason, docker.fix);
  }
  const sinkPluginDir = resolveSinkPluginDir(opts.pluginDir);
  const client = await runtimeClient();
  const { set: imageSet, images } = await imagesToRun(client, opts.images, log);
  // A local engine publishes on loopback only. An engine elsewhere (DOCKER_HOST=tcp://..., or this harness
  // itself in a container) is reached at the host testcontainers resolved, on every interface there.
  const engineHost = client.info.containerRuntime.host;
  const local = isLoopback(engineHost);
  const ports = portPlan(resolvePortBase(opts.portBase));
  const plan = containersPlan({
    ports,
    images,
    sinkPluginDir,
    runId: randomBytes(6).toString('hex'),
    stack: opts.stack,
    imageSet,
    host: local ? HOST : engineHost,
    publishIp: local ? HOST : '',
  });
  log(`engine: ${docker.runtime}`);
  await removeStackResources(client, plan.stack, log);
  if (local) await assertPortsFree(ports);

  const run = new ContainersRun(client, plan, log);
  // Ctrl-C while starting: what was created so far is removed before the process exits.
  const off = onInterrupt(() => run.stop());
  let services: Partial<Record<ProcessTarget, ServiceHandle>>;
  try {
    await run.start();
    const ready = readiness(plan.endpoints);
    services = Object.fromEntries(
      PROCESS_TARGETS.map((name) => [
        name,
        containerHandle({
          name,
          ops: dockerOps(client, run.ids.get(name) as string, {
            network: run.networkName as string,
            aliases: plan.containers[name].aliases,
          }),
          ready: ready[name],
          readyTimeoutMs: READY_TIMEOUT_MS[name],
          stopGraceSeconds: plan.containers[name].stopGraceSeconds,
        }),
      ]),
    );
    // testcontainers waited from its side; this is the harness's own view (e.g. Kafka's advertised address).
    await Promise.all(Object.values(services).map((h) => h.ensureUp()));
  } catch (err) {
    await run.stop().catch((e: unknown) => log(`cleanup after the failed start: ${errorMessage(e)}`));
    // Engine errors (a failed pull, a refused port) arrive as plain Errors: still an environment failure.
    throw err instanceof HarnessError
      ? err
      : new EnvError(
          `the containers stack did not start: ${errorMessage(err)}`,
          'DEBUG=testcontainers* shows what testcontainers did',
        );
  } finally {
    off();
  }

  const versions: Record<string, string> = {
    ...(imageSet === 'built' ? builtVersions() : imageVersions(images)),
    'kafka-connect': (await connectVersion(plan.endpoints.connectUrl)) ?? 'unknown',
    'outbox-chaos-es-sink': MANIFEST.esSink.version,
  };
  return {
    kind: 'containers',
    label: `containers (${imageSet} images) on ${docker.runtime}`,
    endpoints: plan.endpoints,
    services,
    capabilities: { process: PROCESS_TARGETS, proxies: PROXIES, isolate: PROCESS_TARGETS },
    exclusive: true,
    versions,
    stop: () => run.stop(),
  };
}
