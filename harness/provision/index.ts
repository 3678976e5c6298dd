import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { step } from '../util/log.ts';
import { removeStaleTemps } from './cache-manifest.ts';
import { ensureElasticsearch } from './elasticsearch.ts';
import { ensureEsSink } from './es-sink.ts';
import { findJdk, type Jdk } from './jdk.ts';
import { ensureJvmArchives, type JvmArchiveFlags } from './jvm-archives.ts';
import { ensureDebezium, ensureKafka } from './kafka.ts';
import { MANIFEST } from './manifest.ts';
import { cacheDir } from './paths.ts';
import type { PgMajor } from './pg-versions.ts';
import { elasticsearchMinJava, type ComponentPins } from './component-versions.ts';
import { ensureOpenSearch } from './opensearch.ts';
import { resolveOsMajor, type OsMajor } from './opensearch-versions.ts';
import { EnvError } from '../util/errors.ts';
import { ensurePostgres, type PostgresDist } from './postgres.ts';
import { ensureToxiproxy } from './toxiproxy.ts';

/** Everything the local stack needs on disk, resolved to paths. */
export interface Artifacts {
  postgres: PostgresDist;
  kafkaLib: string;
  pluginPath: string[];
  /** The search engine's home: Elasticsearch's, or OpenSearch's with `search: 'opensearch'`. */
  esHome: string;
  search: SearchEngine;
  /** The OpenSearch major provided (with `search: 'opensearch'`). */
  opensearchMajor?: OsMajor;
  toxiproxyBin: string;
  kafkaJdk: Jdk;
  esJdk: Jdk;
  /** Class-data archive / AOT cache flags for the broker and the Connect worker (jvm-archives.ts). */
  jvmArchives?: JvmArchiveFlags;
  /** The Connect worker's own class path directory, when it has one (else kafkaLib). */
  connectLib?: string;
}

/** Which search engine the local stack runs (`--search`). */
export type SearchEngine = 'elasticsearch' | 'opensearch';
export const SEARCH_ENGINES: readonly SearchEngine[] = ['elasticsearch', 'opensearch'];

export interface ProvisionOptions {
  /** The search engine to provision (default elasticsearch). */
  search?: SearchEngine;
  /** Fetch and build every cached artifact again, even the ones that verify (`provision --force`). */
  force?: boolean;
  /** The Postgres major to provide (default: the manifest's); several sit side by side in the cache. */
  postgresMajor?: PgMajor;
  /** Exact Debezium, Kafka and Elasticsearch versions in place of the manifest's (`--versions`, resolved). */
  components?: ComponentPins;
  /** The OpenSearch major to provide with `search: 'opensearch'` (default: the manifest's). */
  opensearchMajor?: OsMajor;
}

/**
 * Idempotent: the first call downloads and builds (minutes); later calls check each cached artifact against
 * its integrity record (stat calls, ms) and fetch again only what is missing or damaged.
 */
export async function provision(opts: ProvisionOptions = {}): Promise<Artifacts> {
  const cache = cacheDir();
  mkdirSync(cache, { recursive: true });
  const { force } = opts;
  return step(`provision (cache ${cache}${force ? ', --force' : ''})`, async () => {
    for (const d of ['.tmp', 'downloads']) removeStaleTemps(join(cache, d));
    const kafkaJdk = findJdk(MANIFEST.kafka.minJava, 'Kafka and Kafka Connect', 'OUTBOX_CHAOS_JAVA_HOME');
    const search = opts.search ?? 'elasticsearch';
    const pins = opts.components ?? {};
    const esVersion = pins.elasticsearch ?? MANIFEST.elasticsearch.version;
    const esJdk =
      search === 'opensearch'
        ? openSearchJdk(opts.opensearchMajor)
        : findJdk(elasticsearchMinJava(esVersion), `Elasticsearch ${esVersion}`, 'OUTBOX_CHAOS_ES_JAVA_HOME');
    const postgres = await ensurePostgres(cache, { major: opts.postgresMajor, force });
    const kafkaLib = await ensureKafka(cache, { force, version: pins.kafka });
    const debezium = await ensureDebezium(cache, { force, version: pins.debezium });
    const esSink = await ensureEsSink(cache, undefined, { force });
    const esHome =
      search === 'opensearch'
        ? await ensureOpenSearch(cache, { force, major: opts.opensearchMajor })
        : await ensureElasticsearch(cache, { force, version: pins.elasticsearch });
    const toxiproxyBin = await ensureToxiproxy(cache, { force });
    const jvmArchives = await ensureJvmArchives(cache, kafkaJdk, kafkaLib, [debezium, esSink], { force });
    return {
      postgres,
      kafkaLib,
      pluginPath: [debezium, esSink],
      esHome,
      search,
      ...(search === 'opensearch' ? { opensearchMajor: resolveOsMajor(opts.opensearchMajor).major } : {}),
      toxiproxyBin,
      kafkaJdk,
      esJdk,
      jvmArchives,
    };
  });
}

/**
 * A JDK the OpenSearch major starts on: 2.x's bootstrap installs a security manager, which Java 24 removed
 * (so 17 to 23); 3.x needs 21 or newer.
 */
function openSearchJdk(major: OsMajor | undefined): Jdk {
  const { version, minJava, maxJava } = resolveOsMajor(major);
  const jdk = findJdk(minJava, `OpenSearch ${version}`, 'OUTBOX_CHAOS_OPENSEARCH_JAVA_HOME');
  if (maxJava !== undefined && jdk.major > maxJava)
    throw new EnvError(
      `OpenSearch ${version} needs a JDK ${minJava} to ${maxJava}; the lowest found is Java ${jdk.major} (${jdk.home})`,
      `install openjdk-${minJava}-jdk-headless, or set OUTBOX_CHAOS_OPENSEARCH_JAVA_HOME to a JDK ${minJava} to ` +
        `${maxJava}`,
    );
  return jdk;
}
