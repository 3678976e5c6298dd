import { describe, expect, it } from 'vitest';
import { resolveImages } from '../../provision/images.ts';
import { portPlan } from '../../stack/ports.ts';
import { initConnect } from '../../stack/services/connect.ts';
import { BUILT_LAYERS, IN_IMAGE, kafkaClusterId, layerSpecs, layerTags, type BuiltInputs } from './built-images.ts';
import { containersPlan } from './definitions.ts';
import { chooseImageSet, type RegistryProbe } from './image-set.ts';
import { NET, PORT } from './plan.ts';
import { builtBrokerProperties, builtWorkerProperties } from './services.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackContext } from '../../stack/context.ts';

const inputs = (over: Partial<BuiltInputs> = {}): BuiltInputs => ({
  jdkHome: '/jdk',
  jdkIdentity: 'JAVA_VERSION="25"',
  kafkaLib: '/cache/kafka/lib',
  pluginDirs: ['/cache/plugins/debezium', '/cache/plugins/es-sink-1'],
  esHome: '/cache/dist/es',
  toxiproxyBin: '/cache/bin/toxiproxy',
  caCerts: { 'proxy.crt': 'PEM-1' },
  identity: (p) => `record of ${p}`,
  ...over,
});

describe('built image set', () => {
  it('has one spec per layer, parents before children', () => {
    const specs = layerSpecs(inputs());
    expect(specs.map((s) => s.layer).sort()).toEqual([...BUILT_LAYERS].sort());
    const seen = new Set<string>();
    for (const s of specs) {
      if (s.parent) expect(seen.has(s.parent), `${s.layer} after ${s.parent}`).toBe(true);
      seen.add(s.layer);
    }
  });

  it('tags by content: the same inputs give the same tags, a changed input rebuilds it and its children', () => {
    const a = layerTags(layerSpecs(inputs()));
    expect(layerTags(layerSpecs(inputs()))).toEqual(a);
    for (const t of Object.values(a)) expect(t).toMatch(/^outbox-chaos\/[a-z-]+:[0-9a-f]{16}$/);

    // A new sink plugin: only the Connect image changes.
    const sink = layerTags(layerSpecs(inputs({ identity: (p) => (p.includes('es-sink') ? 'new' : `record of ${p}`) })));
    const changed = (b: Record<string, string>) => BUILT_LAYERS.filter((l) => a[l] !== b[l]);
    expect(changed(sink)).toEqual(['connect']);
    // A new JDK: everything on the JVM.
    expect(changed(layerTags(layerSpecs(inputs({ jdkIdentity: 'JAVA_VERSION="26"' })))).sort()).toEqual(
      ['connect', 'elasticsearch', 'jvm', 'kafka', 'kafka-lib'].sort(),
    );
    // A new CA certificate on the machine: every image, since each one builds on the base.
    expect(changed(layerTags(layerSpecs(inputs({ caCerts: { 'proxy.crt': 'PEM-2' } }))))).toEqual([...BUILT_LAYERS]);
  });

  it('copies the CA certificates into the base and registers them', () => {
    const base = layerSpecs(inputs()).find((s) => s.layer === 'base');
    expect(base?.files['ca/proxy.crt']).toBe('PEM-1');
    expect(base?.dockerfile).toContain('update-ca-certificates');
  });

  it('formats Kafka storage with a valid cluster id (16 bytes, base64url, not starting with -)', () => {
    const id = kafkaClusterId();
    expect(Buffer.from(id, 'base64url').length).toBe(16);
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe('built set definitions', () => {
  const ports = portPlan(18200);
  const plan = containersPlan({
    ports,
    images: resolveImages({}),
    sinkPluginDir: '/x',
    runId: 'r',
    imageSet: 'built',
  });

  it('advertises the broker listener at the proxy and the harness listener at the published port', () => {
    const props = builtBrokerProperties({ ports, images: resolveImages({}), sinkPluginDir: '/x', runId: 'r' });
    expect(props['advertised.listeners']).toBe(
      `BROKER://${NET.kafkaBroker}:${PORT.kafkaBroker},PLAINTEXT://127.0.0.1:${ports.kafka}`,
    );
    expect(props['log.dirs']).toBe(IN_IMAGE.kafkaData);
    expect(plan.containers.kafka.env.SERVER_PROPERTIES).toContain('inter.broker.listener.name=BROKER');
    expect(plan.containers.kafka.ports).toEqual([{ container: PORT.kafkaPlaintext, host: ports.kafka }]);
  });

  it("gives Connect the local stack's worker settings, with the network's addresses", () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-built-'));
    try {
      const ctx = {
        dir,
        ports,
        artifacts: { pluginPath: ['/p'] },
      } as unknown as StackContext;
      initConnect(ctx);
      const local = Object.fromEntries(
        readFileSync(join(dir, 'connect', 'connect.properties'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const built = builtWorkerProperties(0);
      const differ = Object.keys(local).filter((k) => String(built[k]) !== local[k]);
      // Only addresses and paths differ.
      expect(differ.sort()).toEqual(
        ['bootstrap.servers', 'listeners', 'plugin.path', 'rest.advertised.host.name', 'rest.advertised.port'].sort(),
      );
      expect(built['bootstrap.servers']).toBe(`${NET.kafkaBroker}:${PORT.kafkaBroker}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bakes the sink into the Connect image (no bind mount) and drops the official image's ML setting", () => {
    expect(plan.containers.connect.bindMounts).toEqual([]);
    expect(plan.containers.elasticsearch.env['xpack.ml.enabled']).toBeUndefined();
    expect(plan.containers.elasticsearch.env['xpack.security.enabled']).toBe('false');
    expect(plan.containers.elasticsearch.env['network.host']).toBe('0.0.0.0');
  });
});

describe('image set choice', () => {
  const probe = (present: boolean, problem?: string): RegistryProbe => ({
    allPresent: () => Promise.resolve(present),
    registryProblem: () => Promise.resolve(problem),
  });

  it('takes --images, then the variable, then what the engine can reach', async () => {
    expect((await chooseImageSet('built', { OUTBOX_CHAOS_IMAGES: 'official' }, probe(true))).set).toBe('built');
    expect((await chooseImageSet(undefined, { OUTBOX_CHAOS_IMAGES: 'official' }, probe(false, 'x'))).set).toBe(
      'official',
    );
    expect((await chooseImageSet(undefined, {}, probe(true, 'no registry'))).set).toBe('official');
    expect((await chooseImageSet(undefined, {}, probe(false))).set).toBe('official');
    const built = await chooseImageSet(undefined, {}, probe(false, 'dial tcp: timeout'));
    expect(built.set).toBe('built');
    expect(built.why).toContain('dial tcp: timeout');
  });

  it('refuses an unknown set with a usage error', async () => {
    await expect(chooseImageSet('mine', {}, probe(true))).rejects.toMatchObject({ exitCode: 2 });
    await expect(chooseImageSet(undefined, { OUTBOX_CHAOS_IMAGES: 'x' }, probe(true))).rejects.toThrow(
      /OUTBOX_CHAOS_IMAGES must be one of official, built/,
    );
  });
});
