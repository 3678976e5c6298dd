import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../util/exec.ts';
import { info } from '../util/log.ts';
import { MANIFEST } from './manifest.ts';
import { fetchArtifact } from './maven.ts';

/** Elasticsearch's integ-test-zip from Maven Central, unpacked once into the cache. Returns ES_HOME. */
export async function ensureElasticsearch(cache: string): Promise<string> {
  const { version, artifact } = MANIFEST.elasticsearch;
  const home = join(cache, 'dist', `elasticsearch-${version}`);
  if (existsSync(join(home, '.unpacked'))) return home;
  const [groupId, artifactId] = artifact.split(':') as [string, string];
  info(`    fetching Elasticsearch ${version} integ-test-zip from Maven Central (first time only, ~100 MB)`);
  const zip = await fetchArtifact({ groupId, artifactId, version, type: 'zip' }, join(cache, 'downloads'));
  const work = `${home}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await run('unzip', ['-q', zip, '-d', work], { what: 'unzip Elasticsearch', fix: 'apt-get install -y unzip' });
  // The zip holds one top-level folder (elasticsearch-<version>); its content is ES_HOME.
  const top = readdirSync(work);
  const inner = top.length === 1 && top[0] ? join(work, top[0]) : work;
  rmSync(home, { recursive: true, force: true });
  renameSync(inner, home);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(home, '.unpacked'), version);
  // The zip is only needed to unpack; keeping it would double the cache's size.
  rmSync(zip, { force: true });
  return home;
}
