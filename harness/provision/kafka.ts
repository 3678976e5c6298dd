import { dirname, join } from 'node:path';
import { info } from '../util/log.ts';
import type { CachedArtifact } from './cache-manifest.ts';
import { MANIFEST } from './manifest.ts';
import { resolveInto, resolveKey, type Coord } from './maven.ts';

const DEBEZIUM_EXCLUDES = ['org.apache.kafka', 'org.slf4j'];

function kafkaDeps(): Coord[] {
  const { version, scala, log4j } = MANIFEST.kafka;
  const k = (artifactId: string): Coord => ({ groupId: 'org.apache.kafka', artifactId, version });
  return [
    k(`kafka_${scala}`),
    k('connect-runtime'),
    k('connect-json'),
    k('connect-transforms'),
    { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: log4j },
    { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: log4j },
  ];
}

function debeziumDeps(): Coord[] {
  return [{ groupId: 'io.debezium', artifactId: 'debezium-connector-postgres', version: MANIFEST.debezium.version }];
}

/** Where the Kafka classpath directory is cached, and what it is made from. */
export function kafkaArtifact(cache: string): CachedArtifact {
  return {
    name: `kafka ${MANIFEST.kafka.version} jars`,
    path: join(cache, 'kafka', MANIFEST.kafka.version, 'lib'),
    key: resolveKey(kafkaDeps()),
  };
}

/** Debezium's plugin directory (inside the plugin.path entry plugins/debezium-<version>). */
export function debeziumArtifact(cache: string): CachedArtifact {
  const { version } = MANIFEST.debezium;
  return {
    name: `debezium ${version} plugin`,
    path: join(cache, 'plugins', `debezium-${version}`, 'debezium-connector-postgres'),
    key: resolveKey(debeziumDeps(), DEBEZIUM_EXCLUDES),
  };
}

/** One classpath directory for both the broker (kafka.Kafka) and the Connect worker (ConnectDistributed). */
export async function ensureKafka(cache: string, opts: { force?: boolean } = {}): Promise<string> {
  const { path } = kafkaArtifact(cache);
  const t0 = Date.now();
  if (await resolveInto(path, kafkaDeps(), { force: opts.force, tmpRoot: join(cache, '.tmp') }))
    info(`    resolved Kafka ${MANIFEST.kafka.version} jars (${Date.now() - t0} ms)`);
  return path;
}

/**
 * Debezium's Postgres connector as a Connect plugin directory: its runtime closure without Kafka's own
 * jars and slf4j, which the worker provides (duplicates in a plugin's class loader cause linkage errors).
 * Returns the plugin.path entry (the parent of the plugin directory).
 */
export async function ensureDebezium(cache: string, opts: { force?: boolean } = {}): Promise<string> {
  const { path } = debeziumArtifact(cache);
  const t0 = Date.now();
  const fresh = await resolveInto(path, debeziumDeps(), {
    excludeGroupIds: DEBEZIUM_EXCLUDES,
    force: opts.force,
    tmpRoot: join(cache, '.tmp'),
  });
  if (fresh) info(`    resolved Debezium ${MANIFEST.debezium.version} plugin (${Date.now() - t0} ms)`);
  return dirname(path);
}
