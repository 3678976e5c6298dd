import { describe, expect, it } from 'vitest';
import { resolveImages } from '../../provision/images.ts';
import type { StackContext } from '../../stack/context.ts';
import { proxySpecs } from '../../stack/endpoints.ts';
import { clusterPortPlan } from '../../stack/ports.ts';
import { CONNECT_GROUP } from '../../stack/services/connect.ts';
import { brokerProperties, CLUSTER_BROKER_SETTINGS, kafkaNodes } from '../../stack/services/kafka.ts';
import { CLUSTER_PG_SETTINGS } from '../../stack/services/postgres.ts';
import { internalTopicSettings, WORKER_SETTINGS } from '../../stack/worker-settings.ts';
import {
  BROKER_PORT,
  clusterContainersPlan,
  failoverSlotSettings,
  postgresMajor,
  type MemberDef,
} from './cluster-definitions.ts';
import { IN_IMAGE, PG_BIN } from './built-images.ts';

const ports = clusterPortPlan(18400);
const opts = { ports, images: resolveImages({}), sinkPluginDir: '/cache/p/outbox-chaos-es-sink', runId: 'r1' };
const plan = clusterContainersPlan(opts, 'AAAAAAAAAAAAAAAAAAAAAA');
const all = plan.groups.flat();
const member = (m: string): MemberDef => {
  const d = all.find((x) => x.member === m);
  if (!d) throw new Error(`no ${m}`);
  return d;
};

describe('containers cluster: the same topology as the local cluster', () => {
  it("has the local cluster's members, standby and workers after what they need", () => {
    expect(all.map((d) => d.member).sort()).toEqual([
      'connect-1',
      'connect-2',
      'elasticsearch',
      'kafka-1',
      'kafka-2',
      'kafka-3',
      'postgres-1',
      'postgres-2',
      'toxiproxy',
    ]);
    expect(plan.groups[1]?.map((d) => d.member)).toEqual(['postgres-2', 'connect-1', 'connect-2']);
  });

  it('runs three combined-mode brokers in one 3-voter quorum, each broker setting as the local cluster has it', () => {
    const local = kafkaNodes(ports).map((n) => brokerProperties({ ports } as StackContext, n, '/data'));
    for (const n of [1, 2, 3]) {
      const env = member(`kafka-${n}`).env;
      expect(env.KAFKA_NODE_ID).toBe(String(n));
      expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(
        `1@kafka-1:${BROKER_PORT.controller},2@kafka-2:${BROKER_PORT.controller},3@kafka-3:${BROKER_PORT.controller}`,
      );
      expect(env.KAFKA_INTER_BROKER_LISTENER_NAME).toBe('REPLICATION');
      for (const k of Object.keys(CLUSTER_BROKER_SETTINGS)) {
        expect({ k, containers: env[`KAFKA_${k.toUpperCase().replace(/\./g, '_')}`] }).toEqual({
          k,
          containers: String(local[n - 1]?.[k]),
        });
      }
    }
    expect(member('kafka-1').env.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
    expect(member('kafka-1').env.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe('3');
  });

  it("advertises Connect's and the replication listener at Toxiproxy only, the harness's at its published port", () => {
    const tox = member('toxiproxy');
    for (const n of [1, 2, 3]) {
      const adv = member(`kafka-${n}`).env.KAFKA_ADVERTISED_LISTENERS as string;
      const [, proxied, replication] = /PROXIED:\/\/([^,]+),REPLICATION:\/\/([^,]+)/.exec(adv) ?? [];
      for (const address of [proxied, replication]) {
        const [host, port] = (address as string).split(':');
        expect(tox.aliases).toContain(host);
        expect(member(`kafka-${n}`).aliases).not.toContain(host);
        expect(plan.proxies.find((p) => p.listen === `0.0.0.0:${port}`)?.upstream).toMatch(new RegExp(`^kafka-${n}:`));
      }
      expect(adv).toContain(`PLAINTEXT://127.0.0.1:${member(`kafka-${n}`).ports[0]?.host}`);
    }
  });

  it('names its proxies as the local cluster does', () => {
    expect(plan.proxies.map((p) => p.name).sort()).toEqual(
      proxySpecs(ports)
        .map((p) => p.name)
        .sort(),
    );
  });

  it(
    "runs two workers in one group, bootstrapping through the brokers' proxies, " + 'with the local worker settings',
    () => {
      for (const w of ['connect-1', 'connect-2']) {
        const env = member(w).env;
        expect(env.GROUP_ID).toBe(CONNECT_GROUP);
        expect(env.BOOTSTRAP_SERVERS).toBe('kafka-1-broker:19091,kafka-2-broker:19092,kafka-3-broker:19093');
        expect(env.CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR).toBe(
          internalTopicSettings('cluster')['config.storage.replication.factor'],
        );
        for (const s of WORKER_SETTINGS.filter(
          (x) =>
            x.key.endsWith('.ms') && !['offset.flush.interval.ms', 'task.shutdown.graceful.timeout.ms'].includes(x.key),
        )) {
          expect(env[`CONNECT_${s.key.toUpperCase().replace(/\./g, '_')}`]).toBe(s.value);
        }
      }
      expect(plan.endpoints.cluster?.workers.map((w) => w.workerId)).toEqual(['connect-1:8083', 'connect-2:8083']);
    },
  );

  it('makes postgres-2 a hot standby of postgres-1 by base backup, both with the cluster settings', () => {
    const standby = member('postgres-2').entrypoint?.join(' ') ?? '';
    expect(standby).toContain('pg_basebackup -d "$PRIMARY_CONNINFO"');
    expect(member('postgres-2').env.PRIMARY_CONNINFO).toContain('host=postgres-1 port=5432');
    for (const [k, v] of Object.entries(CLUSTER_PG_SETTINGS))
      for (const m of ['postgres-1', 'postgres-2']) expect(member(m).entrypoint?.join(' ')).toContain(`-c ${k}=${v}`);
    expect(member('postgres-1').entrypoint?.join(' ')).toContain('host replication all all');
    expect(standby).not.toContain('sync_replication_slots');
  });

  it('syncs failover slots to the standby on Postgres 17, and only there', () => {
    expect(postgresMajor('postgres:15.15')).toBe(15);
    expect(postgresMajor('postgres:17.6')).toBe(17);
    expect(failoverSlotSettings(15, 'standby')).toEqual({});
    expect(failoverSlotSettings(17, 'standby')).toMatchObject({
      sync_replication_slots: 'on',
      hot_standby_feedback: 'on',
      primary_slot_name: 'postgres_2',
    });
    expect(failoverSlotSettings(17, 'primary')).toEqual({ synchronized_standby_slots: 'postgres_2' });
    const p17 = clusterContainersPlan(
      { ...opts, images: { ...opts.images, postgres: 'postgres:17.6' } },
      'AAAAAAAAAAAAAAAAAAAAAA',
    );
    const standby17 =
      p17.groups
        .flat()
        .find((d) => d.member === 'postgres-2')
        ?.entrypoint?.join(' ') ?? '';
    expect(standby17).toContain('-C -S postgres_2');
    expect(standby17).toContain('-c sync_replication_slots=on');
  });

  it('gives the harness the primary through pg-primary, every broker direct, both workers', () => {
    const e = plan.endpoints;
    expect(e.pg.port).toBe(ports.proxyPostgresPrimary);
    expect(e.kafkaBootstrap).toBe('127.0.0.1:18401,127.0.0.1:18421,127.0.0.1:18431');
    expect(e.cluster?.postgres.map((p) => p.upstream)).toEqual(['postgres-1:5432', 'postgres-2:5432']);
    expect(member('toxiproxy').ports.map((p) => p.host)).toContain(ports.proxyPostgresPrimary);
  });
});

describe('containers cluster on the built images', () => {
  const builtImages = {
    postgres: 'outbox-chaos/postgres:0123456789abcdef',
    kafka: 'outbox-chaos/kafka:0123456789abcdef',
    connect: 'outbox-chaos/connect:0123456789abcdef',
    elasticsearch: 'outbox-chaos/elasticsearch:0123456789abcdef',
    toxiproxy: 'outbox-chaos/toxiproxy:0123456789abcdef',
  };
  const builtPlan = clusterContainersPlan(
    { ...opts, images: builtImages, imageSet: 'built', stack: 'cb' },
    'AAAAAAAAAAAAAAAAAAAAAA',
  );
  const builtAll = builtPlan.groups.flat();
  const built = (m: string): MemberDef => {
    const d = builtAll.find((x) => x.member === m);
    if (!d) throw new Error(`no ${m}`);
    return d;
  };
  const props = (text: string | undefined): Record<string, string> =>
    Object.fromEntries((text ?? '').split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

  it('has the same members, images, ports, aliases and labels as the official plan', () => {
    expect(builtAll.map((d) => d.member)).toEqual(all.map((d) => d.member));
    for (const d of builtAll) {
      const o = member(d.member);
      expect(d.image).toBe(builtImages[d.service]);
      expect({ m: d.member, ports: d.ports, aliases: d.aliases }).toEqual({
        m: o.member,
        ports: o.ports,
        aliases: o.aliases,
      });
      expect(d.labels).toEqual({ ...o.labels, 'outbox-chaos.stack': 'cb' });
    }
    expect(builtPlan.proxies).toEqual(plan.proxies);
    expect(builtPlan.networkPrefix).toBe('outbox-chaos-cb-');
  });

  it('gives each broker a properties file with what the official image gets as variables, and its log dir', () => {
    for (const n of [1, 2, 3]) {
      const d = built(`kafka-${n}`);
      const p = props(d.env.SERVER_PROPERTIES);
      const official = member(`kafka-${n}`).env;
      for (const [k, v] of Object.entries(p).filter(([k]) => k !== 'log.dirs'))
        expect({ k, v }).toEqual({ k, v: official[`KAFKA_${k.toUpperCase().replace(/\./g, '_')}`] });
      expect(Object.keys(p).length).toBe(Object.keys(official).filter((k) => /^KAFKA_(?!HEAP)/.test(k)).length + 1);
      expect(p['node.id']).toBe(String(n));
      expect(p['log.dirs']).toBe(IN_IMAGE.kafkaData);
      expect(d.env.CLUSTER_ID).toBe('AAAAAAAAAAAAAAAAAAAAAA');
      expect(d.env.KAFKA_HEAP_OPTS).toBe('-Xms512m -Xmx512m');
    }
  });

  it("formats each broker's log dir once, for its node id and cluster id, then runs the image's entrypoint", () => {
    const script = built('kafka-2').entrypoint?.join(' ') ?? '';
    expect(script).toMatch(/if \[ ! -e \S+\.formatted \]; then find \S+ -mindepth 1 -delete/);
    expect(script).toContain('StorageTool format -t "$CLUSTER_ID" -c /tmp/format.properties');
    expect(script.indexOf('touch')).toBeGreaterThan(script.indexOf('StorageTool'));
    expect(script).toMatch(/exec sh \/opt\/kafka\/entrypoint\.sh$/);
    expect(member('kafka-2').entrypoint).toBeUndefined();
  });

  it("runs two workers with the single worker's properties, the cluster's brokers and replication, own names", () => {
    for (const w of ['connect-1', 'connect-2']) {
      const d = built(w);
      const p = props(d.env.WORKER_PROPERTIES);
      expect(p['bootstrap.servers']).toBe(member(w).env.BOOTSTRAP_SERVERS);
      expect(p['group.id']).toBe(CONNECT_GROUP);
      expect(p['rest.advertised.host.name']).toBe(w);
      for (const [k, v] of Object.entries(internalTopicSettings('cluster'))) expect(p[k]).toBe(String(v));
      for (const s of WORKER_SETTINGS) expect(p[s.key]).toBe(s.value);
      // The sink is in the image: nothing mounted.
      expect(d.bindMounts).toEqual([]);
    }
  });

  it("runs Debian's Postgres: the primary through the image's entry, the standby by base backup, once", () => {
    const primary = built('postgres-1').entrypoint?.join(' ') ?? '';
    const standby = built('postgres-2').entrypoint?.join(' ') ?? '';
    for (const s of [primary, standby]) {
      expect(s).toContain("'host replication all all scram-sha-256' > /tmp/pg_hba.conf");
      expect(s).toContain('-c hba_file=/tmp/pg_hba.conf');
      for (const [k, v] of Object.entries(CLUSTER_PG_SETTINGS)) expect(s).toContain(`-c ${k}=${v}`);
      expect(s).not.toMatch(/gosu|docker-entrypoint/);
    }
    expect(primary).toContain('exec sh /entrypoint.sh postgres');
    expect(standby).toContain(`if [ ! -s ${IN_IMAGE.pgData}/PG_VERSION ]; then until ${PG_BIN}/pg_basebackup`);
    expect(standby).toContain(`exec ${PG_BIN}/postgres -D ${IN_IMAGE.pgData}`);
    expect(built('postgres-2').env.PRIMARY_CONNINFO).toBe(member('postgres-2').env.PRIMARY_CONNINFO);
    // The tag is a content hash, not a version: "0123..." must not read as Postgres 123 (failover slots).
    expect(standby).not.toContain('sync_replication_slots');
    expect(standby).not.toContain('-S postgres_2');
  });
});
