import { join } from 'node:path';
import { info } from '../util/log.ts';
import { MANIFEST } from './manifest.ts';
import { resolveInto, type Coord } from './maven.ts';

/** One classpath directory for both the broker (kafka.Kafka) and the Connect worker (ConnectDistributed). */
export async function ensureKafka(cache: string): Promise<string> {
  const { version, scala, log4j } = MANIFEST.kafka;
  const dir = join(cache, 'kafka', version, 'lib');
  const k = (artifactId: string): Coord => ({ groupId: 'org.apache.kafka', artifactId, version });
  const deps: Coord[] = [
    k(`kafka_${scala}`),
    k('connect-runtime'),
    k('connect-json'),
    k('connect-transforms'),
    { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: log4j },
    { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: log4j },
  ];
  const t0 = Date.now();
  if (await resolveInto(dir, deps)) info(`    resolved Kafka ${version} jars (${Date.now() - t0} ms)`);
  return dir;
}

/**
 * Debezium's Postgres connector as a Connect plugin directory: its runtime closure without Kafka's own
 * jars and slf4j, which the worker provides (duplicates in a plugin's class loader cause linkage errors).
 * Returns the plugin.path entry (the parent of the plugin directory).
 */
export async function ensureDebezium(cache: string): Promise<string> {
  const { version } = MANIFEST.debezium;
  const parent = join(cache, 'plugins', `debezium-${version}`);
  const t0 = Date.now();
  const fresh = await resolveInto(
    join(parent, 'debezium-connector-postgres'),
    [{ groupId: 'io.debezium', artifactId: 'debezium-connector-postgres', version }],
    { excludeGroupIds: ['org.apache.kafka', 'org.slf4j'] },
  );
  if (fresh) info(`    resolved Debezium ${version} plugin (${Date.now() - t0} ms)`);
  return parent;
}
