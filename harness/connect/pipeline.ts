import pg from 'pg';
import type { Endpoints } from '../stack/endpoints.ts';
import { waitFor } from '../stack/wait.ts';
import { EnvError } from '../util/errors.ts';
import { ConnectClient, type ConnectorStatus } from './client.ts';
import type { PipelineDefinition, PipelineVars } from './definition.ts';

/** Names that differ per run, so a reset never has to wait for Kafka to forget a topic or a slot. */
export interface RunNames {
  topicPrefix: string;
  slot: string;
  index: string;
}

export function defaultRunNames(): RunNames {
  return { topicPrefix: 'outbox', slot: 'outbox_chaos_products', index: 'products' };
}

export function pipelineVars(ep: Endpoints, names: RunNames): PipelineVars {
  return {
    PG_HOST: ep.pgProxied.host,
    PG_PORT: String(ep.pgProxied.port),
    PG_USER: ep.pg.user,
    PG_PASSWORD: ep.pg.password,
    PG_DATABASE: ep.pg.database,
    KAFKA_BOOTSTRAP: ep.kafkaProxied,
    ES_URL: ep.esProxiedUrl,
    TOPIC_PREFIX: names.topicPrefix,
    SLOT_NAME: names.slot,
    INDEX: names.index,
  };
}

export async function withPg<T>(ep: Endpoints, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...ep.pg, database, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function es(ep: Endpoints, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${ep.esUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function describe(s: ConnectorStatus): string {
  return `${s.name}: connector ${s.connector.state}, tasks ${s.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || 'none'}`;
}

function failedTrace(s: ConnectorStatus): string | undefined {
  if (s.connector.state === 'FAILED') return s.connector.trace ?? '(no trace)';
  const t = s.tasks.find((x) => x.state === 'FAILED');
  return t ? (t.trace ?? '(no trace)') : undefined;
}

/** Waits until the connector and all its tasks are RUNNING; a FAILED one stops the wait with its trace. */
export async function waitRunning(client: ConnectClient, name: string, file: string, timeoutMs = 60_000): Promise<ConnectorStatus> {
  let last: ConnectorStatus | undefined;
  return waitFor(
    `connector ${name} to be RUNNING`,
    async () => {
      last = await client.status(name);
      if (!last) return undefined;
      const trace = failedTrace(last);
      if (trace) {
        throw new EnvError(`connector ${name} (${file}) FAILED: ${describe(last)}`, `read the trace below; fix ${file} or the service it points at`, trace.split('\n').slice(0, 25).join('\n'));
      }
      return last.connector.state === 'RUNNING' && last.tasks.length > 0 && last.tasks.every((t) => t.state === 'RUNNING') ? last : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  ).catch((err: unknown) => {
    if (err instanceof EnvError && err.message.startsWith('timed out') && last) {
      throw new EnvError(`${err.message}; last status ${describe(last)}`, err.fix, err.details);
    }
    throw err;
  });
}

/** Creates the database (if missing), runs the definition's schema.sql as given, and creates the index. */
export async function prepareStores(ep: Endpoints, def: PipelineDefinition, names: RunNames): Promise<void> {
  await withPg(ep, 'postgres', async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [ep.pg.database]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${ep.pg.database}"`);
  });
  await withPg(ep, ep.pg.database, async (c) => {
    try {
      await c.query(def.schemaSql);
    } catch (err) {
      throw new EnvError(`schema.sql from ${def.dir} failed in Postgres: ${(err as Error).message}`, 'fix the SQL, or run `outbox-chaos down && outbox-chaos up` if the objects exist from an earlier run');
    }
  });
  await es(ep, 'DELETE', `/${names.index}`);
  const created = await es(ep, 'PUT', `/${names.index}`, def.esIndex);
  if (!created.ok) throw new EnvError(`creating index ${names.index} failed: ${await created.text()}`, `fix es-index.json in ${def.dir}`);
}

/** Registers one connector of the definition and waits until it and its tasks run. */
export async function registerConnector(ep: Endpoints, c: PipelineDefinition['source']): Promise<void> {
  const client = new ConnectClient(ep.connectUrl);
  await client.put(c.name, c.config, c.file);
  await waitRunning(client, c.name, c.file);
}

/**
 * Creates the database objects, the index and both connectors, in the order the data flows, and waits until
 * both connectors run. The definition's schema.sql runs as given: it is part of what is under test.
 */
export async function setupPipeline(ep: Endpoints, def: PipelineDefinition, names: RunNames): Promise<void> {
  await prepareStores(ep, def, names);
  await registerConnector(ep, def.source);
  await registerConnector(ep, def.sink);
}

/**
 * Puts the stack back to empty between scenarios, in seconds and without restarting anything, the way an
 * operator would: every connector is stopped, its offsets wiped (a connector re-created under the same name
 * must not resume from them) and deleted; then replication slots, publications, the table and the index go.
 * Runs then use fresh topic and slot names, so nothing of the previous run can leak into the next.
 */
export async function resetPipeline(ep: Endpoints, table: string, index: string): Promise<void> {
  const client = new ConnectClient(ep.connectUrl);
  for (const name of await client.list()) {
    await client.stop(name);
    await waitFor(`connector ${name} to stop`, async () => (await client.status(name))?.connector.state === 'STOPPED', { timeoutMs: 30_000 });
    await client.deleteOffsets(name);
    await client.delete(name);
  }
  await withPg(ep, 'postgres', async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [ep.pg.database]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${ep.pg.database}"`);
  });
  await withPg(ep, ep.pg.database, async (c) => {
    // A walsender may linger for a moment after its task stopped; a slot in use cannot be dropped.
    await waitFor(
      'replication slots to be released',
      async () => {
        await c.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE active_pid IS NOT NULL');
        return (await c.query('SELECT 1 FROM pg_replication_slots WHERE active')).rowCount === 0;
      },
      { timeoutMs: 15_000 },
    );
    await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots');
    for (const row of (await c.query<{ pubname: string }>('SELECT pubname FROM pg_publication')).rows) {
      await c.query(`DROP PUBLICATION IF EXISTS "${row.pubname}"`);
    }
    await c.query(`DROP TABLE IF EXISTS "${table}" CASCADE`);
  });
  await es(ep, 'DELETE', `/${index}`);
}

/** The names the currently registered source connector uses (a run picks fresh ones), else the defaults. */
export async function registeredNames(ep: Endpoints, source = 'product-connector'): Promise<RunNames> {
  const cfg = await new ConnectClient(ep.connectUrl).config(source).catch(() => undefined);
  const d = defaultRunNames();
  return { topicPrefix: cfg?.['topic.prefix'] ?? d.topicPrefix, slot: cfg?.['slot.name'] ?? d.slot, index: d.index };
}
