import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedEndpoints } from './stack.ts';
import { stringify as toYaml } from 'yaml';
import { cleanCommand } from '../harness/cli/clean.ts';
import { ScenarioSkipped } from '../harness/faults/capabilities.ts';
import { freshRunNames } from '../harness/pipeline/run-names.ts';
import { openExternal } from '../harness/provider/external.ts';
import type { Provider } from '../harness/provider/interface.ts';
import {
  findLeftovers,
  listObjects,
  removeLeftover,
  type Leftover,
  type Objects,
} from '../harness/provider/leftovers.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { withKafkaAdmin } from '../harness/stack/kafka-admin.ts';
import { withPg } from '../harness/stack/pg.ts';
import { ConfigError } from '../harness/util/errors.ts';

/**
 * The external provider, for real: the shared local stack plays an existing environment that somebody else
 * owns. Its own pipeline (registered by `up`) and a few sentinel objects must come through every run
 * untouched, and each run must leave nothing of its own behind.
 */
const ep = sharedEndpoints();
const dir = mkdtempSync(join(tmpdir(), 'outbox-chaos-external-'));
const envFile = join(dir, 'env.yaml');

type Inventory = Objects;

/** Everything that could be touched, sorted; system indices (".…") come and go on their own. */
async function inventory(): Promise<Inventory> {
  const o = await listObjects(ep);
  const tidy = (v: string[]) => v.filter((x) => !x.startsWith('.')).sort();
  return {
    connectors: tidy(o.connectors),
    slots: tidy(o.slots),
    publications: tidy(o.publications),
    tables: tidy(o.tables),
    indices: tidy(o.indices),
    topics: tidy(o.topics),
  };
}

/** Deletions settle asynchronously (Kafka topics above all): the inventory gets a few seconds to match. */
async function expectUnchanged(before: Inventory): Promise<void> {
  let now = await inventory();
  for (let i = 0; i < 20 && JSON.stringify(now) !== JSON.stringify(before); i++) {
    await new Promise((r) => setTimeout(r, 500));
    now = await inventory();
  }
  expect(now).toEqual(before);
}

describe('external provider, pointed at a running stack', () => {
  let provider: Provider;
  let before: Inventory;

  beforeAll(async () => {
    writeFileSync(
      envFile,
      toYaml({
        postgres: {
          host: ep.pg.host,
          port: ep.pg.port,
          database: ep.pg.database,
          user: ep.pg.user,
          password: ep.pg.password,
          fromConnect: `${ep.pgProxied.host}:${ep.pgProxied.port}`,
        },
        kafka: { bootstrap: ep.kafkaBootstrap, fromConnect: ep.kafkaProxied },
        connect: { url: ep.connectUrl },
        elasticsearch: { url: ep.esUrl, fromConnect: ep.esProxiedUrl },
        toxiproxy: { url: ep.toxiproxyUrl, proxies: { pg: 'pg', kafka: 'kafka', es: 'es' } },
      }),
    );
    // Objects of "somebody else" that no run may touch.
    await withPg(ep, ep.pg.database, async (c) => {
      await c.query('CREATE TABLE IF NOT EXISTS sentinel_keep (id int primary key)');
      await c.query('INSERT INTO sentinel_keep VALUES (1) ON CONFLICT DO NOTHING');
      await c.query(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'sentinel_pub') " +
          'THEN CREATE PUBLICATION sentinel_pub FOR TABLE sentinel_keep; END IF; END $$',
      );
    });
    await fetch(`${ep.esUrl}/sentinel-keep/_doc/1?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"keep":true}',
    });
    provider = await openExternal(envFile);
    before = await inventory();
  });

  afterAll(async () => {
    await withPg(ep, ep.pg.database, async (c) => {
      await c.query('DROP PUBLICATION IF EXISTS sentinel_pub');
      await c.query('DROP TABLE IF EXISTS sentinel_keep');
    });
    await fetch(`${ep.esUrl}/sentinel-keep`, { method: 'DELETE' });
  });

  it('offers network faults on the hops the env file names, and no process faults', () => {
    expect(provider.kind).toBe('external');
    expect(provider.exclusive).toBe(false);
    expect(provider.capabilities.process).toEqual([]);
    expect([...provider.capabilities.proxies].sort()).toEqual(['es', 'kafka', 'pg']);
    expect(provider.versions.postgres).toMatch(/^15\./);
    expect(provider.versions.elasticsearch).toMatch(/^\d+\.\d+\.\d+$/);
  });

  for (const name of ['baseline', 'es-outage']) {
    it(`runs ${name} on objects of its own and removes them afterwards`, async () => {
      const { report } = await runScenario({
        scenario: loadScenario(name),
        provider,
        replay: `npx outbox-chaos run ${name} --provider external --env ${envFile}`,
      });
      expect(report.passed, renderMarkdown(report)).toBe(true);
      expect(report.provider).toBe('external');
      // Every object the run made carried its tag, and it is gone again; nothing else changed.
      const [source, sink] = report.connectors.map((c) => c.name);
      const tag = source?.split('-')[0] ?? '';
      expect(tag).toMatch(/^oc[0-9a-z]+$/);
      expect(sink?.startsWith(`${tag}-`)).toBe(true);
      await expectUnchanged(before);
    });
  }

  it('reports a scenario with a process fault as skipped, with the reason, and changes nothing', async () => {
    const err = await runScenario({ scenario: loadScenario('connect-crash'), provider, replay: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScenarioSkipped);
    expect((err as ScenarioSkipped).reasons.join('\n')).toMatch(
      /control of the connect process, which the external provider does not have/,
    );
    await expectUnchanged(before);
  });

  it("clean removes what an old run left, and keeps a recent run's and everybody else's", async () => {
    const plant = async (startedAt: number) => {
      const n = freshRunNames(true, `oc${startedAt.toString(36)}zz`);
      await withPg(ep, ep.pg.database, async (c) => {
        await c.query(`CREATE TABLE "${n.table}" (product_id int primary key)`);
        await c.query(`CREATE PUBLICATION "${n.publication}" FOR TABLE "${n.table}"`);
        await c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [n.slot]);
      });
      await fetch(`${ep.esUrl}/${n.index}`, { method: 'PUT' });
      await withKafkaAdmin(ep.kafkaBootstrap, (a) =>
        a.createTopics({ topics: [{ topic: `${n.topicPrefix}.public.${n.table}` }], waitForLeaders: true }),
      );
      return n;
    };
    const old = await plant(Date.now() - 3 * 3600_000);
    const recent = await plant(Date.now() - 60_000);
    const exit = await cleanCommand(['--provider', 'external', '--env', envFile, '--older-than', '30', '--yes']);
    expect(exit).toBe(0);
    const now = await inventory();
    for (const name of [old.table, old.publication, old.slot, old.index])
      expect(JSON.stringify(now)).not.toContain(`"${name}"`);
    for (const name of [recent.table, recent.publication, recent.slot, recent.index])
      expect(JSON.stringify(now)).toContain(`"${name}"`);
    await removeLeftover(
      ep,
      findLeftovers(await listObjects(ep)).find((l) => l.tag === recent.topicPrefix) as Leftover,
    );
    await expectUnchanged(before);
  });

  it('refuses a definition that names fixed objects, before it touches anything', async () => {
    const fixed = join(dir, 'fixed');
    mkdirSync(fixed);
    writeFileSync(
      join(fixed, 'schema.sql'),
      'CREATE TABLE products (product_id SERIAL PRIMARY KEY, name text, description text, price numeric(10,2), ' +
        'created_at timestamp);\nCREATE PUBLICATION product_publication FOR TABLE products;\n',
    );
    const err = await runScenario({
      scenario: loadScenario('baseline'),
      provider,
      connectorsDir: fixed,
      replay: 'x',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/creates table "products"/);
    expect((err as Error).message).toMatch(/creates publication "product_publication"/);
    expect((err as ConfigError).fix).toMatch(/--allow-destructive/);
    await expectUnchanged(before);
  });
});
