import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../harness/connect/client.ts';
import { hashFile } from '../harness/provision/cache-manifest.ts';
import { debeziumArtifact } from '../harness/provision/kafka.ts';
import { cacheDir } from '../harness/provision/paths.ts';
import type { RunReport } from '../harness/record/report.ts';
import { lockPath } from '../harness/stack/owner.ts';
import { waitPortsFree } from '../harness/stack/ports.ts';
import { findStackProcesses, processState } from '../harness/stack/processes.ts';
import { stackDir } from '../harness/stack/stack.ts';
import { readState, type StackState } from '../harness/stack/state.ts';
import { cli, type CliRun } from './fixtures/cli.ts';

/**
 * The four findings of "never destroy a live stack, never trust a damaged cache, notice a dead service",
 * reproduced as a user with two terminals would, through the CLI, on two small stacks of this file's own
 * (names and port block: OUTBOX_CHAOS_TEST_LIFECYCLE_NAME, OUTBOX_CHAOS_TEST_LIFECYCLE_PORT_BASE), plus
 * Ctrl-C in the middle of a run.
 */
const prefix = process.env.OUTBOX_CHAOS_TEST_LIFECYCLE_NAME ?? 'lifecycle';
const base = Number(process.env.OUTBOX_CHAOS_TEST_LIFECYCLE_PORT_BASE ?? 18100);
const A = { name: `${prefix}-a`, portBase: base };
const B = { name: `${prefix}-b`, portBase: base + 20 };
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const state = (name: string): StackState => {
  const s = readState(stackDir(name));
  if (!s) throw new Error(`stack ${name} has no state file`);
  return s;
};

async function connectorStates(name: string): Promise<Record<string, string[]>> {
  const connect = new ConnectClient(state(name).endpoints.connectUrl);
  const out: Record<string, string[]> = {};
  for (const c of await connect.list()) {
    const st = await connect.status(c);
    out[c] = [st?.connector.state ?? 'MISSING', ...(st?.tasks ?? []).map((t) => t.state)];
  }
  return out;
}

async function allRunning(name: string, timeoutMs = 30_000): Promise<Record<string, string[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await connectorStates(name).catch(() => ({}) as Record<string, string[]>);
    const ok =
      Object.keys(s).length === 2 && Object.values(s).every((v) => v.length > 1 && v.every((x) => x === 'RUNNING'));
    if (ok || Date.now() > deadline) return s;
    await sleep(500);
  }
}

const started: CliRun[] = [];
const run = (args: string[], env?: NodeJS.ProcessEnv): CliRun => {
  const r = cli(args, env);
  started.push(r);
  return r;
};

afterAll(async () => {
  for (const r of started) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  for (const s of [A, B]) await cli(['down', '--name', s.name]).exited;
}, 5 * MIN);

describe('one owner per stack', () => {
  it(
    'two `up`s at once: the second refuses with exit 3, naming the first, which comes up (finding 2)',
    async () => {
      const first = run(['up', '--detach', '--name', A.name, '--port-base', String(A.portBase)]);
      // The second starts once the first holds the stack, as a second terminal a second later would.
      for (let i = 0; i < 600 && !existsSync(lockPath(A.name)); i++) await sleep(50);
      const second = run(['up', '--detach', '--name', A.name, '--port-base', String(A.portBase)]);
      expect((await second.exited).code, second.output()).toBe(3);
      expect(second.output()).toContain(
        `stack "${A.name}" is in use by pid ${first.pid} (outbox-chaos up --detach --name ${A.name}`,
      );
      expect((await first.exited).code, first.output()).toBe(0);
      expect(await allRunning(A.name)).toEqual({
        'elasticsearch-sink-connector': ['RUNNING', 'RUNNING'],
        'product-connector': ['RUNNING', 'RUNNING'],
      });
      expect(existsSync(lockPath(A.name))).toBe(false);
    },
    10 * MIN,
  );

  it(
    '`up` on a healthy running stack says so and leaves it untouched: ' +
      'processes, connectors, a psql session (finding 1)',
    async () => {
      const before = state(A.name).pids;
      const session = new pg.Client({ connectionString: state(A.name).endpoints.pgUrl });
      await session.connect();
      try {
        const again = run(['up', '--detach', '--name', A.name, '--port-base', String(A.portBase)]);
        expect((await again.exited).code, again.output()).toBe(0);
        expect(again.output()).toContain(`stack "${A.name}" is already up and healthy`);
        expect(again.output()).not.toContain('left by an earlier run');
        expect(state(A.name).pids).toEqual(before);
        expect((await session.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      } finally {
        await session.end();
      }
      expect(
        Object.values(await allRunning(A.name, 0))
          .flat()
          .every((s) => s === 'RUNNING'),
      ).toBe(true);
    },
    5 * MIN,
  );
});

describe('interrupted runs', () => {
  it(
    'Ctrl-C during a run heals every fault, writes a partial report marked interrupted, and leaves the stack usable',
    async () => {
      const scenario = join('test', 'fixtures', 'scenarios', 'interrupt-me.yaml');
      const r = run(['run', scenario, '--name', A.name]);
      const s = state(A.name);
      const toxiproxy = s.endpoints.toxiproxyUrl;
      // Every fault on: Elasticsearch's proxy down, a latency toxic, the sink PAUSED, Kafka frozen.
      const deadline = Date.now() + 3 * MIN;
      for (;;) {
        const proxies = (await (await fetch(`${toxiproxy}/proxies`)).json()) as Record<
          string,
          { enabled: boolean; toxics: unknown[] }
        >;
        const sink = (await connectorStates(A.name).catch(() => ({}) as Record<string, string[]>))[
          'elasticsearch-sink-connector'
        ]?.[0];
        const frozen = processState(state(A.name).pids.kafka as number) === 'T';
        if (proxies.es?.enabled === false && (proxies.pg?.toxics.length ?? 0) > 0 && sink === 'PAUSED' && frozen) break;
        if (Date.now() > deadline || r.child.exitCode !== null)
          throw new Error(`the faults never were all on:\n${r.output().slice(-3000)}`);
        await sleep(250);
      }
      // While the run holds the stack, `up` refuses it, naming the run.
      const up = run(['up', '--detach', '--name', A.name]);
      expect((await up.exited).code, up.output()).toBe(3);
      expect(up.output()).toContain(`is in use by pid ${r.pid} (outbox-chaos run ${scenario} --name ${A.name})`);

      r.child.kill('SIGINT');
      expect((await r.exited).code, r.output()).toBe(130);
      const runDir = /▸ run interrupt-me .* → (\S+)/.exec(r.output())?.[1] as string;
      const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as RunReport;
      expect(report.interrupted).toEqual({ reason: 'SIGINT (Ctrl-C)', during: 'workload' });
      expect(report.passed).toBe(false);
      expect(report.notes[0]).toMatch(/^interrupted during workload: SIGINT \(Ctrl-C\)\. Every fault was healed/);

      const proxies = (await (await fetch(`${toxiproxy}/proxies`)).json()) as Record<
        string,
        { enabled: boolean; toxics: unknown[] }
      >;
      expect(Object.values(proxies).map((p) => [p.enabled, p.toxics.length])).toEqual([
        [true, 0],
        [true, 0],
        [true, 0],
      ]);
      for (const pid of Object.values(state(A.name).pids)) expect(processState(pid as number)).not.toBe('T');
      expect(
        Object.values(await allRunning(A.name))
          .flat()
          .every((x) => x === 'RUNNING'),
      ).toBe(true);
      expect(existsSync(lockPath(A.name))).toBe(false);
      // Usable: doctor finds nothing wrong, and a run on it passes.
      const doctor = run(['doctor', '--name', A.name]);
      expect((await doctor.exited).code, doctor.output()).toBe(0);
      const baseline = run(['run', 'baseline', '--name', A.name, '--duration', '5']);
      await baseline.exited;
      const next = /▸ run baseline .* → (\S+)/.exec(baseline.output())?.[1] as string;
      expect(
        (JSON.parse(readFileSync(join(next, 'report.json'), 'utf8')) as RunReport).verdict,
        baseline.output(),
      ).toBe('converged');
    },
    10 * MIN,
  );
});

describe('a dead owner', () => {
  it(
    'a run killed with SIGKILL leaves its lock and its faults: the next `up` takes the stack over and starts it afresh',
    async () => {
      const r = run(['run', join('test', 'fixtures', 'scenarios', 'interrupt-me.yaml'), '--name', A.name]);
      const toxiproxy = state(A.name).endpoints.toxiproxyUrl;
      const deadline = Date.now() + 3 * MIN;
      for (;;) {
        const proxies = (await (await fetch(`${toxiproxy}/proxies`)).json()) as Record<string, { enabled: boolean }>;
        if (proxies.es?.enabled === false && processState(state(A.name).pids.kafka as number) === 'T') break;
        if (Date.now() > deadline || r.child.exitCode !== null)
          throw new Error(`the faults never came on:\n${r.output().slice(-3000)}`);
        await sleep(250);
      }
      r.child.kill('SIGKILL'); // no cleanup at all: the lock, the toxics and the frozen broker stay
      await r.exited;
      expect(JSON.parse(readFileSync(lockPath(A.name), 'utf8')).pid).toBe(r.pid);

      const up = run(['up', '--detach', '--name', A.name, '--port-base', String(A.portBase)]);
      expect((await up.exited).code, up.output()).toBe(0);
      expect(up.output()).toContain(`stack "${A.name}" was held by pid ${r.pid} (outbox-chaos run`);
      expect(up.output()).toMatch(/stopped \d+ process\(es\) left by an earlier run/);
      const proxies = (await (await fetch(`${toxiproxy}/proxies`)).json()) as Record<
        string,
        { enabled: boolean; toxics: unknown[] }
      >;
      expect(Object.values(proxies).map((p) => [p.enabled, p.toxics.length])).toEqual([
        [true, 0],
        [true, 0],
        [true, 0],
      ]);
      expect(
        Object.values(await allRunning(A.name))
          .flat()
          .every((x) => x === 'RUNNING'),
      ).toBe(true);
    },
    10 * MIN,
  );
});

describe('a damaged cache, and supervision of a foreground up', () => {
  const cache = join(mkdtempSync(join(tmpdir(), 'oc-lifecycle-cache-')), 'cache');
  let fg: CliRun | undefined;
  afterAll(() => rmSync(join(cache, '..'), { recursive: true, force: true }));

  it(
    '`up` on a cache whose Debezium jar is truncated fetches it again and runs, not blaming the config (finding 3)',
    async () => {
      // A copy: the real cache is never touched. Not the Docker engine's data root (~1.3 GB, in use by the engine
      // while CI runs): a local stack never reads it.
      execFileSync('mkdir', ['-p', cache]);
      const entries = readdirSync(cacheDir()).filter((e) => e !== 'docker');
      execFileSync('cp', ['-a', ...entries.map((e) => join(cacheDir(), e)), cache]);
      const plugin = debeziumArtifact(cache).path;
      const jarName = readdirSync(plugin).find((f) => /^debezium-connector-postgres-.*\.jar$/.test(f)) as string;
      const jar = join(plugin, jarName);
      const intact = { size: statSync(jar).size, sha: hashFile(jar) };
      truncateSync(jar, Math.floor(intact.size / 3)); // as an interrupted download or a full disk leaves it

      fg = run(['up', '--name', B.name, '--port-base', String(B.portBase)], { OUTBOX_CHAOS_CACHE: cache });
      await fg.waitFor(/Running in the foreground/, 8 * MIN);
      expect(fg.output()).toMatch(/debezium-connector-postgres is damaged \(.*size \d+ ≠ recorded \d+/);
      expect(fg.output()).not.toContain('rejected');
      expect({ size: statSync(jar).size, sha: hashFile(jar) }).toEqual(intact);
      expect(await allRunning(B.name)).toEqual({
        'elasticsearch-sink-connector': ['RUNNING', 'RUNNING'],
        'product-connector': ['RUNNING', 'RUNNING'],
      });
    },
    10 * MIN,
  );

  it(
    'a foreground `up` whose service dies says which, how and its last lines within 2 s, ' +
      'stops the rest and exits 3 (finding 4)',
    async () => {
      if (!fg) throw new Error('needs the foreground up of the previous test');
      const s = state(B.name);
      const connect = s.pids.connect as number;
      const killedAt = Date.now();
      process.kill(connect, 'SIGKILL'); // not a fault: another program, the OOM killer, a second `up` before the lock
      const seenAt = await fg.waitFor(/error: connect \(pid \d+\) exited outside a fault: killed by SIGKILL/, 10_000);
      const detectedMs = seenAt - killedAt;
      console.log(`foreground up reported the dead service ${detectedMs} ms after the kill`);
      expect(detectedMs).toBeLessThan(2000);
      expect(fg.output()).toMatch(/\n {2}\| .+/); // its last log lines
      expect((await fg.exited).code, fg.output()).toBe(3);
      expect(findStackProcesses(s.dir)).toEqual([]);
      expect(await waitPortsFree(s.ports, 5000)).toEqual([]);
    },
    5 * MIN,
  );
});
