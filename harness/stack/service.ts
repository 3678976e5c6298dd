import { EnvError } from '../util/errors.ts';
import { expectExit, type ExitReason } from './exits.ts';
import { isAlive, logTail, signalGroup, spawnService, stopProcess, type SpawnSpec } from './processes.ts';
import type { Topology } from './targets.ts';
import { waitFor } from './wait.ts';

/** A cluster's members: numbered, so the timeline and the logs say which one. */
export type ClusterServiceName =
  'postgres-1' | 'postgres-2' | 'kafka-1' | 'kafka-2' | 'kafka-3' | 'connect-1' | 'connect-2';
export type ServiceName = 'toxiproxy' | 'postgres' | 'elasticsearch' | 'kafka' | 'connect' | ClusterServiceName;
/** In start order; stopping goes the other way. */
export const SERVICE_NAMES: readonly ServiceName[] = ['toxiproxy', 'postgres', 'elasticsearch', 'kafka', 'connect'];
export const CLUSTER_SERVICE_NAMES: readonly ServiceName[] = [
  'toxiproxy',
  'postgres-1',
  'postgres-2',
  'elasticsearch',
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'connect-1',
  'connect-2',
];

/** The services of a stack of this topology, in start order (a state file without one is a single stack). */
export function serviceNames(topology: Topology | undefined): readonly ServiceName[] {
  return topology === 'cluster' ? CLUSTER_SERVICE_NAMES : SERVICE_NAMES;
}

/** How to run one program; the Service below owns its process. */
export interface ServiceDef {
  name: ServiceName;
  logFile: string;
  spawn(): SpawnSpec;
  /** Resolves truthy once the service answers its protocol (not merely once the port is bound). */
  ready(): Promise<boolean>;
  readyTimeoutMs: number;
  /** The signal the program treats as a clean shutdown. */
  stopSignal: NodeJS.Signals;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A running program with start/stop/kill/pause, used by the stack lifecycle and by process faults alike.
 * `onPid` lets the stack persist pids so a later `down` (another process) can stop it. Every stop and kill
 * is announced in the stack's exits/ first, so supervision (in any process) knows it was meant.
 */
export class Service {
  pid: number | undefined;

  constructor(
    readonly def: ServiceDef,
    private readonly onPid: (name: ServiceName, pid: number | undefined) => void,
    private readonly stackDir: string,
  ) {}

  get name(): ServiceName {
    return this.def.name;
  }

  get logFile(): string {
    return this.def.logFile;
  }

  running(): boolean {
    return this.pid !== undefined && isAlive(this.pid);
  }

  async start(): Promise<void> {
    if (this.running()) return;
    await this.launch();
    await this.awaitReady();
  }

  /** Starts without waiting for readiness (to overlap slow boots); call awaitReady() later. */
  async launch(): Promise<void> {
    if (this.running()) return;
    this.pid = await spawnService(this.def.spawn());
    this.onPid(this.name, this.pid);
  }

  async awaitReady(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) throw new EnvError(`${this.name} was never started`);
    await waitFor(`${this.name} to become ready`, () => this.def.ready(), {
      timeoutMs: this.def.readyTimeoutMs,
      logFile: this.logFile,
      alive: () => isAlive(pid),
    });
  }

  /** `reason`: a process fault (the default) or the stack's own stop. */
  async stop(graceMs = 20_000, reason: ExitReason = 'fault'): Promise<void> {
    if (this.pid === undefined) return;
    expectExit(this.stackDir, this.pid, reason);
    await stopProcess(this.pid, this.def.stopSignal, graceMs);
    this.forget();
  }

  /** kill -9 of the whole group (a crash: no shutdown hooks, no flush); resolves once it is gone. */
  async kill(): Promise<number> {
    const pid = this.pid;
    if (pid === undefined || !isAlive(pid))
      throw new EnvError(`kill: ${this.name} is not running, nothing to hit`, `see ${this.logFile}`);
    expectExit(this.stackDir, pid, 'fault');
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
    signalGroup(pid, 'SIGKILL'); // whatever of the group outlived its leader
    this.forget();
    return pid;
  }

  pause(): void {
    if (this.pid !== undefined) signalGroup(this.pid, 'SIGSTOP');
  }

  resume(): void {
    if (this.pid !== undefined) signalGroup(this.pid, 'SIGCONT');
  }

  async restart(opts: { graceful: boolean }): Promise<void> {
    await this.stop(opts.graceful ? 20_000 : 0);
    await this.start();
  }

  logTail(lines = 30): string {
    return logTail(this.logFile, lines);
  }

  private forget(): void {
    this.pid = undefined;
    this.onPid(this.name, undefined);
  }
}
