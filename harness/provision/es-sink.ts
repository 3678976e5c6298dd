import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EnvError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { mvn } from './maven.ts';
import { MANIFEST } from './manifest.ts';
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
  if (!existsSync(built)) throw new EnvError(`the sink build produced no ${built}`, 'run: mvn -f connectors/es-sink/pom.xml package');
  cpSync(built, into, { recursive: true });
};

/**
 * Builds our Elasticsearch sink plugin (connectors/es-sink) and caches it by a hash of its sources, so an
 * edit to the plugin rebuilds it and an unchanged tree costs nothing. Returns the plugin.path entry.
 */
export async function ensureEsSink(cache: string, build: SinkBuilder = mavenSinkBuild): Promise<string> {
  const src = join(PROJECT_ROOT, MANIFEST.esSink.dir);
  if (!existsSync(join(src, 'pom.xml'))) throw new EnvError(`sink plugin sources missing at ${src}`, 'restore connectors/es-sink from git');
  const parent = join(cache, 'plugins', `es-sink-${sourceHash(src)}`);
  const target = join(parent, 'outbox-chaos-es-sink');
  if (existsSync(target)) return parent;
  // Built aside and renamed into place: a build that fails half-way never passes for a finished one.
  const partial = `${target}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await build(src, partial);
  renameSync(partial, target);
  return parent;
}
