import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { capabilities, FAULT_KINDS, faultNeeds, makeFault } from './registry.ts';

const bad =
  (spec: unknown, path = 'faults[2]') =>
  () =>
    makeFault(spec, 'f#1', path);

describe('makeFault', () => {
  it('builds every kind from a minimal valid spec', () => {
    const minimal: Record<string, Record<string, unknown>> = {
      'network.down': { target: 'es' },
      'network.latency': { target: 'es', latency: 500 },
      'network.bandwidth': { target: 'kafka', rate: 10 },
      'network.timeout': { target: 'pg' },
      'network.reset_peer': { target: 'pg', timeout: 100 },
      'network.slow_close': { target: 'es', delay: 1000 },
      'network.slicer': { target: 'es', average_size: 64 },
      'network.limit_data': { target: 'es', bytes: 2048 },
      'process.kill': { target: 'connect' },
      'process.pause': { target: 'kafka' },
      'process.restart': { target: 'postgres' },
      'process.replace': { target: 'kafka@leader-of:products' },
      'postgres.failover': {},
      'connector.restart': { target: 'sink' },
      'connector.pause': { target: 'source' },
      'connector.stop': { target: 'sink' },
      'connector.reset-offsets': { target: 'source' },
      'postgres.walsender-kill': {},
      'postgres.app-disconnect': { every: 100 },
      'es.read-only': {},
    };
    // A new kind is built from its definition's example (kinds.test.ts); these are the kinds this test pins.
    expect(FAULT_KINDS.map((k) => k.kind)).toEqual(expect.arrayContaining(Object.keys(minimal)));
    for (const [kind, rest] of Object.entries(minimal)) {
      const f = makeFault({ kind, ...rest }, `${kind}#1`);
      expect(f.kind).toBe(kind);
      expect(f.id).toBe(`${kind}#1`);
      expect(f.describe()).toMatch(/\S/);
      expect(f.instantaneous).toBe(FAULT_KINDS.find((k) => k.kind === kind)?.instantaneous);
    }
  });

  it('reads parameters flat or under params, and describes them', () => {
    const flat = makeFault({ kind: 'network.latency', target: 'es', latency: 800, jitter: 200 }, 'a');
    const nested = makeFault(
      { kind: 'network.latency', target: 'es', params: { latency: 800, jitter: 200, direction: 'both' } },
      'b',
    );
    expect(flat.describe()).toBe('latency 800±200 ms downstream on proxy es');
    expect(nested.describe()).toBe('latency 800±200 ms both on proxy es');
    expect(makeFault({ kind: 'process.kill', target: 'kafka', downMs: 5000 }, 'k').describe()).toBe(
      'kill -9 kafka, restart after 5000 ms',
    );
  });

  it('names the bad field in every error', () => {
    expect(bad({ kind: 'network.latency', target: 'es', params: { latency: '800ms' } })).toThrow(
      'faults[2].params.latency must be a number of ms, got "800ms"',
    );
    expect(bad({ kind: 'network.latency', target: 'es', latency: -1 })).toThrow(
      'faults[2].latency must be a number of ms (a whole number ≥ 0), got -1',
    );
    expect(bad({ kind: 'network.latency', target: 'es', latency: 1.5 })).toThrow(
      'faults[2].latency must be a number of ms',
    );
    expect(bad({ kind: 'network.latency', target: 'es' })).toThrow('faults[2].latency is required for network.latency');
    expect(bad({ kind: 'network.latency', target: 'es', latency: 1, latancy: 2 })).toThrow(
      'faults[2].latancy is not a parameter of network.latency',
    );
    expect(bad({ kind: 'network.latency', target: 'db', latency: 1 })).toThrow(
      'faults[2].target must be one of pg, kafka, es for network.latency, got "db"',
    );
    expect(bad({ kind: 'network.latency', latency: 1 })).toThrow('faults[2].target must be one of pg, kafka, es');
    expect(bad({ kind: 'network.latency', target: 'es', latency: 1, direction: 'sideways' })).toThrow(
      'faults[2].direction must be one of upstream, downstream, both',
    );
    expect(bad({ kind: 'network.latency', target: 'es', latency: 1, toxicity: 2 })).toThrow(
      'faults[2].toxicity must be a number between 0 and 1',
    );
    expect(bad({ kind: 'network.bandwidth', target: 'es', rate: 'fast' })).toThrow(
      'faults[2].rate must be a rate in KB/s',
    );
    expect(bad({ kind: 'network.slicer', target: 'es', average_size: 0 })).toThrow(
      'faults[2].average_size must be a number of bytes (a whole number ≥ 1)',
    );
    expect(bad({ kind: 'network.slicer', target: 'es', average_size: 10, size_variation: 10 })).toThrow(
      'faults[2].size_variation must be smaller than average_size',
    );
    expect(bad({ kind: 'network.slicer', target: 'es', average_size: 10, delay: 'x' })).toThrow(
      'faults[2].delay must be a number of µs',
    );
    expect(bad({ kind: 'network.down', target: 'es', toxicity: 0.5 })).toThrow(
      'faults[2].toxicity is not a parameter of network.down (network.down takes no parameters)',
    );
    expect(bad({ kind: 'process.kill', target: 'toxiproxy' })).toThrow(
      'faults[2].target must be one of postgres, kafka, connect, elasticsearch',
    );
    expect(bad({ kind: 'connector.pause', target: 'product-connector' })).toThrow(
      'faults[2].target must be one of source, sink',
    );
    expect(bad({ kind: 'es.read-only', target: 'es' })).toThrow('faults[2].target must be one of elasticsearch');
    expect(bad({ kind: 'network.latency', target: 'es', params: { latency: 1 }, jitter: 1 })).toThrow(
      'faults[2].jitter: give network.latency',
    );
    expect(bad({ kind: 'network.latency', target: 'es', params: [1] })).toThrow('faults[2].params must be an object');
    expect(bad('network.down')).toThrow('faults[2] must be an object');
  });

  it('rejects unknown kinds with the list and a suggestion', () => {
    const fn = bad({ kind: 'latency', target: 'es' });
    expect(fn).toThrow(ConfigError);
    expect(fn).toThrow(
      /faults\[2\]\.kind must be one of network\.down, .*; got "latency" \(did you mean network\.latency\?\)/,
    );
    expect(bad({ target: 'es' })).toThrow('faults[2].kind must be one of');
  });

  it('uses "fault" as the default path', () => {
    expect(() => makeFault({ kind: 'network.latency', target: 'es' }, 'x')).toThrow('fault.latency is required');
  });
});

describe('kinds and capabilities', () => {
  it('lists every kind once with a one-line summary', () => {
    const kinds = FAULT_KINDS.map((k) => k.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds.length).toBeGreaterThanOrEqual(19);
    for (const k of FAULT_KINDS) expect(k.summary).toMatch(/^[^\n]{10,100}$/);
  });

  it('groups kinds by what they need from the provider', () => {
    expect(capabilities(['process.kill', 'network.down', 'es.read-only', 'network.down', 'nope'])).toEqual({
      process: ['process.kill'],
      toxiproxy: ['network.down'],
      isolation: [],
      api: ['es.read-only'],
    });
    expect(capabilities(['network.partition']).isolation).toEqual(['network.partition']);
    const all = capabilities();
    // Every kind lands in the group of its `needs`; a new kind joins its group without changing these.
    expect(all.process).toEqual(FAULT_KINDS.filter((k) => k.needs === 'process').map((k) => k.kind));
    expect(all.process).toEqual(
      expect.arrayContaining([
        'process.kill',
        'process.pause',
        'process.restart',
        'process.replace',
        'postgres.failover',
      ]),
    );
    expect(all.toxiproxy.length).toBeGreaterThanOrEqual(8);
    expect(all.api).toEqual(
      expect.arrayContaining([
        'connector.restart',
        'connector.pause',
        'connector.stop',
        'connector.reset-offsets',
        'postgres.walsender-kill',
        'postgres.app-disconnect',
        'es.read-only',
      ]),
    );
    expect(faultNeeds('connector.stop')).toBe('api');
    expect(faultNeeds('nope')).toBeUndefined();
  });
});
