import { assertServicesUp } from '../provider/health.ts';
import { upLocal } from '../provider/open.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { claimStack } from '../stack/owner.ts';
import { attachStack as attachRunning, type Stack } from '../stack/stack.ts';
import type { Topology } from '../stack/targets.ts';
import { EnvError } from '../util/errors.ts';
import { runOn, type RunScenarioOptions, type ScenarioInput, type ScenarioResult } from './run.ts';

/** What `startStack` asks for. Every field is optional: `startStack()` is the stack `up --detach` starts. */
export interface StartStackOptions {
  /** The stack's name (default "default"): `outbox-chaos up --name` and `down --name` use the same one. */
  name?: string;
  /** First port of the stack's block of ports (default 15400, or OUTBOX_CHAOS_PORT_BASE). */
  portBase?: number;
  /** The pipeline definition registered when the stack starts (default: the package's healthy one). */
  connectors?: string;
  /** single (default) or cluster: 3 brokers, 2 Connect workers, a Postgres primary and standby. */
  topology?: Topology;
}

/** A running stack: Postgres, Kafka, Kafka Connect with Debezium, Elasticsearch and Toxiproxy, as processes. */
export interface ChaosStack {
  readonly name: string;
  /** Where each service listens (Postgres URL, Kafka bootstrap, Connect and Elasticsearch URLs, Toxiproxy). */
  readonly endpoints: Endpoints;
  /** true when this call started the stack; false when it reused one that was already running. */
  readonly started: boolean;
  /** Runs a scenario of the catalogue, of the project's scenarios/, a scenario file, or one given inline. */
  run(scenario: string | ScenarioInput, options?: RunScenarioOptions): Promise<ScenarioResult>;
  /** Stops the stack's processes if this call started it (or always, with `{ force: true }`). */
  stop(options?: { force?: boolean }): Promise<void>;
}

function handle(stack: Stack, started: boolean): ChaosStack {
  return {
    name: stack.name,
    endpoints: stack.endpoints,
    started,
    run: (scenario, options) => runOn(stack, scenario, options),
    async stop(options) {
      if (started || options?.force) await stack.stop();
    },
  };
}

/**
 * Starts a stack, or reuses the one of that name when it is already running and healthy (`started` false):
 * the first call in a test run pays for the start (about a minute; the programs are fetched once, into
 * ~/.cache/outbox-chaos), the rest reuse it. The calling process holds the stack until it exits, so no
 * other command starts, stops or runs on it meanwhile (commands it starts share it).
 */
export async function startStack(options: StartStackOptions = {}): Promise<ChaosStack> {
  const { stack, started } = await upLocal({ ...options, topologyExplicit: options.topology !== undefined });
  return handle(stack, started);
}

/**
 * The running stack of that name (from `outbox-chaos up --detach --name NAME`, or `startStack` in another
 * process); an EnvError (exit 3 on the CLI) when there is none or one of its services is down.
 */
export async function attachStack(name = 'default'): Promise<ChaosStack> {
  const claim = claimStack(name);
  const stack = await attachRunning(name);
  if (!stack) {
    claim.release();
    throw new EnvError(`no running stack "${name}"`, `start one: npx outbox-chaos up --detach --name ${name}`);
  }
  assertServicesUp(stack);
  return handle(stack, false);
}
