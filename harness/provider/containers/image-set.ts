import { IMAGE_NAMES, resolveImages } from '../../provision/images.ts';
import { ConfigError, errorMessage } from '../../util/errors.ts';
import { IMAGE_SETS, type ImageSet } from './plan.ts';

/** Chooses the image set where --images does not: `official` or `built`. */
export const IMAGES_ENV = 'OUTBOX_CHAOS_IMAGES';

export interface ImageSetChoice {
  set: ImageSet;
  /** Why this set, for the log and for doctor. */
  why: string;
}

export function parseImageSet(value: string, source: string): ImageSet {
  const v = value.trim();
  if ((IMAGE_SETS as readonly string[]).includes(v)) return v as ImageSet;
  throw new ConfigError(`${source} must be one of ${IMAGE_SETS.join(', ')}, got "${value}"`);
}

/** What the engine can tell about the official images without pulling them. */
export interface RegistryProbe {
  /** Whether every official image is on the engine already. */
  allPresent(): Promise<boolean>;
  /** undefined when a registry answered for the first image; else why not. */
  registryProblem(): Promise<string | undefined>;
}

/**
 * --images, else OUTBOX_CHAOS_IMAGES, else `official` when its images are on the engine or a registry
 * answers for them, else `built` (the harness builds its own from the provisioned artifacts).
 */
export async function chooseImageSet(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  probe: RegistryProbe,
): Promise<ImageSetChoice> {
  if (flag) return { set: parseImageSet(flag, '--images'), why: '--images' };
  const fromEnv = env[IMAGES_ENV];
  if (fromEnv?.trim()) return { set: parseImageSet(fromEnv, IMAGES_ENV), why: IMAGES_ENV };
  if (await probe.allPresent()) return { set: 'official', why: 'the official images are on the engine' };
  const problem = await probe.registryProblem();
  if (problem === undefined) return { set: 'official', why: 'a registry answers for the official images' };
  return { set: 'built', why: `no registry answers (${problem}): the harness builds its own images` };
}

type Dockerode = {
  getImage(name: string): { inspect(): Promise<unknown>; distribution(): Promise<unknown> };
};

function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref()),
  ]);
}

/** The probe through the engine: image inspect, and the registry's manifest (GET /distribution/NAME/json). */
export function engineProbe(docker: Dockerode, env: NodeJS.ProcessEnv = process.env): RegistryProbe {
  const images = resolveImages(env);
  return {
    async allPresent() {
      for (const name of IMAGE_NAMES) {
        try {
          await docker.getImage(images[name]).inspect();
        } catch {
          return false;
        }
      }
      return true;
    },
    async registryProblem() {
      try {
        await deadline(docker.getImage(images.postgres).distribution(), 8000);
        return undefined;
      } catch (err) {
        // Dockerode's "(HTTP code 500) server error - " says nothing the engine's own message does not.
        const msg = (errorMessage(err).split('\n')[0] ?? '').replace(/^\(HTTP code \d+\)[^-]*- /, '');
        return `${images.postgres}: ${msg.trim().slice(0, 160)}`;
      }
    },
  };
}
