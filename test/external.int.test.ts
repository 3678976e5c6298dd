import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { ConnectClient } from '../harness/connect/client.ts';
import { withPg } from '../harness/connect/pipeline.ts';
import { ScenarioSkipped } from '../harness/provider/capabilities.ts';
import { openExternal } from '../harness/provider/external.ts';
import type { Provider } from '../harness/provider/provider.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { withKafkaAdmin } from '../harness/stack/kafka-admin.ts';
import { ConfigError } from '../harness/util/errors.ts';

/**
 * The external provider, for real: the shared local stack plays an existing environment that somebody else
 * owns. Its own pipeline (registered by `up`) and a few sentinel objects must come through every run
 * untouched, and each run must leave nothing of its own behind.
 */
const ep = inject('endpoints');
const dir = mkdtempSync(join(tmpdir(), 'outbox-chaos-external-'));
const envFile = join(dir, 'env.yaml');

interface Inventory {
  connectors: string[];
  slots: string[];
  publications: string[];
  tables: string[];
  indices: string[];
  topics: string[];
}

async function inventory(): Promise<Inventory> {
  const [slots, publications, tables] = await withPg(ep, ep.pg.database, async (c) => [
    (await c.query<{ n: string }>('SELECT slot_name AS n FROM pg_replication_slots ORDER BY 1')).rows.map((r) => r.n),
    (await c.query<{ n: string }>('SELECT pubname AS n FROM pg_publication ORDER BY 1')).rows.map((r) => r.n),
    (await c.query<{ n: string }>("SELECT tablename AS n FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.n),
  ]);
  const indices = ((await (await fetch(`${ep.esUrl}/_cat/indices?format=json&h=index`)).json()) as { index: string }[]).map((i) => i.index).filter((i) => !i.startsWith('.')).sort();
  const topics = (await withKafkaAdmin(ep.kafkaBootstrap, (a) => a.listTopics())).sort();
  return { connectors: (await new ConnectClient(ep.connectUrl).list()).sort(), slots, publications, tables, indices, topics };
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
        postgres: { host: ep.pg.host, port: ep.pg.port, database: ep.pg.database, user: ep.pg.user, password: ep.pg.password, fromConnect: `${ep.pgProxied.host}:${ep.pgProxied.port}` },
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
      await c.query("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'sentinel_pub') THEN CREATE PUBLICATION sentinel_pub FOR TABLE sentinel_keep; END IF; END $$");
    });
    await fetch(`${ep.esUrl}/sentinel-keep/_doc/1?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"keep":true}' });
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
      const { report } = await runScenario({ scenario: loadScenario(name), provider, replay: `npx outbox-chaos run ${name} --provider external --env ${envFile}` });
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
    const err = await runScenario({ scenario: loadScenario('connect-crash'), provider, replay: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioSkipped);
    expect((err as ScenarioSkipped).reasons.join('\n')).toMatch(/control of the connect process, which the external provider does not have/);
    await expectUnchanged(before);
  });

  it('refuses a definition that names fixed objects, before it touches anything', async () => {
    const fixed = join(dir, 'fixed');
    mkdirSync(fixed);
    writeFileSync(join(fixed, 'schema.sql'), 'CREATE TABLE products (product_id SERIAL PRIMARY KEY, name text, description text, price numeric(10,2), created_at timestamp);\nCREATE PUBLICATION product_publication FOR TABLE products;\n');
    const err = await runScenario({ scenario: loadScenario('baseline'), provider, connectorsDir: fixed, replay: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/creates table "products"/);
    expect((err as Error).message).toMatch(/creates publication "product_publication"/);
    expect((err as ConfigError).fix).toMatch(/--allow-destructive/);
    await expectUnchanged(before);
  });
});
