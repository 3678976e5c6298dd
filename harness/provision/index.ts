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
import { ensurePostgres, type PostgresDist } from './postgres.ts';
import { ensureToxiproxy } from './toxiproxy.ts';

/** Everything the local stack needs on disk, resolved to paths. */
export interface Artifacts {
  postgres: PostgresDist;
  kafkaLib: string;
  pluginPath: string[];
  esHome: string;
  toxiproxyBin: string;
  kafkaJdk: Jdk;
  esJdk: Jdk;
  /** Class-data archive / AOT cache flags for the broker and the Connect worker (jvm-archives.ts). */
  jvmArchives?: JvmArchiveFlags;
  /** The Connect worker's own class path directory, when it has one (else kafkaLib). */
  connectLib?: string;
}

export interface ProvisionOptions {
  /** Fetch and build every cached artifact again, even the ones that verify (`provision --force`). */
  force?: boolean;
  /** The Postgres major to provide (default: the manifest's); several sit side by side in the cache. */
  postgresMajor?: PgMajor;
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
    const esJdk = findJdk(
      MANIFEST.elasticsearch.minJava,
      `Elasticsearch ${MANIFEST.elasticsearch.version}`,
      'OUTBOX_CHAOS_ES_JAVA_HOME',
    );
    const postgres = await ensurePostgres(cache, { major: opts.postgresMajor, force });
    const kafkaLib = await ensureKafka(cache, { force });
    const debezium = await ensureDebezium(cache, { force });
    const esSink = await ensureEsSink(cache, undefined, { force });
    const esHome = await ensureElasticsearch(cache, { force });
    const toxiproxyBin = await ensureToxiproxy(cache, { force });
    const jvmArchives = await ensureJvmArchives(cache, kafkaJdk, kafkaLib, [debezium, esSink], { force });
    return { postgres, kafkaLib, pluginPath: [debezium, esSink], esHome, toxiproxyBin, kafkaJdk, esJdk, jvmArchives };
  });
}
