import type { Fault, FaultContext } from './fault.ts';

export interface FaultParts {
  id: string;
  kind: string;
  target: string;
  describe(): string;
  /** See Fault.instantaneous. */
  instantaneous?: boolean;
  /** See Fault.prepare. */
  prepare?(ctx: FaultContext): Promise<string | undefined>;
  /** Breaks something; may return a detail for the heal event (e.g. which pids it killed). */
  inject(ctx: FaultContext): Promise<string | void>;
  /** Repairs it; must be idempotent and work after a half-done or absent inject. */
  repair(ctx: FaultContext): Promise<string | void>;
}

/**
 * Wraps inject/repair with the timeline bookkeeping every fault shares: fault-start is written before
 * acting (so a failed start still has a window), fault-heal once per start, after a repair that worked.
 * Repair runs on every heal() call, started or not, which is what makes the final heal phase safe.
 */
export function defineFault(p: FaultParts): Fault {
  let active = false;
  let injected: string | undefined;
  const event = (kind: 'fault-start' | 'fault-heal', detail?: string) => ({
    t: Date.now(),
    kind,
    id: p.id,
    fault: p.kind,
    target: p.target,
    ...(detail ? { detail } : {}),
  });
  return {
    id: p.id,
    kind: p.kind,
    target: p.target,
    instantaneous: p.instantaneous ?? false,
    describe: p.describe,
    ...(p.prepare ? { prepare: p.prepare } : {}),
    async start(ctx) {
      ctx.record(event('fault-start', p.describe()));
      active = true;
      injected = (await p.inject(ctx)) ?? undefined;
    },
    async heal(ctx) {
      const repaired = (await p.repair(ctx)) ?? undefined;
      if (!active) return;
      active = false;
      ctx.record(event('fault-heal', [injected, repaired].filter(Boolean).join('; ') || undefined));
      injected = undefined;
    },
  };
}

/** Toxic names and similar keys derived from a fault id: Toxiproxy puts them in URL paths. */
export function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}
