import { describe, expect, it } from 'vitest';
import { resolveImages } from '../../provision/images.ts';
import { portPlan } from '../../stack/ports.ts';
import { containersPlan } from './definitions.ts';
import { type ContainerService } from './plan.ts';

/**
 * The testcontainers objects build.ts makes, inspected before anything is created: no Docker needed.
 */

const plan = containersPlan({
  ports: portPlan(18200),
  images: resolveImages({}),
  sinkPluginDir: '/cache/p/outbox-chaos-es-sink',
  runId: 'r1',
});
const network = { getName: () => 'outbox-chaos-containers-test' };

interface Internals {
  createOpts: {
    Env?: string[];
    Cmd?: string[];
    Labels?: Record<string, string>;
    ExposedPorts?: Record<string, unknown>;
  };
  hostConfig: { PortBindings?: unknown; Binds?: string[]; ShmSize?: number };
  networkAliases: string[];
  beforeContainerCreated(): Promise<void>;
  containerStarted(container: unknown, inspect: unknown): Promise<void>;
}

async function built(svc: ContainerService, p = plan): Promise<Internals> {
  const { buildContainer } = await import('./build.ts');
  return buildContainer(p.containers[svc], p, network as never) as unknown as Internals;
}

/** What a container is created with: the state right after testcontainers' last hook before create. */
async function created(svc: ContainerService, p = plan): Promise<Internals> {
  const c = await built(svc, p);
  await c.beforeContainerCreated();
  return c;
}

const env = (c: Internals) =>
  Object.fromEntries((c.createOpts.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe('containers: testcontainers objects', () => {
  it('publishes Kafka 9093 on the fixed port on 127.0.0.1 only, despite KafkaContainer re-exposing it', async () => {
    const k = await created('kafka');
    expect(k.hostConfig.PortBindings).toEqual({ '9093/tcp': [{ HostIp: '127.0.0.1', HostPort: '18201' }] });
  });

  it('runs Kafka in KRaft mode with its own name in the quorum and our broker settings', async () => {
    const e = env(await created('kafka'));
    expect(e.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(e.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9094');
    expect(e.KAFKA_NUM_PARTITIONS).toBe('1');
    expect(e.KAFKA_HEAP_OPTS).toBe('-Xms512m -Xmx512m');
  });

  it(
    'has Kafka advertise its BROKER listener as kafka-broker:9092 ' +
      'and PLAINTEXT as the published port on 127.0.0.1',
    async () => {
      const k = await created('kafka');
      let script = '';
      const fake = {
        getId: () => 'not-a-container',
        getHost: () => 'localhost',
        getMappedPort: (p: number) => (p === 9093 ? 18201 : 0),
        copyContentToContainer: async (items: { content: string }[]) => {
          script = items.map((i) => i.content).join('');
        },
      };
      // It goes on to ask the engine about the (fake) container and fails there; the script is written first.
      await k.containerStarted(fake, { hostname: '3f2a9c1b7d4e' }).catch(() => undefined);
      // PLAINTEXT on the address the harness uses, not on getHost()'s "localhost" (which may resolve to ::1).
      expect(script).toContain(
        'export KAFKA_ADVERTISED_LISTENERS=BROKER://kafka-broker:9092,PLAINTEXT://127.0.0.1:18201\n',
      );
      expect(script).not.toContain('3f2a9c1b7d4e');
    },
  );

  it('publishes every service on its fixed port on 127.0.0.1, or on every interface when asked', async () => {
    const expected: Record<ContainerService, Record<string, unknown>> = {
      postgres: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '18200' }] },
      kafka: { '9093/tcp': [{ HostIp: '127.0.0.1', HostPort: '18201' }] },
      connect: { '8083/tcp': [{ HostIp: '127.0.0.1', HostPort: '18204' }] },
      elasticsearch: { '9200/tcp': [{ HostIp: '127.0.0.1', HostPort: '18205' }] },
      toxiproxy: { '8474/tcp': [{ HostIp: '127.0.0.1', HostPort: '18207' }] },
    };
    for (const svc of Object.keys(expected) as ContainerService[])
      expect((await created(svc)).hostConfig.PortBindings, svc).toEqual(expected[svc]);
    const all = { ...plan, publishIp: '' };
    expect((await created('postgres', all)).hostConfig.PortBindings).toEqual({ '5432/tcp': [{ HostPort: '18200' }] });
  });

  it('starts Postgres with our command, credentials and shared memory', async () => {
    const p = await created('postgres');
    expect(p.createOpts.Cmd?.slice(0, 3)).toEqual(['postgres', '-c', 'wal_level=logical']);
    expect(env(p)).toMatchObject({ POSTGRES_DB: 'mycompany', POSTGRES_USER: 'postgres' });
    expect(p.hostConfig.ShmSize).toBe(256 * 1024 * 1024);
  });

  it('mounts the sink plugin read-only into Connect and labels and aliases every container', async () => {
    const c = await created('connect');
    expect(c.hostConfig.Binds).toEqual(['/cache/p/outbox-chaos-es-sink:/kafka/connect/outbox-chaos-es-sink:ro']);
    expect(env(c).BOOTSTRAP_SERVERS).toBe('kafka-broker:9092');
    for (const svc of ['toxiproxy', 'postgres', 'kafka', 'elasticsearch', 'connect'] as const) {
      const x = await built(svc);
      expect(x.createOpts.Labels).toMatchObject(plan.containers[svc].labels);
      expect(x.networkAliases).toEqual(plan.containers[svc].aliases);
    }
  });

  it('gives Elasticsearch our settings on top of the module defaults', async () => {
    const e = env(await created('elasticsearch'));
    expect(e['xpack.security.enabled']).toBe('false');
    expect(e['discovery.type']).toBe('single-node');
    expect(e.ES_JAVA_OPTS).toBe('-Xms1024m -Xmx1024m');
  });
});
