import { ConfigError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';

/** An OpenSearch major the manifest pins a zip for (`--versions opensearch=N`). */
export type OsMajor = keyof typeof MANIFEST.opensearch.versions;

export const OS_MAJORS = Object.keys(MANIFEST.opensearch.versions) as OsMajor[];

export const DEFAULT_OS_MAJOR: OsMajor = MANIFEST.opensearch.major;

/** The exact build a major resolves to, and the JDKs it starts on. */
export interface OsPin {
  major: OsMajor;
  version: string;
  sha256: string;
  /** assembled: core-only zip plus each module's Maven artifact; bundled: the zip carries the modules. */
  modules: 'assembled' | 'bundled';
  minJava: number;
  /** Absent: no upper bound. */
  maxJava?: number;
}

export function isOsMajor(v: string): v is OsMajor {
  return (OS_MAJORS as string[]).includes(v);
}

/**
 * `opensearch=N` resolved to its pin; no major means the default. An unknown one is a usage error naming the
 * majors that exist, raised before anything is fetched or started.
 */
export function resolveOsMajor(asked: string | undefined): OsPin {
  const major = asked === undefined ? DEFAULT_OS_MAJOR : asked.trim();
  if (!isOsMajor(major))
    throw new ConfigError(
      `--versions opensearch=${major}: no such OpenSearch major; the ones that exist are ${OS_MAJORS.join(', ')}`,
      `e.g. --versions opensearch=${OS_MAJORS[OS_MAJORS.length - 1]}`,
    );
  const pin = MANIFEST.opensearch.versions[major];
  return {
    major,
    version: pin.version,
    sha256: pin.sha256,
    modules: pin.modules,
    minJava: pin.minJava,
    ...(pin.maxJava !== null ? { maxJava: pin.maxJava } : {}),
  };
}
