import { existsSync, readFileSync } from 'node:fs';
import { registerConfigSecrets } from '../util/redact.ts';
import { parse as parseYaml } from 'yaml';
import type { Endpoints } from '../stack/endpoints.ts';
import { withKafkaAdmin } from '../stack/kafka-admin.ts';
import { withPg } from '../stack/pg.ts';
import { CLUSTER_PROXY_TARGETS, type NetworkTarget, PROXIES, type ProxyName } from '../stack/targets.ts';
import { ToxiproxyApi } from '../stack/toxiproxy-api.ts';
import { ConfigError, EnvError, errorMessage } from '../util/errors.ts';
import type { Provider } from './interface.ts';

/**
 * An existing environment, as an env file describes it. "fromConnect" addresses are the ones the connector
 * configs get (what Connect's workers resolve, possibly through Toxiproxy); the others are what the harness
 * itself uses to write the workload and to observe.
 */
export interface ExternalEnv {
  file: string;
  postgres: {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    fromConnect: { host: string; port: number };
  };
  /** brokers: a cluster's, each with Toxiproxy's proxy in front of it (kafka@… network faults). */
  kafka: {
    bootstrap: string;
    fromConnect: string;
    brokers?: { nodeId: number; proxy: string; replicationProxy?: string }[];
  };
  /** workers: every worker of the group, when there are several (the harness asks the next when one does not answer). */
  connect: { url: string; workers?: string[] };
  elasticsearch: { url: string; fromConnect: string };
  toxiproxy?: { url: string; proxies: Partial<Record<ProxyName, string>> };
}

export const ENV_FILE_EXAMPLE = `# outbox-chaos external environment (YAML). \${VAR} is replaced from the process environment.
postgres:
  host: 127.0.0.1
  port: 5432
  database: shop
  user: outbox
  password: \${PGPASSWORD}
  fromConnect: pg-proxy.internal:5432     # optional: the address the source connector should use
kafka:
  bootstrap: 127.0.0.1:9092               # the harness's own admin connection (topics, consumer lag)
  fromConnect: kafka-proxy.internal:9092  # optional: bootstrap.servers for the connectors
  brokers:                                # optional, a cluster: each broker's node id and its Toxiproxy proxy
    - { nodeId: 1, proxy: kafka-1, replicationProxy: kafka-1-replication }   # (kafka@… network faults)
connect:
  url: http://127.0.0.1:8083
  workers: [http://127.0.0.1:8083, http://127.0.0.1:8084]   # optional: every worker of the group
elasticsearch:
  url: http://127.0.0.1:9200
  fromConnect: http://es-proxy.internal:9200
toxiproxy:                                 # optional: enables network.* faults on the hops named
  url: http://127.0.0.1:8474
  proxies: { pg: pg, kafka: kafka, es: es } # Toxiproxy's proxy name in front of each hop`;

class Fields {
  readonly problems: string[] = [];

  obj(v: unknown, path: string): Record<string, unknown> {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    this.problems.push(`${path}: must be a mapping`);
    return {};
  }

  str(o: Record<string, unknown>, key: string, path: string, fallback?: string): string {
    const v = o[key] ?? fallback;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string' || v === '') {
      this.problems.push(`${path}.${key}: required (a non-empty string)`);
      return '';
    }
    return v.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
      const env = process.env[name];
      if (env === undefined) this.problems.push(`${path}.${key}: \${${name}} is not set in the environment`);
      return env ?? '';
    });
  }

  port(o: Record<string, unknown>, key: string, path: string, fallback?: number): number {
    const v = o[key] ?? fallback;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
      this.problems.push(`${path}.${key}: must be a port number (1-65535), got ${JSON.stringify(v) ?? 'nothing'}`);
      return 0;
    }
    return n;
  }

  url(o: Record<string, unknown>, key: string, path: string, fallback?: string): string {
    const v = this.str(o, key, path, fallback).replace(/\/+$/, '');
    if (v && !/^https?:\/\/[^/\s]+$/.test(v))
      this.problems.push(`${path}.${key}: must be an http(s)://host:port URL without a path, got "${v}"`);
    return v;
  }

  hostPort(v: string, path: string): { host: string; port: number } {
    const m = /^(.+):(\d+)$/.exec(v);
    if (!m) {
      this.problems.push(`${path}: must be host:port, got "${v}"`);
      return { host: '', port: 0 };
    }
    return { host: m[1] as string, port: Number(m[2]) };
  }
}

const KNOWN = ['postgres', 'kafka', 'connect', 'elasticsearch', 'toxiproxy'];

/** Parses and validates an env file's text; every problem is named with its field in one ConfigError. */
export function parseExternalEnv(text: string, file: string): ExternalEnv {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${errorMessage(err)}`, 'fix the syntax; JSON works too');
  }
  const f = new Fields();
  const top = f.obj(raw ?? {}, file);
  for (const k of Object.keys(top).filter((x) => !KNOWN.includes(x)))
    f.problems.push(`${k}: unknown section (known: ${KNOWN.join(', ')})`);
  const pg = f.obj(top.postgres, 'postgres');
  const host = f.str(pg, 'host', 'postgres');
  const port = f.port(pg, 'port', 'postgres', 5432);
  const postgres = {
    host,
    port,
    database: f.str(pg, 'database', 'postgres'),
    user: f.str(pg, 'user', 'postgres'),
    password: f.str(pg, 'password', 'postgres', ''),
    fromConnect:
      pg.fromConnect === undefined
        ? { host, port }
        : f.hostPort(f.str(pg, 'fromConnect', 'postgres'), 'postgres.fromConnect'),
  };
  const k = f.obj(top.kafka, 'kafka');
  const bootstrap = f.str(k, 'bootstrap', 'kafka');
  const kafka: ExternalEnv['kafka'] = { bootstrap, fromConnect: f.str(k, 'fromConnect', 'kafka', bootstrap) };
  if (k.brokers !== undefined) {
    if (!Array.isArray(k.brokers))
      f.problems.push('kafka.brokers: must be a list of { nodeId, proxy, replicationProxy }');
    else
      kafka.brokers = k.brokers.map((b: unknown, i) => {
        const o = f.obj(b, `kafka.brokers[${i}]`);
        if (!Number.isInteger(o.nodeId)) f.problems.push(`kafka.brokers[${i}].nodeId: must be the broker's node.id`);
        return {
          nodeId: Number(o.nodeId),
          proxy: f.str(o, 'proxy', `kafka.brokers[${i}]`),
          ...(o.replicationProxy !== undefined
            ? { replicationProxy: f.str(o, 'replicationProxy', `kafka.brokers[${i}]`) }
            : {}),
        };
      });
  }
  const c = f.obj(top.connect, 'connect');
  const connect: ExternalEnv['connect'] = { url: f.url(c, 'url', 'connect') };
  if (c.workers !== undefined)
    connect.workers = Array.isArray(c.workers)
      ? c.workers.map((w, i) => f.url({ w }, 'w', `connect.workers[${i}]`))
      : (f.problems.push('connect.workers: must be a list of URLs'), []);
  const e = f.obj(top.elasticsearch, 'elasticsearch');
  const esUrl = f.url(e, 'url', 'elasticsearch');
  const elasticsearch = { url: esUrl, fromConnect: f.url(e, 'fromConnect', 'elasticsearch', esUrl) };
  let toxiproxy: ExternalEnv['toxiproxy'];
  if (top.toxiproxy !== undefined) {
    const t = f.obj(top.toxiproxy, 'toxiproxy');
    const proxies: Partial<Record<ProxyName, string>> = {};
    for (const [hop, name] of Object.entries(f.obj(t.proxies ?? {}, 'toxiproxy.proxies'))) {
      if (!(PROXIES as readonly string[]).includes(hop))
        f.problems.push(`toxiproxy.proxies.${hop}: unknown hop (known: ${PROXIES.join(', ')})`);
      else if (typeof name !== 'string' || !name)
        f.problems.push(`toxiproxy.proxies.${hop}: must be the name of a Toxiproxy proxy`);
      else proxies[hop as ProxyName] = name;
    }
    toxiproxy = { url: f.url(t, 'url', 'toxiproxy'), proxies };
  }
  if (f.problems.length) {
    throw new ConfigError(
      `invalid env file ${file}:\n  ${f.problems.join('\n  ')}`,
      `see the example in docs/providers.md ("external") or \`outbox-chaos up --help\``,
    );
  }
  // The env file's password and any credentials in its URLs are masked in everything written or printed.
  registerConfigSecrets({
    'postgres.password': postgres.password,
    ...Object.fromEntries(
      [connect.url, ...(connect.workers ?? []), esUrl, elasticsearch.fromConnect].map((u, i) => [`url${i}`, u]),
    ),
    ...(toxiproxy ? { 'toxiproxy.url': toxiproxy.url } : {}),
  });
  return { file, postgres, kafka, connect, elasticsearch, toxiproxy };
}

export function readExternalEnv(file: string): ExternalEnv {
  if (!existsSync(file))
    throw new ConfigError(
      `env file ${file} does not exist`,
      `write one (example: \`outbox-chaos up --help\`) and pass it with --env FILE`,
    );
  return parseExternalEnv(readFileSync(file, 'utf8'), file);
}

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

/** The network targets an env file allows: its hops, and a cluster's broker listeners where every broker names its proxy. */
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
      'check the addresses in the env file and that the services run (`outbox-chaos doctor --provider external --env FILE` lists them)',
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
