import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { endpointsFor } from './endpoints.ts';
import { decodeStatus, readExitStatus } from './exits.ts';
import { serviceConditions } from './liveness.ts';
import { portPlan } from './ports.ts';
import { isAlive, signalGroup, spawnService } from './processes.ts';
import { Service, type ServiceName } from './service.ts';
import { describeExit, superviseStack, type ServiceExit } from './supervise.ts';
import { readState, writeState, type StackState } from './state.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stack directory whose "services" are small shell programs, started the way real services are. */
function fakeStack(): { dir: string; state: StackState; onPid: (n: ServiceName, pid: number | undefined) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'oc-supervise-'));
  dirs.push(dir);
  const ports = portPlan(30_000);
  const state: StackState = {
    name: 'fake',
    dir,
    ownerPid: process.pid,
    startedAt: new Date().toISOString(),
    ports,
    endpoints: endpointsFor(ports),
    pids: {},
    versions: {},
  };
  writeState(state);
  const onPid = (n: ServiceName, pid: number | undefined) => {
    const s = readState(dir) as StackState;
    if (pid === undefined) delete s.pids[n];
    else s.pids[n] = pid;
    writeState(s);
  };
  return { dir, state, onPid };
}

async function start(
  dir: string,
  name: ServiceName,
  script: string,
  onPid: (n: ServiceName, pid: number | undefined) => void,
): Promise<Service> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const logFile = join(dir, 'logs', `${name}.log`);
  const svc = new Service(
    {
      name,
      logFile,
      spawn: () => ({ name, cmd: 'sh', args: ['-c', script], logFile, stackDir: dir }),
      ready: async () => true,
      readyTimeoutMs: 2000,
      stopSignal: 'SIGTERM',
    },
    onPid,
    dir,
  );
  await svc.start();
  return svc;
}

const stops: (() => void)[] = [];
const dirs: string[] = [];
afterEach(() => stops.splice(0).forEach((s) => s()));
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('service exits, recorded and supervised', () => {
  it("the wrapper hands over the service's own pid and records how it ended", async () => {
    const { dir } = fakeStack();
    const logFile = join(dir, 'x.log');
    const pid = await spawnService({
      name: 'x',
      cmd: 'sh',
      args: ['-c', 'echo started; exit 3'],
      logFile,
      stackDir: dir,
    });
    for (let i = 0; i < 100 && !readExitStatus(dir, pid); i++) await sleep(20);
    expect(readExitStatus(dir, pid)).toMatchObject({ status: 3 });
    expect(decodeStatus(137)).toEqual({ status: 137, signal: 'SIGKILL' });
    expect(decodeStatus(1)).toEqual({ status: 1 });
  });

  it('reports a service killed outside a fault within 2 s, with the signal and its last log lines', async () => {
    const { dir, onPid } = fakeStack();
    const svc = await start(dir, 'connect', 'echo "worker up"; exec sleep 60', onPid);
    const seen: ServiceExit[] = [];
    stops.push(superviseStack(dir, (e) => seen.push(e)));
    await sleep(300);
    const pid = svc.pid as number;
    const t0 = Date.now();
    signalGroup(pid, 'SIGKILL');
    while (seen.length === 0 && Date.now() - t0 < 3000) await sleep(20);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ service: 'connect', pid, status: { signal: 'SIGKILL' } });
    expect(seen[0]?.logTail).toContain('worker up');
    expect(describeExit(seen[0] as ServiceExit)).toContain('exited outside a fault: killed by SIGKILL');
    const [cond] = serviceConditions(readState(dir) as StackState).filter((c) => c.service === 'connect');
    expect(cond?.state).toBe('dead');
    expect(cond?.detail).toContain('killed by SIGKILL');
  });

  it('stays silent for process faults (kill, restart) and follows the restarted pid', async () => {
    const { dir, onPid } = fakeStack();
    const svc = await start(dir, 'kafka', 'exec sleep 60', onPid);
    const seen: ServiceExit[] = [];
    stops.push(superviseStack(dir, (e) => seen.push(e)));
    await svc.kill();
    await svc.start();
    await svc.restart({ graceful: true });
    const last = svc.pid as number;
    await sleep(1000);
    expect(seen).toEqual([]);
    // The restarted process is watched too.
    signalGroup(last, 'SIGTERM');
    for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(20);
    expect(seen.map((e) => e.pid)).toEqual([last]);
    expect(seen[0]?.status?.signal).toBe('SIGTERM');
  });

  it('names who stopped a service when another command did it on purpose (`down`)', async () => {
    const { dir, onPid } = fakeStack();
    const svc = await start(dir, 'postgres', 'exec sleep 60', onPid);
    const pid = svc.pid as number;
    const seen: ServiceExit[] = [];
    stops.push(superviseStack(dir, (e) => seen.push(e)));
    // As `down` in another process writes it (expectExit, from pid 1's point of view).
    const marker = join(dir, 'exits', `${pid}.expected`);
    writeFileSync(marker, JSON.stringify({ reason: 'down', by: 1, command: 'outbox-chaos down', at: Date.now() }));
    signalGroup(pid, 'SIGTERM');
    while (isAlive(pid)) await sleep(20);
    for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(20);
    expect(seen[0]?.stoppedBy).toMatchObject({ reason: 'down', command: 'outbox-chaos down' });
    expect(describeExit(seen[0] as ServiceExit)).toContain('was stopped by outbox-chaos down (pid 1)');
  });
});
