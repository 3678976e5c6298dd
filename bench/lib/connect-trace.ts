import { ConnectClient, type ConnectorStatus } from '../../harness/connect/client.ts';
import { fullyStopped } from '../../harness/pipeline/lifecycle.ts';

/** One Connect REST call the harness made: which, for which connector, when, and the state it answered. */
export interface ConnectCall {
  method: string;
  name: string;
  t0: number;
  t1: number;
  state?: string;
  /** For a status call: the connector and every task of it had stopped (the reset's own test). */
  stopped?: boolean;
}

const TRACED = ['list', 'put', 'status', 'stop', 'deleteOffsets', 'delete'] as const;

/**
 * Records every call of the traced ConnectClient methods while active (the prototype is patched and
 * restored), so a reset can be split into Connect's parts without changing the harness.
 */
export function traceConnect(): { calls: ConnectCall[]; stop(): void } {
  const calls: ConnectCall[] = [];
  const proto = ConnectClient.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const originals = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  for (const m of TRACED) {
    const orig = proto[m]!;
    originals.set(m, orig);
    proto[m] = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const t0 = Date.now();
      const r = await orig.apply(this, args);
      const status = m === 'status' && r && typeof r === 'object' ? (r as ConnectorStatus) : undefined;
      const extra = status ? { state: describe(status), stopped: fullyStopped(status) } : {};
      calls.push({ method: m, name: typeof args[0] === 'string' ? args[0] : '', t0, t1: Date.now(), ...extra });
      return r;
    };
  }
  return {
    calls,
    stop: () => {
      for (const [m, f] of originals) proto[m] = f;
    },
  };
}

function describe(s: ConnectorStatus): string {
  return `${s.connector?.state ?? '?'}/${(s.tasks ?? []).map((t) => t.state ?? '?').join(',') || 'no-tasks'}`;
}
