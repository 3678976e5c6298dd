import { ConnectClient, type ConnectorStatus } from '../connect/client.ts';
import type { Emit } from '../record/samples-file.ts';
import type { Sample } from '../record/samples.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';

export type ConnectorSample = Extract<Sample, { kind: 'connector' }>;

/** State of a connector Connect does not know (deleted, or not registered yet). */
export const MISSING = 'MISSING';
const TRACE_LINES = 20;

/** A status as a sample: task states in task-id order, and the head of the first FAILED trace. */
export function connectorSample(name: string, status: ConnectorStatus | undefined, t: number): ConnectorSample {
  if (!status) return { t, kind: 'connector', name, state: MISSING, tasks: [] };
  const tasks = [...status.tasks].sort((a, b) => a.id - b.id);
  const failedTrace =
    status.connector.state === 'FAILED'
      ? (status.connector.trace ?? '(no trace)')
      : tasks.find((x) => x.state === 'FAILED')?.trace;
  const s: ConnectorSample = {
    t,
    kind: 'connector',
    name,
    state: status.connector.state,
    tasks: tasks.map((x) => x.state),
  };
  if (failedTrace !== undefined) s.trace = failedTrace.split('\n').slice(0, TRACE_LINES).join('\n');
  return s;
}

/** What counts as a change: states and which trace (a task that fails again with another error is a change). */
export function sampleKey(s: ConnectorSample): string {
  return JSON.stringify([s.state, s.tasks, s.trace ?? null]);
}

/** Decides per connector whether a sample is due: on every change, else every `heartbeatMs`. */
export class ChangeGate {
  private last = new Map<string, { key: string; t: number }>();

  constructor(private readonly heartbeatMs = 5000) {}

  due(s: ConnectorSample): boolean {
    const key = sampleKey(s);
    const prev = this.last.get(s.name);
    if (prev && prev.key === key && s.t - prev.t < this.heartbeatMs) return false;
    this.last.set(s.name, { key, t: s.t });
    return true;
  }
}

export interface ConnectorStateView {
  state: string;
  tasks: string[];
}

export interface ConnectorWatchOptions {
  connectUrl: string;
  connectors: readonly string[];
  emit: Emit;
  log: LogLine;
  /** Polling period. Default 1000 ms. */
  everyMs?: number;
  /** A sample at least this often even without a change. Default 5000 ms. */
  heartbeatMs?: number;
}

export interface ConnectorWatch {
  /** Latest known state per connector; a connector whose status could not be read is absent. */
  states(): Record<string, ConnectorStateView>;
  failures(): number;
  stop(): Promise<void>;
}

/** Watches connector and task states through the Connect REST API. */
export function startConnectorWatch(opts: ConnectorWatchOptions): ConnectorWatch {
  const client = new ConnectClient(opts.connectUrl);
  const gate = new ChangeGate(opts.heartbeatMs ?? 5000);
  const failures = new FailureLog('connectors', opts.log);
  const states: Record<string, ConnectorStateView> = {};
  // ConnectClient waits 30 s for an answer; a hung worker should be a missed sample within a few periods.
  const timeoutMs = Math.max(3 * (opts.everyMs ?? 1000), 3000);

  const loop = startLoop(
    opts.everyMs ?? 1000,
    async () => {
      // One failing connector (or Connect itself) must not hide the others' samples.
      const results = await Promise.allSettled(
        opts.connectors.map((n) => withTimeout(client.status(n), timeoutMs, `status of ${n}`)),
      );
      let firstError: unknown;
      results.forEach((r, i) => {
        const name = opts.connectors[i]!;
        if (r.status === 'rejected') {
          firstError ??= r.reason;
          delete states[name];
          return;
        }
        const s = connectorSample(name, r.value, Date.now());
        states[name] = { state: s.state, tasks: s.tasks };
        if (gate.due(s)) opts.emit(s);
      });
      if (firstError !== undefined) throw firstError;
      failures.ok();
    },
    (e) => failures.fail(e),
  );

  return {
    states: () => ({ ...states }),
    failures: () => failures.failures,
    stop: () => loop.stop(),
  };
}

/** The call keeps running when abandoned (axios has its own 30 s limit), but the loop moves on. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka Connect: ${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
