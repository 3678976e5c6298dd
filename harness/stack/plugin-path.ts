import { existsSync, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { ConfigError } from '../util/errors.ts';

/** Extra Kafka Connect plugin directories (`--plugin-path`, or this variable): a user's own connectors. */
export const PLUGIN_PATH_ENV = 'OUTBOX_CHAOS_PLUGIN_PATH';

/**
 * The directories to add to the Connect worker's plugin.path, each holding plugins the way Connect expects
 * (one sub-directory per plugin, or jars). A directory that does not exist is a usage error, named.
 */
export function extraPluginDirs(env: string | undefined = process.env[PLUGIN_PATH_ENV]): string[] {
  const dirs = (env ?? '')
    .split(delimiter)
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => resolve(d));
  const bad = dirs.filter((d) => !existsSync(d) || !statSync(d).isDirectory());
  if (bad.length)
    throw new ConfigError(
      `plugin path ${bad.map((d) => `"${d}"`).join(', ')} is not a directory`,
      'pass directories that hold Kafka Connect plugins (e.g. an unzipped connector) ' +
        `with --plugin-path or ${PLUGIN_PATH_ENV}`,
    );
  return dirs;
}
