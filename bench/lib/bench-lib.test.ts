import { describe, expect, it } from 'vitest';
import { expectedTestFiles, readVitestResults } from '../measures/npm-test.ts';
import { lineTime, milestonesIn } from './milestones.ts';
import { median, percentile, summarise } from './stats.ts';
import { parseSteps } from './steps.ts';

describe('stats', () => {
  it('takes medians of odd and even sample counts, and nothing of none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });

  it('compares the median with a target in the right direction', () => {
    expect(summarise([40, 50, 44], { kind: 'max', value: 45 })).toMatchObject({
      median: 44,
      min: 40,
      max: 50,
      meets: true,
    });
    expect(summarise([900, 1100, 950], { kind: 'min', value: 1000 })).toMatchObject({
      median: 950,
      meets: false,
      ratio: 0.95,
    });
    expect(summarise([Number.NaN, 2])).toMatchObject({ n: 1, median: 2, ratio: null, meets: null });
  });
});

describe('step lines', () => {
  it('pairs the harness step lines into spans, also when steps run side by side', () => {
    const lines = [
      { t: 0, line: '▸ start services' },
      { t: 10, line: '  ▸ postgres' },
      { t: 11, line: '    ▸ kafka' },
      { t: 500, line: '    ✓ postgres (0.5 s)' },
      { t: 900, line: '      ✓ kafka (0.9 s)' },
      { t: 950, line: '  ✓ start services (1.0 s)' },
      { t: 960, line: 'something else' },
    ];
    expect(parseSteps(lines).map((s) => [s.name, s.endMs - s.startMs])).toEqual([
      ['start services', 950],
      ['postgres', 490],
      ['kafka', 889],
    ]);
  });
});

describe('log milestones', () => {
  it('reads Kafka/Connect and Elasticsearch time stamps as local time', () => {
    expect(lineTime('[2026-11-27T14:04:12,263] INFO x')).toBe(new Date('2026-11-27T14:04:12.263').getTime());
    expect(lineTime('[2026-11-27T14:04:25,630][INFO ][o.e.b.Elasticsearch] x')).toBe(
      new Date('2026-11-27T14:04:25.630').getTime(),
    );
    expect(lineTime('\tat some.Trace')).toBeUndefined();
  });

  it('finds each milestone once, with the number a line carries', () => {
    const log = [
      '[2026-11-27T14:04:26,149] INFO Kafka Connect worker initializing ... (AbstractConnectCli)',
      '[2026-11-27T14:04:28,251] INFO Scanning plugins with ServiceLoaderScanner took 1973 ms (PluginScanner)',
      '[2026-11-27T14:04:39,005] INFO Kafka Connect started (Connect)',
      '[2026-11-27T14:05:39,005] INFO Kafka Connect started (Connect)',
    ].join('\n');
    const m = milestonesIn('connect', log);
    expect(m.map((x) => x.what)).toEqual([
      'first log line (JVM up, log4j configured)',
      'plugin scan done',
      'Kafka Connect started',
    ]);
    expect(m[1]?.value).toBe(1973);
    expect(m[2]?.t).toBe(new Date('2026-11-27T14:04:39.005').getTime());
  });
});

describe('npm test reading', () => {
  const root = '/r';
  const expected = ['harness/a.test.ts', 'test/b.int.test.ts'];
  it('measures a run that covered every test file, from its start to the last file end', () => {
    const r = readVitestResults(
      {
        startTime: 1000,
        numTotalTests: 5,
        numFailedTests: 0,
        testResults: [
          { name: '/r/harness/a.test.ts', startTime: 1100, endTime: 2000 },
          { name: '/r/test/b.int.test.ts', startTime: 2000, endTime: 61_000 },
        ],
      },
      'f',
      expected,
      root,
    );
    expect(r).toMatchObject({ measured: true, wallMs: 60_000, files: 2, expectedFiles: 2 });
    expect(r.slowestFiles[0]).toEqual({ file: 'test/b.int.test.ts', ms: 59_000 });
  });

  it('refuses a partial run', () => {
    const r = readVitestResults(
      { startTime: 1000, testResults: [{ name: '/r/harness/a.test.ts', startTime: 1100, endTime: 2000 }] },
      'f',
      expected,
      root,
    );
    expect(r.measured).toBe(false);
    expect(r.reason).toMatch(/partial run: 1 of 2/);
  });

  it('finds the test files the vitest config selects', () => {
    const files = expectedTestFiles(new URL('../..', import.meta.url).pathname);
    expect(files).toContain('bench/lib/bench-lib.test.ts');
    expect(files.every((f) => f.endsWith('.test.ts'))).toBe(true);
    expect(files.some((f) => f.startsWith('test/') && !f.endsWith('.int.test.ts'))).toBe(false);
  });
});

describe('critical path of a cold start', () => {
  it('follows Elasticsearch when it answered last, split at its milestones, then registration', async () => {
    const { criticalPath } = await import('./critical-path.ts');
    const steps = [
      { name: 'provision (cache /c)', startMs: 0, endMs: 100 },
      { name: 'start services', startMs: 150, endMs: 9000 },
      { name: 'kafka', startMs: 300, endMs: 3000 },
      { name: 'connect', startMs: 3000, endMs: 6000 },
      { name: 'elasticsearch', startMs: 6000, endMs: 9000 },
      { name: 'register pipeline (/x)', startMs: 9000, endMs: 10_000 },
    ];
    const ms = [
      { service: 'elasticsearch', what: 'first log line (server JVM up)', atMs: 2000 },
      { service: 'elasticsearch', what: 'node started', atMs: 8000 },
      { service: 'connect', what: 'plugin scan done', atMs: 4000 },
    ];
    expect(criticalPath(steps, ms).map((s) => [s.what, s.endMs - s.startMs])).toEqual([
      ['provision (cache check)', 100],
      ['stop leftovers, ports, data dirs', 50],
      ['elasticsearch: start → first log line (server JVM up)', 1850],
      ['elasticsearch: first log line (server JVM up) → node started', 6000],
      ['elasticsearch: node started → ready', 1000],
      ['register source + sink → RUNNING', 1000],
    ]);
  });

  it('follows Kafka → Connect when Elasticsearch was ready before Connect', async () => {
    const { criticalPath } = await import('./critical-path.ts');
    const steps = [
      { name: 'start services', startMs: 0, endMs: 6010 },
      { name: 'toxiproxy', startMs: 10, endMs: 200 },
      { name: 'postgres', startMs: 200, endMs: 1500 },
      { name: 'kafka', startMs: 200, endMs: 3000 },
      { name: 'connect', startMs: 3000, endMs: 6000 },
      { name: 'elasticsearch', startMs: 6000, endMs: 6010 },
      { name: 'register pipeline', startMs: 6010, endMs: 7000 },
    ];
    const ms = [{ service: 'connect', what: 'Kafka Connect started', atMs: 5500 }];
    expect(criticalPath(steps, ms).map((s) => s.what)).toEqual([
      'toxiproxy and its proxies',
      'kafka: start → ready',
      'connect: start → Kafka Connect started',
      'connect: Kafka Connect started → ready',
      'register source + sink → RUNNING',
    ]);
  });
});

describe('CPU by thread kind, and the peer ratio', () => {
  it('tells JIT and GC threads from the rest by their names', async () => {
    const { threadKind } = await import('./proc-cpu.ts');
    expect(
      [
        'C2 CompilerThre',
        'C1 CompilerThre',
        'GC Thread#1',
        'G1 Refine#0',
        'G1 Conc#0',
        'VM Thread',
        'main',
        'kafka-scheduler',
      ].map(threadKind),
    ).toEqual(['jit', 'jit', 'gc', 'gc', 'gc', 'gc', 'other', 'other']);
  });

  it('puts our median over the peer’s, against the allowed ratio', async () => {
    const { metric, withPeer } = await import('./measure.ts');
    const ours = metric('a', 'a', 's', [10, 12, 11], { kind: 'max', value: 12 });
    const peer = metric('b', 'b', 's', [30, 20, 25]);
    expect(withPeer(ours, peer, 0.5).peer).toEqual({ id: 'b', median: 25, ratio: 11 / 25, target: 0.5, meets: true });
    expect(withPeer(ours, metric('c', 'c', 's', [20]), 0.5).peer?.meets).toBe(false);
    expect(withPeer(ours, metric('d', 'd', 's', []), 0.5).peer?.ratio).toBeNull();
  });
});
