import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli.ts';

// Bad input is refused before anything starts: the command exits 2 within a moment, naming every problem,
// and the state directory (where a stack's lock, pids and state would go) stays empty.
describe('inputs checked before anything starts', () => {
  let state: string;
  let errors: string[];
  const saved = {
    state: process.env.OUTBOX_CHAOS_STATE,
    reports: process.env.OUTBOX_CHAOS_REPORTS,
    plugins: process.env.OUTBOX_CHAOS_PLUGIN_PATH,
  };

  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'oc-state-'));
    process.env.OUTBOX_CHAOS_STATE = state;
    process.env.OUTBOX_CHAOS_REPORTS = mkdtempSync(join(tmpdir(), 'oc-reports-'));
    errors = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const [k, v] of [
      ['OUTBOX_CHAOS_STATE', saved.state],
      ['OUTBOX_CHAOS_REPORTS', saved.reports],
      ['OUTBOX_CHAOS_PLUGIN_PATH', saved.plugins],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  /**
   * Runs a command: its exit code, the CPU time it took (a busy machine stretches the wall clock, not this),
   * and what it left in the state directory.
   */
  async function attempt(argv: string[]): Promise<{ code: number; cpuMs: number; started: string[]; out: string }> {
    // --plugin-path is kept in the environment by the argument parser; each attempt starts without one.
    delete process.env.OUTBOX_CHAOS_PLUGIN_PATH;
    const c0 = process.cpuUsage();
    const code = await main(argv);
    const cpu = process.cpuUsage(c0);
    return { code, cpuMs: (cpu.user + cpu.system) / 1000, started: readdirSync(state), out: errors.join('\n') };
  }

  it('run baseline --connectors /nonexistent fails at once, with nothing started', async () => {
    // The command's module loaded first: the time measured is the checks', not the module loader's.
    expect(await main(['run', '--help'])).toBe(0);
    const r = await attempt(['run', 'baseline', '--connectors', '/nonexistent', '--name', 'inputs-test']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/connectors directory \/nonexistent does not exist/);
    expect(r.started).toEqual([]);
    // A stack started first would take 15-27 s and leave its lock in the state directory.
    expect(r.cpuMs).toBeLessThan(500);
  });

  it('reports every problem of a run at once, with its fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-def-'));
    writeFileSync(join(dir, 'register-elasticsearch.json'), '{"name": "es", "config": {');
    const r = await attempt([
      'run',
      'baseline',
      'no-such-scenario',
      '--connectors',
      dir,
      '--seed',
      'abc',
      '--provider',
      'x',
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/4 problems with the input \(nothing was started\)/);
    expect(r.out).toMatch(/--seed must be a whole number/);
    expect(r.out).toMatch(/no-such-scenario/);
    expect(r.out).toMatch(/register-elasticsearch\.json is not valid JSON[^\n]*\n\s+fix: fix the JSON syntax/);
    expect(r.out).toMatch(/--provider must be one of/);
    expect(r.started).toEqual([]);
  });

  it('checks up, zoo, compare and doctor the same way', async () => {
    const cases: [string[], RegExp][] = [
      [['up', '--detach', '--connectors', '/nonexistent', '--port-base', 'x'], /2 problems[\s\S]*--port-base/],
      [['up', '--plugin-path', '/no/such/plugins', '--topology', 'ring'], /2 problems[\s\S]*plugin path/],
      [['zoo', '--json', '/no/such/dir/out.json'], /--json \/no\/such\/dir\/out\.json: directory/],
      [['up', '--provider', 'containers', '--detach'], /--detach is not possible with --provider containers/],
      [['zoo', '--only', 'no-such-entry', '--topology', 'ring'], /2 problems[\s\S]*no zoo entry[\s\S]*--topology/],
      [['compare', 'baseline', '--pipelines', '/nonexistent,connectors', '--duration', '0'], /2 problems/],
      [['compare', 'baseline', '--versions', 'debezium=3.6.1.Final'], /at least two definition directories, or/],
      [
        [
          'compare',
          'baseline',
          '--pipelines',
          'connectors,connectors/outbox',
          '--versions',
          'kafka=4.1.1',
          '--versions',
          'kafka=3.9.2',
        ],
        /varies one thing at a time/,
      ],
      [
        ['compare', 'baseline', '--versions', 'kafka=4.1.1', '--versions', 'kafka=3.9.2', '--keep'],
        /compare --versions starts one per set/,
      ],
      [['compare', 'baseline', '--versions', 'kafka=4.1.1', '--versions', 'cassandra=4'], /--versions \(set 2\)/],
      [['doctor', '--provider', 'external', '--env', '/nonexistent.yaml'], /env file \/nonexistent\.yaml does not/],
    ];
    for (const [argv, message] of cases) {
      errors.length = 0;
      const r = await attempt(argv);
      expect({ argv, code: r.code, started: r.started }).toEqual({ argv, code: 2, started: [] });
      expect(r.out).toMatch(message);
    }
  });
});
