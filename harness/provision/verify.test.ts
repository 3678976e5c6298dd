import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordArtifact } from './cache-manifest.ts';
import { debeziumArtifact } from './kafka.ts';
import { goInstallEnv } from './toxiproxy.ts';
import { connectorInstallError, DEBEZIUM_CONNECTOR_CLASS, installedConnectorClasses, verifyCache } from './verify.ts';

const REJECTION =
  'Failed to find any class that implements Connector and which name matches ' +
  'io.debezium.connector.postgresql.PostgresConnector, available connectors are: ' +
  'PluginDesc{klass=class io.outboxchaos.es.ElasticsearchSinkConnector, …}';

/** A cache holding only Debezium's plugin directory, recorded. */
const caches: string[] = [];
afterAll(() => caches.forEach((c) => rmSync(c, { recursive: true, force: true })));

function cacheWithDebezium(): { cache: string; jar: string } {
  const cache = mkdtempSync(join(tmpdir(), 'outbox-chaos-verify-'));
  caches.push(cache);
  const a = debeziumArtifact(cache);
  mkdirSync(a.path, { recursive: true });
  const jar = join(a.path, 'debezium-connector-postgres-3.6.1.Final.jar');
  writeFileSync(jar, 'x'.repeat(4567));
  recordArtifact(a.path, a.key);
  return { cache, jar };
}

describe('the cache report for doctor', () => {
  it('reports every artifact with its state and reason, fetching nothing', async () => {
    const { cache, jar } = cacheWithDebezium();
    truncateSync(jar, 123);
    const r = await verifyCache(cache);
    expect(r.ok).toBe(false);
    expect(r.artifacts.map((a) => [a.name.split(' ')[0], a.state])).toEqual([
      ['kafka', 'missing'],
      ['debezium', 'damaged'],
      ['outbox-chaos-es-sink', 'missing'],
      ['elasticsearch', 'missing'],
      ['toxiproxy', 'missing'],
    ]);
    expect(r.artifacts[1]?.reason).toBe('debezium-connector-postgres-3.6.1.Final.jar: size 123 ≠ recorded 4567');
    expect(r.hashedBytes).toBe(0);
  });
});

describe("Connect's rejection of a connector class provisioning installs", () => {
  it('names the plugin directories of the classes we install', () => {
    const classes = installedConnectorClasses('/c');
    expect(Object.keys(classes)).toEqual([DEBEZIUM_CONNECTOR_CLASS, 'io.outboxchaos.es.ElasticsearchSinkConnector']);
    expect(classes[DEBEZIUM_CONNECTOR_CLASS]).toBe('/c/plugins/debezium-3.6.1.Final/debezium-connector-postgres');
  });

  it('turns "Failed to find any class" for our plugin into an EnvError that says what is wrong with it', () => {
    const { cache, jar } = cacheWithDebezium();
    truncateSync(jar, 1000);
    const err = connectorInstallError(REJECTION, cache);
    expect(err).toMatchObject({ name: 'EnvError', exitCode: 3 });
    expect(err?.message).toContain(
      'is damaged (debezium-connector-postgres-3.6.1.Final.jar: size 1000 ≠ recorded 4567)',
    );
    expect(err?.fix).toContain('outbox-chaos provision --force');
  });

  it('leaves other rejections, and classes we do not install, to the config error they are', () => {
    expect(
      connectorInstallError('Connector configuration is invalid: database.hostname is missing', '/c'),
    ).toBeUndefined();
    expect(
      connectorInstallError(
        'Failed to find any class that implements Connector and which name matches com.acme.Other, ' +
          'available connectors are: …',
        '/c',
      ),
    ).toBeUndefined();
  });
});

describe('the environment of go install', () => {
  it('keeps the Go checksum database on, whatever the environment says', async () => {
    const env = await goInstallEnv('/gobin', {
      PATH: process.env.PATH,
      GOSUMDB: 'off',
      GONOSUMDB: '*',
      GONOSUMCHECK: '1',
      GOPRIVATE: 'github.com/Shopify',
      GOINSECURE: '*',
      GOFLAGS: '-insecure',
    });
    expect(env).toMatchObject({ GOSUMDB: 'sum.golang.org', GOENV: 'off', GOBIN: '/gobin', CGO_ENABLED: '0' });
    for (const k of ['GONOSUMDB', 'GONOSUMCHECK', 'GOPRIVATE', 'GOINSECURE', 'GOFLAGS']) expect(env[k]).toBeUndefined();
  });
});
