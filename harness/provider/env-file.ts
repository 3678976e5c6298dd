import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PROXIES, type ProxyName } from '../stack/targets.ts';
import { ConfigError, errorMessage } from '../util/errors.ts';
import { registerConfigSecrets } from '../util/redact.ts';

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
  /** workers: every worker of the group, when there are several (the harness asks the next when one is silent). */
  connect: { url: string; workers?: string[] };
  elasticsearch: { url: string; fromConnect: string };
  toxiproxy?: { url: string; proxies: Partial<Record<ProxyName, string>> };
}

export const ENV_FILE_EXAMPLE = `# outbox-chaos external environment (YAML). \${VAR} is replaced from the process \
environment.
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
