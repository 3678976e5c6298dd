import { ConnectClient } from '../../harness/connect/client.ts';

/** One Connect REST call the harness made: which, for which connector, when, and the state it answered. */
export interface ConnectCall {
  method: string;
  name: string;
  t0: number;
  t1: number;
  state?: string;
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
      const state = m === 'status' && r && typeof r === 'object' ? describe(r as { connector?: { state?: string }; tasks?: { state?: string }[] }) : undefined;
      calls.push({ method: m, name: typeof args[0] === 'string' ? args[0] : '', t0, t1: Date.now(), ...(state ? { state } : {}) });
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

function describe(s: { connector?: { state?: string }; tasks?: { state?: string }[] }): string {
  return `${s.connector?.state ?? '?'}/${(s.tasks ?? []).map((t) => t.state ?? '?').join(',') || 'no-tasks'}`;
}
