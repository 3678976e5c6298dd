import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../util/exec.ts';
import { info } from '../util/log.ts';
import { ensureArtifact, type CachedArtifact } from './cache-manifest.ts';
import { pinnedSha256 } from './component-versions.ts';
import { MANIFEST } from './manifest.ts';
import { fetchArtifact } from './maven.ts';

export function elasticsearchArtifact(cache: string, version: string = MANIFEST.elasticsearch.version): CachedArtifact {
  const sha256 = pinnedSha256('elasticsearch', version);
  return {
    name: `elasticsearch ${version}`,
    path: join(cache, 'dist', `elasticsearch-${version}`),
    // A version without a pinned sha256 is verified against Central's .sha1 when fetched.
    key: `integ-test-zip ${version} ${sha256 ? `sha256:${sha256}` : 'sha1:central'}`,
  };
}

/** Elasticsearch's integ-test-zip from Maven Central, verified and unpacked once into the cache. Returns ES_HOME. */
export async function ensureElasticsearch(
  cache: string,
  opts: { force?: boolean; version?: string } = {},
): Promise<string> {
  const { artifact } = MANIFEST.elasticsearch;
  const version = opts.version ?? MANIFEST.elasticsearch.version;
  const sha256 = pinnedSha256('elasticsearch', version);
  const { path: home, key } = elasticsearchArtifact(cache, version);
  await ensureArtifact(
    home,
    key,
    async (tmp) => {
      const [groupId, artifactId] = artifact.split(':') as [string, string];
      info(`    fetching Elasticsearch ${version} integ-test-zip from Maven Central (~100 MB)`);
      const zip = await fetchArtifact({ groupId, artifactId, version, type: 'zip' }, join(cache, 'downloads'), {
        sha256,
      });
      const work = `${tmp}.unzip`;
      try {
        rmSync(work, { recursive: true, force: true });
        mkdirSync(work, { recursive: true });
        await run('unzip', ['-q', zip, '-d', work], { what: 'unzip Elasticsearch', fix: 'apt-get install -y unzip' });
        // The zip holds one top-level folder (elasticsearch-<version>); its content is ES_HOME.
        const top = readdirSync(work);
        renameSync(top.length === 1 && top[0] ? join(work, top[0]) : work, tmp);
        // The stack's mirror of ES_HOME (stack/services/elasticsearch.ts) looks for this marker.
        writeFileSync(join(tmp, '.unpacked'), version);
      } finally {
        rmSync(work, { recursive: true, force: true });
        // The zip is only needed to unpack; keeping it would double the cache's size.
        rmSync(zip, { force: true });
      }
    },
    { tmpRoot: join(cache, '.tmp'), force: opts.force },
  );
  return home;
}
