import { mkdirSync } from 'node:fs';
import { step } from '../util/log.ts';
import { findJdk, type Jdk } from './jdk.ts';
import { ensureElasticsearch } from './elasticsearch.ts';
import { ensureEsSink } from './es-sink.ts';
import { ensureDebezium, ensureKafka } from './kafka.ts';
import { MANIFEST } from './manifest.ts';
import { cacheDir } from './paths.ts';
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
}

/** Idempotent: the first call downloads and builds (minutes), later calls only check the cache (ms). */
export async function provision(): Promise<Artifacts> {
  const cache = cacheDir();
  mkdirSync(cache, { recursive: true });
  return step(`provision (cache ${cache})`, async () => {
    const kafkaJdk = findJdk(MANIFEST.kafka.minJava, 'Kafka and Kafka Connect', 'OUTBOX_CHAOS_JAVA_HOME');
    const esJdk = findJdk(MANIFEST.elasticsearch.minJava, `Elasticsearch ${MANIFEST.elasticsearch.version}`, 'OUTBOX_CHAOS_ES_JAVA_HOME');
    const postgres = await ensurePostgres();
    const kafkaLib = await ensureKafka(cache);
    const debezium = await ensureDebezium(cache);
    const esSink = await ensureEsSink(cache);
    const esHome = await ensureElasticsearch(cache);
    const toxiproxyBin = await ensureToxiproxy(cache);
    return { postgres, kafkaLib, pluginPath: [debezium, esSink], esHome, toxiproxyBin, kafkaJdk, esJdk };
  });
}
