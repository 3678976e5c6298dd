import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { ENV_FILE_EXAMPLE, externalEndpoints, parseExternalEnv } from './external.ts';

function problem(text: string): string {
  try {
    parseExternalEnv(text, 'env.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const MINIMAL = `
postgres: { host: db.example, database: shop, user: cdc, password: pw }
kafka: { bootstrap: "k1:9092,k2:9092" }
connect: { url: "http://connect:8083/" }
elasticsearch: { url: "https://es:9200" }
`;

describe('external env files', () => {
  it('reads the documented example (with its ${VAR} filled from the environment)', () => {
    process.env.PGPASSWORD = 's3cret';
    const env = parseExternalEnv(ENV_FILE_EXAMPLE, 'example.yaml');
    expect(env.postgres).toMatchObject({
      host: '127.0.0.1',
      port: 5432,
      password: 's3cret',
      fromConnect: { host: 'pg-proxy.internal', port: 5432 },
    });
    expect(env.toxiproxy?.proxies).toEqual({ pg: 'pg', kafka: 'kafka', es: 'es' });
  });

  it("defaults the addresses Connect uses to the harness's own, and the port to 5432", () => {
    const env = parseExternalEnv(MINIMAL, 'env.yaml');
    const ep = externalEndpoints(env);
    expect(ep.pgUrl).toBe('postgresql://cdc:pw@db.example:5432/shop');
    expect(ep.pgProxied).toEqual({ host: 'db.example', port: 5432 });
    expect(ep.kafkaProxied).toBe('k1:9092,k2:9092');
    expect(ep.connectUrl).toBe('http://connect:8083');
    expect(ep.esProxiedUrl).toBe('https://es:9200');
    // No Toxiproxy: no network faults, and nothing to reset.
    expect(ep.toxiproxyUrl).toBe('');
    expect(ep.proxyNames).toBeUndefined();
  });

  it('names every bad field at once', () => {
    const msg = problem(`
postgres: { host: db, port: 99999, user: u }
kafka: {}
connect: { url: "connect:8083" }
elasticsearch: { url: "http://es:9200/path" }
toxiproxy: { url: "http://t:8474", proxies: { db: pg, es: "" } }
extra: 1
`);
    for (const field of [
      'extra: unknown section',
      'postgres.port: must be a port',
      'postgres.database: required',
      'kafka.bootstrap: required',
      'connect.url: must be an http',
      'elasticsearch.url: must be an http',
      'toxiproxy.proxies.db: unknown hop',
      'toxiproxy.proxies.es: must be the name',
    ]) {
      expect(msg).toContain(field);
    }
  });

  it('says which environment variable a ${VAR} needs', () => {
    delete process.env.OUTBOX_CHAOS_TEST_UNSET;
    expect(problem(MINIMAL.replace('password: pw', 'password: "${OUTBOX_CHAOS_TEST_UNSET}"'))).toMatch(
      /postgres.password: \$\{OUTBOX_CHAOS_TEST_UNSET\} is not set/,
    );
  });

  it('rejects YAML that does not parse, and a host:port without a port', () => {
    expect(problem('postgres: [')).toMatch(/not valid YAML/);
    expect(problem(MINIMAL.replace('password: pw', 'password: pw, fromConnect: proxy'))).toMatch(
      /postgres.fromConnect: must be host:port/,
    );
  });
});

describe('external env files: a cluster', () => {
  const CLUSTER = `${MINIMAL.replace('kafka: { bootstrap: "k1:9092,k2:9092" }', 'kafka: { bootstrap: "k1:9092,k2:9092", brokers: [{ nodeId: 1, proxy: tp-k1, replicationProxy: tp-k1r }, { nodeId: 2, proxy: tp-k2 }] }').replace('connect: { url: "http://connect:8083/" }', 'connect: { url: "http://connect:8083/", workers: ["http://w1:8083", "http://w2:8083"] }')}
toxiproxy: { url: "http://tp:8474", proxies: { pg: pg } }
`;

  it(
    "names each broker's proxy and every worker, for " + 'role-targeted network faults and failover of the REST API',
    () => {
      const ep = externalEndpoints(parseExternalEnv(CLUSTER, 'env.yaml'));
      expect(ep.cluster?.brokers).toEqual([
        { member: 'kafka-1', nodeId: 1, direct: 'k1:9092,k2:9092', proxy: 'tp-k1', replicationProxy: 'tp-k1r' },
        { member: 'kafka-2', nodeId: 2, direct: 'k1:9092,k2:9092', proxy: 'tp-k2' },
      ]);
      expect(ep.cluster?.workers.map((w) => w.workerId)).toEqual(['w1:8083', 'w2:8083']);
      expect(ep.cluster?.postgres).toEqual([]);
    },
  );

  it('refuses a broker without its node id', () => {
    expect(problem(CLUSTER.replace('nodeId: 1, ', ''))).toContain(
      "kafka.brokers[0].nodeId: must be the broker's node.id",
    );
  });
});
