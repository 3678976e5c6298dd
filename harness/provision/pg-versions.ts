import { ConfigError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';
import { resolveOsMajor, type OsMajor } from './opensearch-versions.ts';

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

/** Components whose version `--versions` can choose today; the rest run the manifest's pins. */
export const CHOOSABLE = ['postgres', 'opensearch'] as const;

/**
 * `--versions` entries (each `component=version`, repeatable or comma-separated) to a map. Only Postgres and
 * OpenSearch are choosable: another component is refused by name rather than silently ignored.
 */
export function parseVersions(entries: readonly string[]): { postgres?: PgMajor; opensearch?: OsMajor } {
  const out: { postgres?: PgMajor; opensearch?: OsMajor } = {};
  for (const entry of entries
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([\w-]+)=(.+)$/.exec(entry);
    if (!m) throw new ConfigError(`--versions ${entry}: expected component=version`, 'e.g. --versions postgres=17');
    const [, component, version] = m as unknown as [string, string, string];
    if (component === 'opensearch') {
      if (out.opensearch !== undefined && out.opensearch !== version)
        throw new ConfigError(`--versions names opensearch twice (${out.opensearch} and ${version})`, 'name it once');
      out.opensearch = resolveOsMajor(version).major;
      continue;
    }
    if (component !== 'postgres')
      throw new ConfigError(
        `--versions ${entry}: the version of ${component} cannot be chosen; only ${CHOOSABLE.join(', ')} can`,
        `drop it: ${component} runs the version pinned in harness/provision/manifest.ts`,
      );
    if (out.postgres !== undefined && out.postgres !== version)
      throw new ConfigError(`--versions names postgres twice (${out.postgres} and ${version})`, 'name it once');
    out.postgres = resolvePgMajor(version).major;
  }
  return out;
}
