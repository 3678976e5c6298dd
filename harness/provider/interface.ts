import type { Endpoints } from '../stack/endpoints.ts';
import type { NetworkTarget, ProcessFaultTarget, ProcessTarget, Topology } from '../stack/targets.ts';

/** Where the pipeline under test runs. One scenario file runs on all three. */
export const PROVIDER_NAMES = ['local', 'containers', 'external'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * A handle on one service's process (local) or container (containers) that process faults drive. Every
 * method waits for its effect: crash() returns once the process is gone, start() once the service answers.
 * The returned strings say what happened, for the run's timeline ("killed pid 42", "container 3f2a paused").
 */
export interface ServiceHandle {
  readonly name: ProcessTarget;
  /** Where to look when it misbehaves: a log file, or `docker logs <id>`. */
  readonly where: string;
  /** Whether it is up now (a process alive, a container running and not paused). */
  running(): Promise<boolean>;
  /** The service's pid now, where the provider runs it as a local process (what proves a kill replaced it). */
  pid?(): number | undefined;
  /** A crash: SIGKILL / docker kill, no shutdown hooks, no flush. Fails when there is nothing running to hit. */
  crash(): Promise<string>;
  /** Starts it after a crash and waits until it answers its protocol. */
  start(): Promise<string>;
  /** Freezes it with its sockets open (SIGSTOP / docker pause); resolves once it is frozen. */
  freeze(): Promise<string>;
  thaw(): Promise<void>;
  /** A clean shutdown and a start, waiting until it answers. */
  restart(): Promise<string>;
  /** A clean shutdown that stays down (a fenced primary); ensureUp() or start() bring it back. */
  stop?(): Promise<string>;
  /** Heal: thaws, starts or waits until it answers, whichever it needs. Safe when nothing was done to it. */
  ensureUp(): Promise<void>;
  /**
   * A cluster's Postgres member only: stopped, its data replaced by a base backup of `primary`,
   * started as that member's hot standby.
   */
  rebuildAsStandbyOf?(primary: string): Promise<string>;
  /** A cluster's broker only, while it is down: its data disk lost (partition logs gone, identity kept). */
  wipeData?(): Promise<string>;
  /**
   * A TCP connection made from inside this service's container, where it runs in one ('refused', 'accepted',
   * or what went wrong): how a proxy's listener on the container network looks to the pipeline's own client.
   */
  probeTcp?(host: string, port: number): Promise<string>;
  /** Cut off at the IP level (network.partition): out of every network of the stack, its process left running. */
  isolate?(): Promise<string>;
  /** Back on the stack's network under its names, waiting until it answers. Safe when it was never isolated. */
  rejoin?(): Promise<string>;
}

/** What faults a provider can inject, as the services and hops it controls. */
export interface Capabilities {
  /** Services with a process handle (process.* faults), and a cluster's roles among them. */
  process: readonly ProcessFaultTarget[];
  /** Hops that go through a Toxiproxy the provider controls (network.* faults), and a cluster's broker listeners. */
  proxies: readonly NetworkTarget[];
  /** Services the provider can cut off at the IP level (network.partition): containers, not local processes. */
  isolate?: readonly ProcessFaultTarget[];
}

export interface Provider {
  readonly kind: ProviderName;
  /** One line for humans: "local stack \"default\"", "containers on unix:///var/run/docker.sock", an env file. */
  readonly label: string;
  readonly endpoints: Endpoints;
  readonly services: Partial<Record<ProcessTarget, ServiceHandle>>;
  /** single (absent) or cluster: 3 brokers, 2 Connect workers, a Postgres primary and standby. */
  readonly topology?: Topology;
  /** A cluster's members by name (kafka-1..3, connect-1..2, postgres-1..2), which role targets resolve to. */
  readonly members?: Readonly<Record<string, ServiceHandle>>;
  readonly capabilities: Capabilities;
  /**
   * True when the stores belong to the harness alone (local, containers): a reset may wipe every connector,
   * slot and publication. False for an existing environment: a run touches only objects it created.
   */
  readonly exclusive: boolean;
  /** Versions of the programs, for reports. */
  readonly versions: Record<string, string>;
  /** Directory of per-service logs a run slices into its report, when the provider has them. */
  readonly logsDir?: string;
  /**
   * Watches the services and calls `onFailure` when one stops outside a fault (local: its process exited);
   * returns a function that stops watching. Absent where the provider cannot tell.
   */
  watch?(onFailure: (f: ServiceFailure) => void): () => void;
  /**
   * Runs the Connect workers with these settings over the harness's own (a definition's `worker:`), restarting
   * each worker whose settings change; an empty map takes them back off. One line per restarted worker.
   * Absent where the provider does not run the workers (external) or cannot set them yet (containers).
   */
  setWorkerSettings?(extra: Readonly<Record<string, string>>): Promise<string[]>;
  /** Stops what this provider started (nothing, for external). */
  stop(): Promise<void>;
}

/** A service that went away while nobody meant it to. */
export interface ServiceFailure {
  service: string;
  /** One line: which, and how it ended ("connect (pid 42) exited outside a fault: killed by SIGKILL"). */
  message: string;
  /** Its last log lines. */
  details: string;
  /** When it ended, if known (epoch ms). */
  exitedAt?: number;
}
