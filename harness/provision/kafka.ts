import { dirname, join } from 'node:path';
import { info } from '../util/log.ts';
import type { CachedArtifact } from './cache-manifest.ts';
import { MANIFEST } from './manifest.ts';
import { resolveInto, resolveKey, type Coord } from './maven.ts';

const DEBEZIUM_EXCLUDES = ['org.apache.kafka', 'org.slf4j'];

function kafkaDeps(version: string): Coord[] {
  const { scala, log4j } = MANIFEST.kafka;
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

function debeziumDeps(version: string): Coord[] {
  return [{ groupId: 'io.debezium', artifactId: 'debezium-connector-postgres', version }];
}

/** Where the Kafka classpath directory is cached (one per version, side by side), and what it is made from. */
export function kafkaArtifact(cache: string, version: string = MANIFEST.kafka.version): CachedArtifact {
  return {
    name: `kafka ${version} jars`,
    path: join(cache, 'kafka', version, 'lib'),
    key: resolveKey(kafkaDeps(version)),
  };
}

/** Debezium's plugin directory (inside the plugin.path entry plugins/debezium-<version>). */
export function debeziumArtifact(cache: string, version: string = MANIFEST.debezium.version): CachedArtifact {
  return {
    name: `debezium ${version} plugin`,
    path: join(cache, 'plugins', `debezium-${version}`, 'debezium-connector-postgres'),
    key: resolveKey(debeziumDeps(version), DEBEZIUM_EXCLUDES),
  };
}

/** One classpath directory for both the broker (kafka.Kafka) and the Connect worker (ConnectDistributed). */
export async function ensureKafka(cache: string, opts: { force?: boolean; version?: string } = {}): Promise<string> {
  const version = opts.version ?? MANIFEST.kafka.version;
  const { path } = kafkaArtifact(cache, version);
  const t0 = Date.now();
  if (await resolveInto(path, kafkaDeps(version), { force: opts.force, tmpRoot: join(cache, '.tmp') }))
    info(`    resolved Kafka ${version} jars (${Date.now() - t0} ms)`);
  return path;
}

/**
 * Debezium's Postgres connector as a Connect plugin directory: its runtime closure without Kafka's own
 * jars and slf4j, which the worker provides (duplicates in a plugin's class loader cause linkage errors).
 * Returns the plugin.path entry (the parent of the plugin directory).
 */
export async function ensureDebezium(cache: string, opts: { force?: boolean; version?: string } = {}): Promise<string> {
  const version = opts.version ?? MANIFEST.debezium.version;
  const { path } = debeziumArtifact(cache, version);
  const t0 = Date.now();
  const fresh = await resolveInto(path, debeziumDeps(version), {
    excludeGroupIds: DEBEZIUM_EXCLUDES,
    force: opts.force,
    tmpRoot: join(cache, '.tmp'),
  });
  if (fresh) info(`    resolved Debezium ${version} plugin (${Date.now() - t0} ms)`);
  return dirname(path);
}
