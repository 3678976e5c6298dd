import type { ConnectClient } from '../connect/client.ts';
import type { RunNames } from '../pipeline/run-names.ts';
import type { ServiceHandle } from '../provider/interface.ts';
import type { TimelineEvent } from '../record/timeline.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import type { ProcessTarget } from '../stack/targets.ts';

/** What a fault may touch. Process faults need `services` (absent for providers that cannot offer them). */
export interface FaultContext {
  endpoints: Endpoints;
  services?: Partial<Record<ProcessTarget, ServiceHandle>>;
  /** A cluster's members by name (kafka-2, connect-1, postgres-2, …): what role targets resolve to. */
  members?: Readonly<Record<string, ServiceHandle>>;
  connect: ConnectClient;
  names: RunNames;
  /** Connector names from the pipeline definition. */
  connectors: { source: string; sink: string };
  /**
   * The Toxiproxy belongs to an environment the harness does not own: the final heal removes only the run's
   * own toxics instead of resetting every proxy.
   */
  sharedToxiproxy?: boolean;
  /** Appends to the run's timeline (timeline.jsonl). */
  record(event: TimelineEvent): void;
}

/**
 * A nemesis action in Jepsen's sense: `start` breaks something, `heal` repairs it. heal() must be safe to
 * call when start() failed half-way or was never called, and safe to call twice: the runner heals every
 * fault in a final phase whatever happened before.
 */
export interface Fault {
  /** Stable id within the run, e.g. "es-outage#1". */
  id: string;
  /** Fault kind as named in scenario files, e.g. "network.down". */
  kind: string;
  /** What it hits, e.g. "es" (proxy), "connect" (service), "elasticsearch-sink-connector". */
  target: string;
  /**
   * True when start() does the whole thing (a restart, a kill followed by a restart, a terminated
   * connection): the nemesis heals it right after start, so its window spans the action, and a duration
   * makes no sense for it.
   */
  instantaneous?: boolean;
  /** One line for humans, e.g. "latency 800±200 ms downstream". */
  describe(): string;
  /**
   * Readies the system for this fault before the workload's clock starts, without breaking anything (a
   * failover waits for the standby's copy of the connector's slot); returns a note for the report, if any.
   */
  prepare?(ctx: FaultContext): Promise<string | undefined>;
  start(ctx: FaultContext): Promise<void>;
  heal(ctx: FaultContext): Promise<void>;
}
