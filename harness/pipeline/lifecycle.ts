import { ConnectClient, type ConnectorStatus, type ConnectorConfig } from '../connect/client.ts';
import { registerConfigSecrets, registerSecretKeys } from '../util/redact.ts';
import { connectorInstallError } from '../provision/verify.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { withKafkaAdmin } from '../stack/kafka-admin.ts';
import { taskHolders } from '../stack/task-holders.ts';
import { withPg } from '../stack/pg.ts';
import type pg from 'pg';
import { waitFor } from '../stack/wait.ts';
import { ConfigError, EnvError } from '../util/errors.ts';
import { loadDefinition, pipelineVars, type PipelineDefinition } from './definition.ts';
import { hasConnectors } from './kind.ts';
import { chooseSink, type SinkChoice } from './sink-compat.ts';
import {
  describeMissing,
  type EngineInfo,
  engineInfo,
  indexFeatures,
  type MissingFeature,
  missingFeatures,
  sinkFeatures,
} from './engine-features.ts';
import { OPENSEARCH_MODULES } from '../provision/opensearch.ts';
import { info } from '../util/log.ts';
import { defaultRunNames, type RunNames } from './run-names.ts';

async function es(ep: Endpoints, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${ep.esUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function describe(s: ConnectorStatus): string {
  return (
    `${s.name}: connector ${s.connector.state}, ` +
    `tasks ${s.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || 'none'}`
  );
}

function failedTrace(s: ConnectorStatus): string | undefined {
  if (s.connector.state === 'FAILED') return s.connector.trace ?? '(no trace)';
  const t = s.tasks.find((x) => x.state === 'FAILED');
  return t ? (t.trace ?? '(no trace)') : undefined;
}

/** Waits until the connector and all its tasks are RUNNING; a FAILED one stops the wait with its trace. */
/** How often a wait for a connector state asks Connect (a status GET costs the worker well under a millisecond). */
const POLL_MS = 50;

export async function waitRunning(
  client: ConnectClient,
  name: string,
  file: string,
  timeoutMs = 60_000,
): Promise<ConnectorStatus> {
  let last: ConnectorStatus | undefined;
  return waitFor(
    `connector ${name} to be RUNNING`,
    async () => {
      last = await client.status(name);
      if (!last) return undefined;
      const trace = failedTrace(last);
      if (trace) {
        throw new EnvError(
          `connector ${name} (${file}) FAILED: ${describe(last)}`,
          `read the trace below; fix ${file} or the service it points at`,
          trace.split('\n').slice(0, 25).join('\n'),
        );
      }
      return last.connector.state === 'RUNNING' &&
        last.tasks.length > 0 &&
        last.tasks.every((t) => t.state === 'RUNNING')
        ? last
        : undefined;
    },
    { timeoutMs, intervalMs: POLL_MS },
  ).catch((err: unknown) => {
    if (err instanceof EnvError && err.message.startsWith('timed out') && last) {
      throw new EnvError(`${err.message}; last status ${describe(last)}`, err.fix, err.details);
    }
    throw err;
  });
}

/** How to get a search engine with the modules a definition needs (docs/search-engines.md has the details). */
export const ENGINE_FIX =
  'run on an engine that has the module: the containers provider (--provider containers) runs the official ' +
  "images, which carry every module; --provider external uses the user's own engine (docs/search-engines.md)";

/** The fix for missing modules: the local OpenSearch first where it has them all. */
export function engineFix(missing: MissingFeature[], engine: EngineInfo): string {
  const local = new Set(OPENSEARCH_MODULES.map((m) => m.name));
  const all = missing.every((m) => local.has(m.module));
  if (engine.engine === 'opensearch' || !all) return ENGINE_FIX;
  return (
    'on the local provider, `--search opensearch` (on `up` or `run`; a running stack: `down` first) runs ' +
    `OpenSearch with ${[...local].join(', ')}; or ${ENGINE_FIX}`
  );
}

/** What the search engine at the endpoints has (`GET /_nodes/plugins`). */
export async function readEngine(ep: Endpoints): Promise<EngineInfo> {
  const r = await es(ep, 'GET', '/_nodes/plugins');
  if (!r.ok) throw new EnvError(`GET ${ep.esUrl}/_nodes/plugins answered ${r.status}: ${await r.text()}`);
  return engineInfo(await r.json());
}

/**
 * Refuses a definition whose index (mappings, analysis, settings) or sink settings use a feature the engine
 * lacks, before anything is created or registered. It is the environment's fault (exit 3), not the file's.
 */
export async function checkEngineFeatures(ep: Endpoints, def: PipelineDefinition): Promise<EngineInfo> {
  const engine = await readEngine(ep);
  const indices = def.tables
    ? def.tables.flatMap((t) => (t.esIndex ? [indexFeatures(t.esIndex, `${def.dir}/${t.spec.mapping}`)] : []))
    : [indexFeatures(def.esIndex, `${def.dir}/es-index.json`)];
  const uses = [...indices.flat(), ...sinkFeatures(def.sink.config, def.sink.file)];
  const missing = missingFeatures(uses, engine);
  if (missing.length) throw new EnvError(describeMissing(missing, engine, ep.esUrl), engineFix(missing, engine));
  return engine;
}

/** The engine's words for a name it has no implementation of (a field type or an analysis component). */
const UNKNOWN_FEATURE = new RegExp(
  [
    'mapper type \\[[^\\]]*\\] declared on field',
    'no handler for type',
    'failed to find (global )?(tokenizer|token filter|filter|char[_ ]filter|analyzer|normalizer)',
    'unknown (tokenizer|filter|char_filter|analyzer|normalizer) type',
    'has not been configured in mappings',
    'script_lang not supported',
    'no processor type exists',
  ].join('|'),
  'i',
);

/**
 * Why the engine refused the index: a name it does not know is either misspelled in the file or provided by a
 * module this engine lacks (a feature the checker's table does not list), so both are named; any other 4xx is
 * the file's (exit 2); anything else the engine's (exit 3).
 */
export function indexCreationError(
  index: string,
  dir: string,
  status: number,
  body: string,
  file = 'es-index.json',
): Error {
  const what = `creating index ${index} failed (${status}): ${body}`;
  if (UNKNOWN_FEATURE.test(body))
    return new EnvError(
      `${what}\n  the engine does not know a name ${file} uses: a misspelling, or a module this engine lacks`,
      `check the name in ${dir}/${file}; if it is right, ${ENGINE_FIX}`,
    );
  if (status >= 400 && status < 500) return new ConfigError(what, `fix ${file} in ${dir}`);
  return new EnvError(what, "read the engine's answer above and its log");
}

/** Creates the database (if missing), runs the definition's schema.sql as given, and creates the index. */
export async function prepareStores(ep: Endpoints, def: PipelineDefinition, names: RunNames): Promise<void> {
  // The two stores do not depend on each other: side by side.
  const pg = (async () => {
    await withPg(ep, 'postgres', async (c) => {
      const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [ep.pg.database]);
      if (r.rowCount === 0) await c.query(`CREATE DATABASE "${ep.pg.database}"`);
    });
    await withPg(ep, ep.pg.database, async (c) => {
      try {
        await c.query(def.schemaSql);
      } catch (err) {
        throw new EnvError(
          `schema.sql from ${def.dir} failed in Postgres: ${(err as Error).message}`,
          'fix the SQL, or run `outbox-chaos down && outbox-chaos up` if the objects exist from an earlier run',
        );
      }
    });
  })();
  const create = async (index: string, body: Record<string, unknown> | undefined, file?: string): Promise<void> => {
    await es(ep, 'DELETE', `/${index}`);
    if (!body) return; // the sink creates it, with its own or dynamic mappings
    const created = await es(ep, 'PUT', `/${index}`, body);
    if (!created.ok) throw indexCreationError(index, def.dir, created.status, await created.text(), file);
  };
  const indices = def.tables
    ? def.tables.map((t) => create(t.spec.index, t.esIndex, t.spec.mapping))
    : [create(names.index, def.esIndex)];
  await settleAll([pg, ...indices]);
}

/** Like Promise.all, but waits for every promise before throwing the first failure (nothing left running). */
async function settleAll<T>(ps: Promise<T>[]): Promise<T[]> {
  const r = await Promise.allSettled(ps);
  const failed = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  return r.map((x) => (x as PromiseFulfilledResult<T>).value);
}

/**
 * Registers the definition's source and sink side by side, each awaited RUNNING. The sink does not need the
 * source first: it subscribes to its topics whenever they appear (as with a source registered during the
 * workload).
 */
export async function registerConnectors(
  ep: Endpoints,
  def: PipelineDefinition,
  opts: { source?: boolean } = {},
): Promise<void> {
  await createSourceTopics(ep, def);
  await settleAll([
    ...(opts.source === false ? [] : [registerConnector(ep, def.source)]),
    registerConnector(ep, def.sink),
  ]);
}

/**
 * The topic settings a source asks Connect to create its topics with (`topic.creation.default.*`), as
 * kafkajs's createTopics takes them; undefined when it asks for none (the brokers' defaults then apply).
 */
export function sourceTopicCreation(
  source: PipelineDefinition['source']['config'],
): { numPartitions: number; replicationFactor: number; configEntries: { name: string; value: string }[] } | undefined {
  const prefix = 'topic.creation.default.';
  const keys = Object.keys(source).filter((k) => k.startsWith(prefix));
  if (keys.length === 0) return undefined;
  const num = (k: string): number => {
    const v = source[`${prefix}${k}`];
    return v === undefined ? -1 : Number(v);
  };
  const skip = new Set(['replication.factor', 'partitions', 'include', 'exclude']);
  const configEntries = keys
    .map((k) => k.slice(prefix.length))
    .filter((k) => !skip.has(k))
    .map((name) => ({ name, value: String(source[`${prefix}${name}`]) }));
  return { numPartitions: num('partitions'), replicationFactor: num('replication.factor'), configEntries };
}

/**
 * A source with `topic.creation.default.*` settings gets the topics the sink reads created with them before
 * either connector starts. Connect would apply them only when it creates a topic itself, on the source's first
 * record; by then the sink's consumer, subscribed first, has had the brokers auto-create it with their
 * defaults, and the definition's settings would silently not apply.
 */
export async function createSourceTopics(ep: Endpoints, def: PipelineDefinition): Promise<string[]> {
  const settings = sourceTopicCreation(def.source.config);
  const topics = String(def.sink.config.topics ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (!settings || topics.length === 0) return [];
  return withKafkaAdmin(ep.kafkaBootstrap, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, ...settings })) });
    info(
      `  created ${missing.join(', ')} with the source's topic.creation.default.* settings ` +
        `(partitions ${settings.numPartitions}, replication ` +
        `factor ${settings.replicationFactor}${settings.configEntries.map((c) => `, ${c.name}=${c.value}`).join('')})`,
    );
    return missing;
  });
}

/** Registers one connector of the definition and waits until it and its tasks run. */
export async function registerConnector(ep: Endpoints, c: PipelineDefinition['source']): Promise<void> {
  const client = new ConnectClient(ep.connectUrl);
  try {
    await client.put(c.name, c.config, c.file);
  } catch (err) {
    // A connector class that provisioning installed but Connect cannot find is a damaged cache, not the user's config.
    const install = ep.pluginsFromCache && err instanceof ConfigError ? connectorInstallError(err.message) : undefined;
    throw install ?? err;
  }
  await waitRunning(client, c.name, c.file);
}

/**
 * The keys each connector's ConfigDef on this worker types PASSWORD are secret (Connect hides them in its own
 * output too); their values in the definition are masked from here on. A worker that does not answer leaves
 * the conventional names (docs/secrets.md).
 */
async function learnSecretKeys(client: ConnectClient, configs: ConnectorConfig[]): Promise<void> {
  for (const config of configs) {
    const cls = config['connector.class'];
    if (!cls) continue;
    const keys = await client.pluginConfig(cls).catch(() => []);
    registerSecretKeys(keys.filter((k) => k.type === 'PASSWORD').map((k) => k.name));
    registerConfigSecrets(config);
  }
}

/**
 * The definition as it will run on this worker: a sink naming Confluent's connector runs ours in its place
 * where the worker does not have Confluent's (said once here; every report says it too).
 */
export async function resolveSink(
  ep: Endpoints,
  def: PipelineDefinition,
): Promise<{ def: PipelineDefinition; sink: SinkChoice }> {
  const client = new ConnectClient(ep.connectUrl);
  const installed = await client.plugins();
  await learnSecretKeys(client, [def.source.config, def.sink.config]);
  const { config, choice } = chooseSink(def.sink.config, def.sink.file, installed);
  if (choice.substituted)
    info(
      `  sink: ${choice.requested} is not installed on this worker; running ${choice.ran} ` +
        `in its place, with the same keys (connectors/es-sink/README.md: compatibility)`,
    );
  if (choice.ignored.length) info(`  sink: keys accepted and ignored by ${choice.ran}: ${choice.ignored.join(', ')}`);
  return { def: { ...def, sink: { ...def.sink, config } }, sink: choice };
}

/**
 * Creates the database objects, the index and both connectors, in the order the data flows, and waits until
 * both connectors run. The definition's schema.sql runs as given: it is part of what is under test.
 */
export async function setupPipeline(ep: Endpoints, definition: PipelineDefinition, names: RunNames): Promise<void> {
  await checkEngineFeatures(ep, definition);
  const { def } = await resolveSink(ep, definition);
  await prepareStores(ep, def, names);
  if (!hasConnectors(def.pipeline)) return; // dual-write: the application indexes Elasticsearch itself
  await registerConnectors(ep, def);
}

/**
 * Whether a connector of `next` re-created under its old name could read offsets a previous run left. A
 * Debezium source keeps its offsets under the partition {server: topic.prefix}, and a sink's consumer group
 * its committed offsets per topic; every run takes a fresh topic prefix, so when the source's prefix and every
 * topic the sink reads are this run's, nothing of the old offsets can match and wiping them is not needed.
 * Anything else (another source class, a fixed prefix, a topic outside the run's prefix) is wiped as before.
 */
export function oldOffsetsUnreachable(next: PipelineDefinition, names: RunNames, connector: string): boolean {
  if (!/^oc[0-9a-z]+$/.test(names.topicPrefix)) return false; // not a fresh run prefix (e.g. `up`'s defaults)
  if (connector === next.source.name) {
    const c = next.source.config;
    return (c['connector.class'] ?? '').startsWith('io.debezium.connector.') && c['topic.prefix'] === names.topicPrefix;
  }
  if (connector === next.sink.name) {
    const c = next.sink.config;
    if (c['topics.regex'] !== undefined) return false;
    const topics = (c.topics ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    return topics.length > 0 && topics.every((t) => t.startsWith(`${names.topicPrefix}.`));
  }
  return false;
}

/**
 * Whether a stopped connector's tasks are gone too. Connect reports the connector STOPPED as soon as the stop
 * is recorded, while its tasks keep running until the rebalance that follows has shut them down (a Debezium
 * task first sits out its wait for events, `poll.interval.ms`; a sink task's consumer the fetch the broker holds,
 * `fetch.max.wait.ms`); only then does the status list no tasks.
 */
export function fullyStopped(s: ConnectorStatus | undefined): boolean {
  return s !== undefined && s.connector.state === 'STOPPED' && s.tasks.length === 0;
}

/**
 * Whether the services a STOPPED connector's tasks used see no task left: a sink's consumer group has no member,
 * a source's replication slot no walsender (taskHolders). Undefined when it cannot tell (a source without a
 * slot.name, a failed look).
 */
async function tasksGoneFromServices(
  ep: Endpoints,
  client: ConnectClient,
  st: ConnectorStatus,
): Promise<boolean | undefined> {
  const slot = st.type === 'sink' ? undefined : (await client.config(st.name).catch(() => undefined))?.['slot.name'];
  if (st.type !== 'sink' && slot === undefined) return undefined;
  const held = await taskHolders(ep, slot === undefined ? { group: `connect-${st.name}` } : { slot });
  return held === undefined ? undefined : held.length === 0;
}

/**
 * Stops a connector and waits until it and every task of it have stopped (a sink may flush until then). Up to
 * 60 s: on a cluster just after a broker was killed, a worker may spend 30 s catching up with the config topic
 * before the rebalance that releases the tasks (seen once, the stop done 30.3 s after it was asked for). The
 * tasks' own states live in Connect's status topic: after a broker lost its disk, a worker's writes there failed
 * for over a minute while its tasks had long stopped. So after 5 s a STOPPED connector whose tasks the services
 * no longer see (tasksGoneFromServices) counts as stopped too.
 */
async function stopConnector(ep: Endpoints, client: ConnectClient, name: string): Promise<void> {
  await client.stop(name);
  const t0 = Date.now();
  await waitFor(
    `connector ${name} and its tasks to stop`,
    async () => {
      const st = await client.status(name);
      if (fullyStopped(st)) return true;
      if (st?.connector.state !== 'STOPPED' || Date.now() - t0 < 5000) return false;
      return (await tasksGoneFromServices(ep, client, st)) === true;
    },
    { timeoutMs: 60_000, intervalMs: POLL_MS },
  );
}

/**
 * Puts the pipeline back to empty between scenarios, in well under a second and without restarting anything,
 * the way an operator would. On a stack of our own (`everything`) every connector, replication slot and
 * publication goes; otherwise only the connectors named and the run's own slot and publication. Then the table
 * and the index go. Runs use fresh topic and slot names, so nothing of the previous run can leak into the
 * next; `next` (the definition about to be registered) lets the connectors' offset wipe be skipped when
 * nothing of the old offsets can be read again (oldOffsetsUnreachable). Connectors stop side by side; the
 * index goes only once every sink is STOPPED (a sink still flushing would write into the new one).
 * `afterStores` (creating the next run's stores) starts once the old ones are gone, beside the connectors'
 * removal: Connect's DELETE is the slowest part, and stopped connectors touch neither store.
 */
export async function resetPipeline(
  ep: Endpoints,
  names: RunNames,
  scope: { everything: boolean; connectors: string[] },
  next?: PipelineDefinition,
  afterStores?: () => Promise<void>,
): Promise<void> {
  const client = new ConnectClient(ep.connectUrl);
  const existing = await client.list();
  const targets = scope.everything ? existing : scope.connectors.filter((n) => existing.includes(n));
  await settleAll(targets.map((name) => stopConnector(ep, client, name)));
  const connectors = settleAll(
    targets.map(async (name) => {
      if (!next || !oldOffsetsUnreachable(next, names, name)) await client.deleteOffsets(name);
      await client.delete(name);
    }),
  ).then(() => undefined);
  const postgres = (async () => {
    if (scope.everything) {
      await withPg(ep, 'postgres', async (c) => {
        const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [ep.pg.database]);
        if (r.rowCount === 0) await c.query(`CREATE DATABASE "${ep.pg.database}"`);
      });
    }
    // Logical slots only: a cluster's physical slots (its standby's, on Postgres 17) belong to the stack.
    const slots = scope.everything ? " AND slot_type = 'logical'" : ' AND slot_name = $1';
    const args = scope.everything ? [] : [names.slot];
    await withPg(ep, ep.pg.database, async (c) => {
      // A walsender may linger for a moment after its task stopped; a slot in use cannot be dropped.
      await waitFor(
        'replication slots to be released',
        async () => {
          await c.query(
            `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE active_pid IS NOT NULL${slots}`,
            args,
          );
          return (await c.query(`SELECT 1 FROM pg_replication_slots WHERE active${slots}`, args)).rowCount === 0;
        },
        { timeoutMs: 15_000, intervalMs: POLL_MS },
      );
      await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE true${slots}`, args);
      const pubs = scope.everything
        ? (await c.query<{ pubname: string }>('SELECT pubname FROM pg_publication')).rows.map((r) => r.pubname)
        : [names.publication];
      for (const pub of pubs) await c.query(`DROP PUBLICATION IF EXISTS "${pub}"`);
      await c.query(`DROP TABLE IF EXISTS "${names.table}" CASCADE`);
      // The healthy definition's signal table (schema.sql) goes with its table.
      await c.query(`DROP TABLE IF EXISTS "${names.table}_signal"`);
      await c.query(`DROP TABLE IF EXISTS "${names.outboxTable}"`);
      // A definition's own tables (and their types) may be anything: on a stack of our own, all of public goes.
      if (scope.everything) await dropPublicObjects(c);
    });
  })();
  const indices = [names.index, ...(next?.tables ?? []).map((t) => t.spec.index)];
  const stores = settleAll([postgres, ...indices.map((i) => es(ep, 'DELETE', `/${i}`).then(() => undefined))]).then(
    () => afterStores?.(),
  );
  await settleAll([connectors, stores]);
}

/** Every table, then every enum and composite type, of the public schema (a stack of our own only). */
async function dropPublicObjects(c: pg.ClientBase): Promise<void> {
  const tables = await c.query<{ t: string }>(
    "SELECT format('%I', tablename) AS t FROM pg_tables WHERE schemaname = 'public'",
  );
  if (tables.rows.length) await c.query(`DROP TABLE IF EXISTS ${tables.rows.map((r) => r.t).join(', ')} CASCADE`);
  const types = await c.query<{ t: string }>(
    `SELECT format('%I', t.typname) AS t FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype = 'e'`,
  );
  if (types.rows.length) await c.query(`DROP TYPE IF EXISTS ${types.rows.map((r) => r.t).join(', ')} CASCADE`);
}

/** Deletes the run's topics (its prefix's data topics and Debezium's heartbeat topic), nothing else. */
export async function dropRunTopics(ep: Endpoints, names: RunNames): Promise<string[]> {
  return withKafkaAdmin(ep.kafkaBootstrap, async (admin) => {
    const mine = (await admin.listTopics()).filter(
      (t) => t.startsWith(`${names.topicPrefix}.`) || t === `__debezium-heartbeat.${names.topicPrefix}`,
    );
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
    return mine;
  });
}

/** The names the currently registered source connector uses (a run picks fresh ones), else the defaults. */
export async function registeredNames(ep: Endpoints, source = 'product-connector'): Promise<RunNames> {
  const cfg = await new ConnectClient(ep.connectUrl).config(source).catch(() => undefined);
  const d = defaultRunNames();
  return { ...d, topicPrefix: cfg?.['topic.prefix'] ?? d.topicPrefix, slot: cfg?.['slot.name'] ?? d.slot };
}

/** Puts the healthy pipeline (connectors/) back on a stack of the harness's own, as `up` registered it. */
export async function restoreDefaultPipeline(ep: Endpoints): Promise<void> {
  const names = defaultRunNames();
  const def = loadDefinition(undefined, pipelineVars(ep, names));
  await resetPipeline(ep, { ...names, table: def.table }, { everything: true, connectors: [] });
  await setupPipeline(ep, def, names);
}
