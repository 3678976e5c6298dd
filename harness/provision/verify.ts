import { dirname } from 'node:path';
import { EnvError, errorMessage } from '../util/errors.ts';
import { checkArtifact, type ArtifactState, type CachedArtifact } from './cache-manifest.ts';
import { elasticsearchArtifact } from './elasticsearch.ts';
import { ES_SINK_CONNECTOR_CLASS, esSinkArtifact } from './es-sink.ts';
import { debeziumArtifact, kafkaArtifact } from './kafka.ts';
import { cacheDir } from './paths.ts';
import { toxiproxyArtifact } from './toxiproxy.ts';

export interface ArtifactReport {
  name: string;
  path: string;
  /** ok; missing (not cached, or cached for another version); unverified (cached before records existed); damaged. */
  state: ArtifactState;
  reason?: string;
}

export interface CacheReport {
  cache: string;
  /** Every artifact is ok: `up` would start without fetching anything. */
  ok: boolean;
  artifacts: ArtifactReport[];
  /** Bytes re-hashed because a file's mtime changed (0 while nothing changed). */
  hashedBytes: number;
  ms: number;
}

export const DEBEZIUM_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

type Describe = (cache: string) => CachedArtifact;
const ARTIFACTS: Describe[] = [
  kafkaArtifact,
  debeziumArtifact,
  esSinkArtifact,
  elasticsearchArtifact,
  toxiproxyArtifact,
];

/**
 * Checks every cached artifact against its integrity record, fetching and writing nothing (for `doctor`).
 * Stat calls only, plus a re-hash of files whose mtime changed.
 */
export async function verifyCache(cache: string = cacheDir()): Promise<CacheReport> {
  const t0 = performance.now();
  const artifacts: ArtifactReport[] = [];
  let hashedBytes = 0;
  for (const describe of ARTIFACTS) {
    let a: CachedArtifact;
    try {
      a = describe(cache);
    } catch (err) {
      artifacts.push({
        name: describe.name.replace(/Artifact$/, ''),
        path: cache,
        state: 'missing',
        reason: errorMessage(err),
      });
      continue;
    }
    const c = checkArtifact(a.path, a.key);
    hashedBytes += c.hashed.bytes;
    artifacts.push({ name: a.name, path: a.path, state: c.state, ...(c.reason ? { reason: c.reason } : {}) });
  }
  return { cache, ok: artifacts.every((a) => a.state === 'ok'), artifacts, hashedBytes, ms: performance.now() - t0 };
}

/** The connector classes of the plugins provisioning installs, each with its plugin directory in the cache. */
export function installedConnectorClasses(cache: string = cacheDir()): Record<string, string> {
  return {
    [DEBEZIUM_CONNECTOR_CLASS]: debeziumArtifact(cache).path,
    [ES_SINK_CONNECTOR_CLASS]: esSinkArtifact(cache).path,
  };
}

/**
 * Connect's answer to a connector class it cannot load ("Failed to find any class that implements Connector
 * and which name matches <Class>, available connectors are: …") is not a config error when the class is one
 * of the plugins provisioning installs: the plugin directory is damaged or incomplete. Returns the EnvError
 * to throw instead, or undefined when the message is something else or the class is not ours. Only meaningful
 * where the worker's plugin.path is the cache's (the local provider; the containers provider for the sink).
 */
export function connectorInstallError(message: string, cache: string = cacheDir()): EnvError | undefined {
  const cls = /Failed to find any class that implements Connector\b[^]*?\bmatches\s+([\w.$]+)/.exec(message)?.[1];
  if (!cls) return undefined;
  const installed: [string, Describe][] = [
    [DEBEZIUM_CONNECTOR_CLASS, debeziumArtifact],
    [ES_SINK_CONNECTOR_CLASS, esSinkArtifact],
  ];
  // Connect also accepts a class's simple name as an alias.
  const hit = installed.find(([name]) => name === cls || name.endsWith(`.${cls}`));
  if (!hit) return undefined;
  const a = hit[1](cache);
  const c = checkArtifact(a.path, a.key);
  if (c.state === 'ok') {
    return new EnvError(
      `Kafka Connect cannot load ${hit[0]}, yet the cached plugin ${a.path} matches its integrity record`,
      `check that the worker's plugin.path lists ${dirname(a.path)}; ` +
        'outbox-chaos provision --force installs the plugin again',
      message,
    );
  }
  return new EnvError(
    `Kafka Connect cannot load ${hit[0]}: the cached plugin ${a.path} is ${c.state}${c.reason ? ` (${c.reason})` : ''}`,
    'the cached plugin is damaged or incomplete: run outbox-chaos provision --force, then start the stack again',
    message,
  );
}
