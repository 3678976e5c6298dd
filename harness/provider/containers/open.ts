import { ensureEsSink } from '../../provision/es-sink.ts';
import { cacheDir } from '../../provision/paths.ts';
import { EnvError } from '../../util/errors.ts';
import { info, step } from '../../util/log.ts';
import type { Provider } from '../interface.ts';
import { dockerAvailable } from './docker.ts';
import { containerSinkBuild, hasMaven } from './sink-build.ts';
import { startContainersProvider } from './start.ts';

/**
 * Builds our sink plugin (with this machine's Maven, or in a Maven container where there is none: Docker is
 * then all a machine needs), then starts the containers.
 */
export async function openContainers(opts: {
  portBase?: number;
  topology?: 'single' | 'cluster';
  /** --images (official | built). */
  images?: string;
  /** --name: the stack's label and network name (default "containers"). */
  name?: string;
}): Promise<Provider> {
  // No engine: say so before spending a build on the plugin.
  const docker = await dockerAvailable();
  if (!docker.ok) throw new EnvError(docker.reason, docker.fix);
  const cache = cacheDir();
  const pluginDir = await step('sink plugin', async () =>
    ensureEsSink(cache, (await hasMaven()) ? undefined : containerSinkBuild(cache)),
  );
  if (opts.topology === 'cluster') {
    const { startContainersCluster } = await import('./start-cluster.ts');
    return step('containers cluster', () =>
      startContainersCluster({
        portBase: opts.portBase,
        pluginDir,
        images: opts.images,
        stack: opts.name,
        log: (l) => info(`  ${l}`),
      }),
    );
  }
  return step('containers', () =>
    startContainersProvider({
      portBase: opts.portBase,
      pluginDir,
      images: opts.images,
      stack: opts.name,
      log: (l) => info(`  ${l}`),
    }),
  );
}
