import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EnvError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { ensureArtifact, type CachedArtifact } from './cache-manifest.ts';
import { MANIFEST } from './manifest.ts';
import { mvn } from './maven.ts';
import { PROJECT_ROOT } from './paths.ts';

function sourceHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'target') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(dir, p)).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 12);
}

/** Turns the plugin's sources (src) into its plugin directory (the contents of target/plugin) at `into`. */
export type SinkBuilder = (src: string, into: string) => Promise<void>;

/** The build with this machine's Maven and JDK. */
export const mavenSinkBuild: SinkBuilder = async (src, into) => {
  info('    building the Elasticsearch sink plugin (connectors/es-sink) with Maven');
  await mvn(['-f', join(src, 'pom.xml'), 'package', '-DskipTests'], src, 'building connectors/es-sink');
  const built = join(src, 'target', 'plugin');
  if (!existsSync(built))
    throw new EnvError(`the sink build produced no ${built}`, 'run: mvn -f connectors/es-sink/pom.xml package');
  cpSync(built, into, { recursive: true });
};

export const ES_SINK_CONNECTOR_CLASS = 'io.outboxchaos.es.ElasticsearchSinkConnector';

/**
 * The plugin directory, keyed by a hash of the plugin's sources (inside the plugin.path entry
 * plugins/es-sink-<hash>).
 */
export function esSinkArtifact(cache: string): CachedArtifact {
  const src = join(PROJECT_ROOT, MANIFEST.esSink.dir);
  if (!existsSync(join(src, 'pom.xml')))
    throw new EnvError(`sink plugin sources missing at ${src}`, 'restore connectors/es-sink from git');
  const hash = sourceHash(src);
  return {
    name: `outbox-chaos-es-sink ${MANIFEST.esSink.version}`,
    path: join(cache, 'plugins', `es-sink-${hash}`, 'outbox-chaos-es-sink'),
    key: `sources ${hash}`,
  };
}

/**
 * Builds our Elasticsearch sink plugin (connectors/es-sink) and caches it by a hash of its sources, so an
 * edit to the plugin rebuilds it and an unchanged tree costs nothing. Built aside and renamed into place, so
 * a build that fails half-way never passes for a finished one. Returns the plugin.path entry.
 */
export async function ensureEsSink(
  cache: string,
  build: SinkBuilder = mavenSinkBuild,
  opts: { force?: boolean } = {},
): Promise<string> {
  const { path, key } = esSinkArtifact(cache);
  // The parent exists even when the build fails: it is the plugin.path entry.
  mkdirSync(dirname(path), { recursive: true });
  await ensureArtifact(
    path,
    key,
    async (tmp) => {
      mkdirSync(tmp, { recursive: true });
      await build(join(PROJECT_ROOT, MANIFEST.esSink.dir), tmp);
    },
    { tmpRoot: join(cache, '.tmp'), force: opts.force, verb: 'building' },
  );
  return dirname(path);
}
