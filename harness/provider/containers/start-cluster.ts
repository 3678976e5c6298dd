import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ContainerRuntimeClient, StartedNetwork } from 'testcontainers';
import { imageVersions } from '../../provision/images.ts';
import { HOST } from '../../stack/context.ts';
import { withKafkaAdmin } from '../../stack/kafka-admin.ts';
import { assertPortsFree, clusterPortPlan } from '../../stack/ports.ts';
import { resolvePortBase } from '../../stack/stack.ts';
import {
  CLUSTER_PROCESS_TARGETS,
  CLUSTER_PROXY_TARGETS,
  PROCESS_TARGETS,
  PROXIES,
  type ProcessTarget,
} from '../../stack/targets.ts';
import { EnvError, errorMessage } from '../../util/errors.ts';
import { info } from '../../util/log.ts';
import { onInterrupt } from '../../util/signals.ts';
import type { Provider, ServiceHandle } from '../interface.ts';
import { clusterContainersPlan, type ClusterContainersPlan, type MemberDef } from './cluster-definitions.ts';
import { dockerAvailable, runtimeClient } from './docker.ts';
import { containerHandle, dockerOps } from './handle.ts';
import { LABEL, PORT } from './plan.ts';
import {
  builtVersions,
  createStackNetwork,
  imagesToRun,
  removeStackResources,
  resolveSinkPluginDir,
  type ContainersProviderOptions,
} from './start.ts';

/**
 * The cluster topology on a Docker engine: the members of clusterContainersPlan as plain containers (no
 * KafkaContainer: three brokers need listeners of their own), started group by group, each a handle for
 * process faults. A failover's rebuild and a broker's lost disk are a new container from the same definition
 * (an empty disk, the same identity). Runs either image set (imagesToRun chooses, as for the single stack);
 * its definitions are unit-tested (cluster-definitions.test.ts), its start in test/containers.int.test.ts.
 */

function readiness(plan: ClusterContainersPlan, d: MemberDef): () => Promise<boolean> {
  const c = plan.endpoints.cluster;
  const httpOk = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  if (d.service === 'kafka') {
    const b = c?.brokers.find((x) => x.member === d.member);
    return () => withKafkaAdmin(b?.direct ?? '', async (a) => (await a.describeCluster()).brokers.length > 0);
  }
  if (d.service === 'connect') return () => httpOk(`${c?.workers.find((w) => w.member === d.member)?.url}/connectors`);
  if (d.service === 'postgres') {
    const n = c?.postgres.find((x) => x.member === d.member);
    return async () => {
      const client = new pg.Client({
        ...plan.endpoints.pg,
        host: n?.host,
        port: n?.port,
        database: 'postgres',
        connectionTimeoutMillis: 2000,
      });
      await client.connect();
      await client.end();
      return true;
    };
  }
  if (d.service === 'elasticsearch')
    return () => httpOk(`${plan.endpoints.esUrl}/_cluster/health?wait_for_status=yellow&timeout=1s`);
  return () => httpOk(`${plan.endpoints.toxiproxyUrl}/version`);
}

async function build(d: MemberDef, plan: ClusterContainersPlan, network: StartedNetwork) {
  const { PinnedGenericContainer } = await import('./build.ts');
  const { Wait } = await import('testcontainers');
  const c = new PinnedGenericContainer(d.image)
    .withNetwork(network)
    .withNetworkAliases(...d.aliases)
    .withEnvironment(d.env)
    .withLabels(d.labels)
    .withStartupTimeout(d.startupTimeoutMs)
    .pinPorts(d.ports, plan.publishIp);
  // Toxiproxy publishes ports its proxies open only after the start (populate): wait for its API instead.
  if (d.service === 'toxiproxy') c.withWaitStrategy(Wait.forHttp('/version', PORT.toxiproxyApi).forStatusCode(200));
  if (d.entrypoint) c.withEntrypoint(d.entrypoint);
  if (d.command) c.withCommand(d.command);
  if (d.bindMounts.length) c.withBindMounts(d.bindMounts);
  if (d.shmBytes) c.withSharedMemorySize(d.shmBytes);
  return c;
}

/** A member whose container can be replaced by a new one from its definition (a rebuild, a new disk). */
class Member {
  id = '';
  constructor(
    readonly def: MemberDef,
    private readonly plan: ClusterContainersPlan,
    private readonly client: ContainerRuntimeClient,
    private readonly network: StartedNetwork,
  ) {}

  async create(def: MemberDef = this.def): Promise<void> {
    this.id = (await (await build(def, this.plan, this.network)).start()).getId();
  }

  handle(): ServiceHandle {
    const ready = readiness(this.plan, this.def);
    return containerHandle({
      name: this.def.service as ProcessTarget,
      ops: dockerOps(this.client, this.id, { network: this.network.getName(), aliases: this.def.aliases }),
      ready,
      readyTimeoutMs: this.def.startupTimeoutMs,
      stopGraceSeconds: this.def.stopGraceSeconds,
    });
  }

  /** Every call goes to the member's current container; stop, rebuild and a lost disk on top. */
  proxy(): ServiceHandle {
    const h = (): ServiceHandle => this.handle();
    const replace = async (def: MemberDef): Promise<string> => {
      const old = this.id.slice(0, 12);
      await this.client.container.getById(this.id).remove({ force: true, v: true });
      await this.create(def);
      await h().ensureUp();
      return `container ${old} replaced by ${this.id.slice(0, 12)}`;
    };
    const handle: ServiceHandle = {
      name: this.def.service as ProcessTarget,
      get where() {
        return h().where;
      },
      running: () => h().running(),
      crash: () => h().crash(),
      start: () => h().start(),
      freeze: () => h().freeze(),
      thaw: () => h().thaw(),
      restart: () => h().restart(),
      ensureUp: () => h().ensureUp(),
      isolate: () => h().isolate!(),
      rejoin: () => h().rejoin!(),
      probeTcp: (host, port) => h().probeTcp!(host, port),
      stop: async () => {
        await this.client.container.getById(this.id).stop({ t: this.def.stopGraceSeconds });
        return `stopped container ${this.id.slice(0, 12)}`;
      },
    };
    if (this.def.service === 'postgres') {
      handle.rebuildAsStandbyOf = (primary) => {
        const env = {
          ...this.plan.groups.flat().find((d) => d.member === 'postgres-2')?.env,
          PRIMARY_CONNINFO:
            `host=${primary} port=5432 user=postgres password=postgres ` + `application_name=${this.def.member}`,
        };
        const standby = this.plan.groups.flat().find((d) => d.member === 'postgres-2') as MemberDef;
        return replace({
          ...standby,
          member: this.def.member,
          aliases: this.def.aliases,
          ports: this.def.ports,
          labels: this.def.labels,
          env,
        });
      };
    }
    if (this.def.service === 'kafka') handle.wipeData = () => replace(this.def);
    return handle;
  }
}

export async function startContainersCluster(opts: ContainersProviderOptions): Promise<Provider> {
  const log = opts.log ?? ((l: string) => info(`  ${l}`));
  const docker = await dockerAvailable();
  if (!docker.ok) throw new EnvError(docker.reason, docker.fix);
  const client = await runtimeClient();
  const { set: imageSet, images } = await imagesToRun(client, opts.images, log);
  const ports = clusterPortPlan(resolvePortBase(opts.portBase));
  const plan = clusterContainersPlan(
    {
      ports,
      images,
      imageSet,
      sinkPluginDir: resolveSinkPluginDir(opts.pluginDir),
      runId: randomBytes(6).toString('hex'),
      stack: opts.stack,
      host: HOST,
      publishIp: HOST,
    },
    randomBytes(16).toString('base64url').replace(/^-/, 'A'),
  );
  // What an earlier run of this stack name left (a killed harness, no Ryuk) goes first, as on the single stack.
  await removeStackResources(client, plan.stack, log);
  await assertPortsFree(ports);
  const network = await createStackNetwork(client, plan);
  const members = new Map<string, Member>();
  let stopping: Promise<void> | undefined;
  const runContainers = () =>
    client.container.dockerode.listContainers({ all: true, filters: { label: [`${LABEL.run}=${plan.runId}`] } });
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // A stop during the start (Ctrl-C) may find a container being created: no member is created once
      // stopping, and the run's label is listed again until nothing is left (or 10 s have passed).
      const deadline = Date.now() + 10_000;
      for (let quiet = 0; quiet < 2 && Date.now() < deadline;) {
        const left = await runContainers();
        await Promise.all(
          left.map((c) =>
            client.container
              .getById(c.Id)
              .remove({ force: true, v: true })
              .catch(() => undefined),
          ),
        );
        quiet = left.length ? 0 : quiet + 1;
        if (quiet < 2) await new Promise((r) => setTimeout(r, 500));
      }
      await network.stop().catch(() => undefined);
    })());
  /** The last log lines of the run's containers that are not up, before stop() removes them. */
  const failedLogs = async (): Promise<string | undefined> => {
    const lines: string[] = [];
    for (const c of await runContainers().catch(() => [])) {
      const m = members.get(c.Labels[LABEL.service] ?? '');
      if (c.State === 'running' && m?.id === c.Id) continue;
      const tail = await dockerOps(client, c.Id)
        .logTail(30)
        .catch(() => '');
      lines.push(`--- ${c.Labels[LABEL.service] ?? '?'} (${c.Id.slice(0, 12)}, ${c.State}) ---\n${tail}`);
    }
    return lines.join('\n') || undefined;
  };
  // Ctrl-C while starting: what was created so far is removed before the process exits.
  const off = onInterrupt(() => stop());
  const t0 = Date.now();
  try {
    for (const group of plan.groups) {
      await Promise.all(
        group.map(async (d) => {
          if (stopping) throw new EnvError(`${d.member}: not started, the stack is stopping`);
          const t = Date.now();
          const m = new Member(d, plan, client, network);
          await m.create();
          members.set(d.member, m);
          log(`${d.member}: up in ${((Date.now() - t) / 1000).toFixed(1)} s (container ${m.id.slice(0, 12)})`);
          if (d.member === 'toxiproxy') {
            const r = await fetch(`${plan.endpoints.toxiproxyUrl}/populate`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(plan.proxies),
            });
            if (!r.ok) throw new EnvError(`Toxiproxy refused the proxies (HTTP ${r.status})`);
          }
        }),
      );
    }
    // testcontainers waited for the ports; this is the harness's own view (a quorum, a worker's REST API).
    await Promise.all([...members.values()].map((m) => m.handle().ensureUp()));
    log(`cluster ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    const logs = await failedLogs();
    await stop();
    if (err instanceof EnvError) throw logs && !err.details ? new EnvError(err.message, err.fix, logs) : err;
    throw new EnvError(
      `the containers cluster did not start: ${errorMessage(err)}`,
      logs
        ? 'the log lines below are all that is left: the containers were removed. ' +
            'DEBUG=testcontainers* shows what testcontainers did'
        : 'DEBUG=testcontainers* shows what testcontainers did',
      logs,
    );
  } finally {
    off();
  }
  const handles = Object.fromEntries([...members].filter(([n]) => /-\d$/.test(n)).map(([n, m]) => [n, m.proxy()]));
  const es = members.get('elasticsearch')?.proxy();
  return {
    kind: 'containers',
    label: `containers cluster (${imageSet} images) on ${docker.runtime}`,
    endpoints: plan.endpoints,
    topology: 'cluster',
    members: handles,
    services: {
      kafka: handles['kafka-1'],
      connect: handles['connect-1'],
      postgres: handles['postgres-1'],
      ...(es ? { elasticsearch: es } : {}),
    },
    capabilities: {
      process: [...PROCESS_TARGETS, ...CLUSTER_PROCESS_TARGETS],
      proxies: [...PROXIES, ...CLUSTER_PROXY_TARGETS],
      isolate: [...PROCESS_TARGETS, ...CLUSTER_PROCESS_TARGETS],
    },
    exclusive: true,
    versions: imageSet === 'built' ? builtVersions() : imageVersions(images),
    stop,
  };
}
