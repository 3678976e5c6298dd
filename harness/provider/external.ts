import type { Endpoints } from '../stack/endpoints.ts';
import { withKafkaAdmin } from '../stack/kafka-admin.ts';
import { withPg } from '../stack/pg.ts';
import { CLUSTER_PROXY_TARGETS, type NetworkTarget, type ProxyName } from '../stack/targets.ts';
import { ToxiproxyApi } from '../stack/toxiproxy-api.ts';
import { EnvError, errorMessage } from '../util/errors.ts';
import { readExternalEnv, type ExternalEnv } from './env-file.ts';
import type { Provider } from './interface.ts';

export { ENV_FILE_EXAMPLE, parseExternalEnv, readExternalEnv, type ExternalEnv } from './env-file.ts';

export function externalEndpoints(env: ExternalEnv): Endpoints {
  const pg = env.postgres;
  const auth = `${encodeURIComponent(pg.user)}${pg.password ? `:${encodeURIComponent(pg.password)}` : ''}`;
  return {
    pgUrl: `postgresql://${auth}@${pg.host}:${pg.port}/${encodeURIComponent(pg.database)}`,
    pg: { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password },
    pgProxied: pg.fromConnect,
    kafkaBootstrap: env.kafka.bootstrap,
    kafkaProxied: env.kafka.fromConnect,
    connectUrl: env.connect.url,
    esUrl: env.elasticsearch.url,
    esProxiedUrl: env.elasticsearch.fromConnect,
    toxiproxyUrl: env.toxiproxy?.url ?? '',
    ...(env.toxiproxy ? { proxyNames: env.toxiproxy.proxies } : {}),
    ...(env.kafka.brokers || env.connect.workers ? { cluster: externalCluster(env) } : {}),
  };
}

/** A cluster's members as the env file names them: brokers with their proxies, workers; no Postgres control. */
function externalCluster(env: ExternalEnv): NonNullable<Endpoints['cluster']> {
  return {
    brokers: (env.kafka.brokers ?? []).map((b) => ({
      member: `kafka-${b.nodeId}`,
      nodeId: b.nodeId,
      direct: env.kafka.bootstrap,
      proxy: b.proxy,
      ...(b.replicationProxy ? { replicationProxy: b.replicationProxy } : {}),
    })),
    workers: (env.connect.workers ?? []).map((url, i) => ({
      member: `connect-${i + 1}`,
      url,
      workerId: new URL(url).host,
    })),
    postgres: [],
    primaryProxies: [],
  };
}

/**
 * The network targets an env file allows: its hops, and a cluster's broker listeners
 * where every broker names its proxy.
 */
function externalProxies(env: ExternalEnv): NetworkTarget[] {
  const out: NetworkTarget[] = Object.keys(env.toxiproxy?.proxies ?? {}) as ProxyName[];
  const brokers = env.toxiproxy ? (env.kafka.brokers ?? []) : [];
  if (brokers.length)
    out.push(
      ...CLUSTER_PROXY_TARGETS.filter((t) => t.startsWith('kafka@') || brokers.every((b) => b.replicationProxy)),
    );
  return out;
}

export interface Reachability {
  service: string;
  ok: boolean;
  detail: string;
}

async function probe(service: string, fn: () => Promise<string>): Promise<Reachability> {
  try {
    return { service, ok: true, detail: await fn() };
  } catch (err) {
    return { service, ok: false, detail: errorMessage(err) };
  }
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** Probes every service of the env file, read-only; each result says what it found or why it failed. */
export async function checkExternal(env: ExternalEnv): Promise<Reachability[]> {
  const ep = externalEndpoints(env);
  const checks = [
    probe('postgres', async () => {
      const [version, wal] = await withPg(ep, ep.pg.database, async (c) => [
        String((await c.query('SHOW server_version')).rows[0].server_version),
        String((await c.query('SHOW wal_level')).rows[0].wal_level),
      ]);
      if (wal !== 'logical') throw new Error(`wal_level is ${wal}; Debezium needs wal_level=logical`);
      return `Postgres ${version}, wal_level=logical`;
    }),
    probe('kafka', () =>
      withKafkaAdmin(ep.kafkaBootstrap, async (a) => `${(await a.describeCluster()).brokers.length} broker(s)`),
    ),
    probe('connect', async () => {
      const info = await getJson<{ version: string }>(`${ep.connectUrl}/`);
      const plugins = await getJson<{ class: string }[]>(`${ep.connectUrl}/connector-plugins`);
      return `Kafka Connect ${info.version}, ${plugins.length} connector plugins`;
    }),
    probe('elasticsearch', async () => {
      // GET _nodes, not GET /: the minimal distribution answers 405 on its root.
      const nodes = await getJson<{ nodes: Record<string, { version: string }> }>(
        `${ep.esUrl}/_nodes/_local?filter_path=nodes.*.version`,
      );
      const health = await getJson<{ status: string }>(`${ep.esUrl}/_cluster/health`);
      return `Elasticsearch ${Object.values(nodes.nodes)[0]?.version ?? '?'}, cluster ${health.status}`;
    }),
  ];
  if (env.toxiproxy) {
    const tp = env.toxiproxy;
    checks.push(
      probe('toxiproxy', async () => {
        const api = new ToxiproxyApi(tp.url);
        const found: string[] = [];
        for (const [hop, name] of Object.entries(tp.proxies)) {
          const p = await api.getProxy(name);
          found.push(`${hop} → proxy "${name}" (${p.listen} → ${p.upstream})`);
        }
        return found.join(', ') || 'no proxies named: network faults unavailable';
      }),
    );
  }
  return Promise.all(checks);
}

/** Versions as the services report them ("Kafka Connect 4.1.1, ..." → connect 4.1.1), for the run report. */
function versionsOf(results: Reachability[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results.filter((x) => x.service !== 'toxiproxy')) {
    const v = /\b(\d+\.\d+(?:\.\d+)?)\b/.exec(r.detail.split(',')[0] as string)?.[1];
    if (v) out[r.service] = v;
  }
  return out;
}

/**
 * An existing environment as a provider. It starts nothing and stops nothing; it offers no process faults,
 * and network faults only on the hops the env file names a Toxiproxy proxy for.
 */
export async function openExternal(file: string): Promise<Provider> {
  const env = readExternalEnv(file);
  const results = await checkExternal(env);
  const down = results.filter((r) => !r.ok);
  if (down.length) {
    throw new EnvError(
      `the environment in ${file} is not usable: ${down.map((r) => `${r.service}: ${r.detail}`).join('; ')}`,
      'check the addresses in the env file and that the services run ' +
        '(`outbox-chaos doctor --provider external --env FILE` lists them)',
    );
  }
  return {
    kind: 'external',
    label: `external environment ${file}`,
    endpoints: externalEndpoints(env),
    services: {},
    capabilities: { process: [], proxies: externalProxies(env) },
    exclusive: false,
    versions: versionsOf(results),
    stop: async () => undefined,
  };
}
