import { existsSync } from 'node:fs';
import { errorMessage } from '../../util/errors.ts';
import { dockerAvailable, runtimeClient } from './docker.ts';
import { removeStackResources } from './start.ts';

/** The containers stack name `down` cleans when given no --name (the provider's default stack). */
export const DEFAULT_CONTAINERS_STACK = 'containers';

/**
 * `down`'s part for the containers provider: removes every container, network and volume labelled with the
 * stack's name. Quiet and cheap where no engine can be there (no DOCKER_HOST and no socket): testcontainers
 * is not even loaded. Never throws; the answer says what happened.
 */
export async function downContainers(
  stack: string,
  log: (l: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ removed: number; problem?: string }> {
  if (!env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return { removed: 0 };
  // testcontainers' first contact takes seconds on a busy machine: a short deadline would skip the cleanup.
  const docker = await dockerAvailable(20_000);
  if (!docker.ok) return { removed: 0, problem: docker.reason };
  try {
    return { removed: await removeStackResources(await runtimeClient(), stack, log) };
  } catch (err) {
    return { removed: 0, problem: errorMessage(err) };
  }
}
