import { ensureEsSink } from '../../provision/es-sink.ts';
import { cacheDir } from '../../provision/paths.ts';
import { EnvError } from '../../util/errors.ts';
import { info, step } from '../../util/log.ts';
import type { Provider } from '../provider.ts';
import { dockerAvailable } from './docker.ts';
import { startContainersProvider } from './provider.ts';

/** Builds our sink plugin (the only thing the containers need from this machine), then starts the containers. */
export async function openContainers(opts: { portBase?: number }): Promise<Provider> {
  // No engine: say so before spending a Maven build on the plugin.
  const docker = await dockerAvailable();
  if (!docker.ok) throw new EnvError(docker.reason, docker.fix);
  const pluginDir = await step('sink plugin', () => ensureEsSink(cacheDir()));
  return step('containers', () => startContainersProvider({ portBase: opts.portBase, pluginDir, log: (l) => info(`  ${l}`) }));
}
