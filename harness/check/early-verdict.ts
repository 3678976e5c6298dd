/**
 * When a convergence wait may end before its deadline with the verdict the deadline would give (diverged):
 * the evidence shows the pipeline cannot change Elasticsearch any more. Pure (no I/O, no clock): the check
 * feeds it one observation per snapshot, and its answer is unit-tested with tables and generated series.
 *
 * Nothing can change any more when, over a quiet window (every observation in it, the latest included):
 * - every snapshot succeeded, found the stores different, and saw the same stores (one fingerprint);
 * - each hop is drained or blocked: the replication slot's lag at rest and a walsender holding it (or the
 *   source FAILED with no operator rule to restart it), the sink group's lag at rest (or the sink FAILED
 *   with no rule), and with both running the lag probe's markers searchable within seconds (every hop
 *   flows); a pipeline without a relay (dual writes) has no hop left once the workload stopped;
 * - no connector or task is in a state that moves by itself (RESTARTING, UNASSIGNED, PAUSED, missing).
 * A FAILED connector or task with no operator rule stays FAILED (Kafka Connect never restarts one), so a
 * window with one needs less time; a window of running connectors needs `quietMs`. Lag "at rest" is not
 * zero: the lag probe writes a marker every 100 ms through the pipeline, which commits offsets every second,
 * so a flowing pipeline holds a small bounded lag; a stuck hop's lag grows past the bound within seconds.
 */

/** A connector's state and its tasks' states, as Kafka Connect's status API gives them. */
export interface ConnectorView {
  state: string;
  tasks: readonly string[];
}

export type Role = 'source' | 'sink';

/** What the check saw at one snapshot. */
export interface Observation {
  /** When the snapshot started, in ms since the heal. */
  atMs: number;
  /** The snapshot's outcome; undefined when it failed. */
  snapshot?: { equal: boolean; fingerprint: string };
  /** Whether the pipeline relays through a slot, topics and connectors (false for dual writes). */
  relay: boolean;
  /** The latest figures of the observers; undefined where not measured (yet, or the attempt failed). */
  slotLagBytes?: number;
  /** Whether a walsender holds the slot. */
  slotActive?: boolean;
  consumerLag?: number;
  /** Age of the oldest probe marker committed but not yet searchable. */
  probeLagMs?: number;
  connectors: Partial<Record<Role, ConnectorView>>;
}

export interface EarlyStopPolicy {
  /** The quiet window with every connector running (drained hops). */
  quietMs: number;
  /** The quiet window when a FAILED connector or task, with no rule to restart it, blocks a hop. */
  failedQuietMs: number;
  /** Successful, identical snapshots the window must hold at least. */
  minSnapshots: number;
  /** Roles an operator rule of the scenario restarts when FAILED: their failure is not final. */
  restartable: ReadonlySet<Role>;
  /** The sink group's lag at rest, in records. */
  restConsumerLag: number;
  /** The slot's lag at rest, in bytes. */
  restSlotBytes: number;
  /** The probe's end-to-end lag of a flowing pipeline: its markers pass every hop, so a stalled one shows. */
  restProbeLagMs: number;
}

export const DEFAULT_EARLY_STOP: Omit<EarlyStopPolicy, 'restartable'> = {
  quietMs: 10_000,
  failedQuietMs: 4_000,
  minSnapshots: 3,
  // The probe's ten markers a second, committed once a second, with room for a slow commit.
  restConsumerLag: 50,
  // Ten small updates a second between source offset commits take a few KiB of WAL; the server's own WAL
  // (a checkpoint, a vacuum) adds a spike of ~100 KiB now and then. A source stalled without failing is
  // seen by the probe's lag sooner than here.
  restSlotBytes: 256 * 1024,
  // Markers become searchable within 0.5–2 s on a loaded 2-core machine.
  restProbeLagMs: 5_000,
};

export type EarlyStop =
  | { stop: false }
  | {
      stop: true;
      /** Why, for the report: "no progress for 12 s (slot lag 0 B, consumer lag 0, 3 identical snapshots)". */
      reason: string;
      quietMs: number;
      snapshots: number;
    };

const MOVING = new Set(['RESTARTING', 'UNASSIGNED', 'PAUSED', 'MISSING']);

/** Whether a role's connector or one of its tasks is FAILED with no operator rule to restart it. */
function failedForGood(o: Observation, role: Role, p: EarlyStopPolicy): boolean {
  const c = o.connectors[role];
  if (!c || p.restartable.has(role)) return false;
  return c.state === 'FAILED' || c.tasks.includes('FAILED');
}

/** Whether a role's connector or any task is in a state that changes by itself (or is not known). */
function moving(o: Observation, role: Role): boolean {
  const c = o.connectors[role];
  return !c || MOVING.has(c.state) || c.tasks.some((t) => MOVING.has(t)) || c.tasks.length === 0;
}

/** Why this observation does not show a pipeline at rest, or undefined when it does. */
function unrest(o: Observation, p: EarlyStopPolicy): { failed: boolean } | undefined {
  if (!o.relay) return { failed: false };
  const sourceFailed = failedForGood(o, 'source', p);
  const sinkFailed = failedForGood(o, 'sink', p);
  // A FAILED task stays so; another task of the same connector may still move, so each role is judged on
  // its connector as a whole only where it did not fail for good.
  if (!sourceFailed && moving(o, 'source')) return undefined;
  if (!sinkFailed && moving(o, 'sink')) return undefined;
  const slotAtRest = o.slotLagBytes !== undefined && o.slotLagBytes <= p.restSlotBytes && o.slotActive !== false;
  const probeAtRest = o.probeLagMs !== undefined && o.probeLagMs <= p.restProbeLagMs;
  // With both connectors running, the markers must flow end to end: a hop stalled without failing holds them.
  if (!sourceFailed && !sinkFailed && !(slotAtRest && probeAtRest)) return undefined;
  const sinkAtRest = o.consumerLag !== undefined && o.consumerLag <= p.restConsumerLag;
  if (!sinkFailed && !sinkAtRest) return undefined;
  return { failed: sourceFailed || sinkFailed };
}

/**
 * Stop or continue, from every observation so far (oldest first). Stops only on a window of observations,
 * ending at the latest, in which nothing moved; an equal or failed snapshot, a changed store, a lag above
 * rest or a connector between states anywhere in it means continue.
 */
export function decideEarlyStop(observations: readonly Observation[], policy: EarlyStopPolicy): EarlyStop {
  const last = observations.at(-1);
  const fp = last?.snapshot?.fingerprint;
  if (!last?.snapshot || last.snapshot.equal || fp === undefined) return { stop: false };
  let first = observations.length;
  let failed = true;
  for (let i = observations.length - 1; i >= 0; i--) {
    const o = observations[i]!;
    if (!o.snapshot || o.snapshot.equal || o.snapshot.fingerprint !== fp) break;
    const rest = unrest(o, policy);
    if (!rest) break;
    failed &&= rest.failed;
    first = i;
  }
  const snapshots = observations.length - first;
  if (snapshots === 0) return { stop: false };
  const quietMs = last.atMs - observations[first]!.atMs;
  const needMs = failed && last.relay ? policy.failedQuietMs : policy.quietMs;
  if (snapshots < policy.minSnapshots || quietMs < needMs) return { stop: false };
  return { stop: true, reason: describe(last, quietMs, snapshots, policy), quietMs, snapshots };
}

function describe(o: Observation, quietMs: number, snapshots: number, p: EarlyStopPolicy): string {
  const parts: string[] = [];
  if (!o.relay) parts.push('no relay: the application wrote both stores');
  else {
    for (const role of ['source', 'sink'] as const)
      if (failedForGood(o, role, p)) parts.push(`${role} FAILED, no operator rule restarts it`);
    if (o.slotLagBytes !== undefined) parts.push(`slot lag ${fmtBytes(o.slotLagBytes)}`);
    if (o.consumerLag !== undefined) parts.push(`consumer lag ${o.consumerLag}`);
    if (o.probeLagMs !== undefined && !parts.some((x) => x.includes('FAILED')))
      parts.push(`probe lag ${(o.probeLagMs / 1000).toFixed(1)} s`);
  }
  parts.push(`${snapshots} identical snapshots`);
  return `no progress for ${(quietMs / 1000).toFixed(1)} s (${parts.join(', ')})`;
}

function fmtBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}
