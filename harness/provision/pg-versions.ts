import { ConfigError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';

/** A Postgres major the manifest pins an npm build for. */
export type PgMajor = keyof typeof MANIFEST.postgres.npm.versions;

export const PG_MAJORS = Object.keys(MANIFEST.postgres.npm.versions) as PgMajor[];

export const DEFAULT_PG_MAJOR = MANIFEST.postgres.major as PgMajor;

/** The exact build a major resolves to: the npm package version and its pinned tarball integrity. */
export interface PgPin {
  major: PgMajor;
  npmVersion: string;
  integrity: string;
}

export function isPgMajor(v: string): v is PgMajor {
  return (PG_MAJORS as string[]).includes(v);
}

/**
 * `postgres=N` (or a scenario's `versions.postgres`) resolved to its pin; no major means the default. An
 * unknown one is a usage error naming the majors that exist, raised before anything is fetched or started.
 */
export function resolvePgMajor(asked: string | number | undefined, where = '--versions postgres'): PgPin {
  const major = asked === undefined ? DEFAULT_PG_MAJOR : String(asked).trim();
  if (!isPgMajor(major))
    throw new ConfigError(
      `${where}=${major}: no such Postgres major; the ones that exist are ${PG_MAJORS.join(', ')}`,
      `e.g. ${where.startsWith('--') ? '--versions postgres=17' : 'versions: { postgres: 17 }'}`,
    );
  const pin = MANIFEST.postgres.npm.versions[major];
  return { major, npmVersion: pin.version, integrity: pin.integrity };
}

/** The server release an npm build carries: `17.10.0-beta.17` holds Postgres 17.10. */
export function serverRelease(npmVersion: string): string {
  const [maj, min] = npmVersion.split(/[.-]/);
  return `${maj}.${min}`;
}
