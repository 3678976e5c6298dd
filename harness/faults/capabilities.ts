import type { Provider } from '../provider/interface.ts';
import { traitsOf } from '../provider/traits.ts';
import { isClusterTarget, type NetworkTarget, type ProcessFaultTarget } from '../stack/targets.ts';
import type { Fault } from './fault.ts';
import { faultNeeds, faultTopology } from './registry.ts';

/**
 * A scenario whose faults need something the provider cannot do. It is reported as skipped with this
 * reason, never run without those faults and never counted as passed.
 */
export class ScenarioSkipped extends Error {
  constructor(
    readonly scenario: string,
    readonly reasons: string[],
  ) {
    super(`${scenario} skipped: ${reasons.join('; ')}`);
    this.name = 'ScenarioSkipped';
  }
}

/** One reason per fault the provider cannot inject; empty when it can inject them all. */
export function missingCapabilities(
  faults: Pick<Fault, 'id' | 'kind' | 'target'>[],
  provider: Pick<Provider, 'kind' | 'capabilities' | 'topology'>,
): string[] {
  const out: string[] = [];
  const traits = traitsOf(provider);
  for (const f of faults) {
    const need = faultNeeds(f.kind);
    const cluster = isClusterTarget(f.target) || faultTopology(f.kind) === 'cluster';
    if (cluster && traits.startsServices && provider.topology !== 'cluster') {
      out.push(
        `${f.id} (${f.kind} on ${f.target}) needs the cluster topology (3 brokers, 2 Connect workers, ` +
          `a Postgres standby), not the single stack (use --topology cluster)`,
      );
      continue;
    }
    if (cluster && need === 'process' && !traits.startsServices) {
      out.push(
        `${f.id} needs control of a cluster member's process (${f.target}), which the external provider ` +
          `does not have (process faults need --provider local or containers with --topology cluster)`,
      );
      continue;
    }
    if (need === 'process' && !provider.capabilities.process.includes(f.target as ProcessFaultTarget)) {
      out.push(
        `${f.id} needs control of the ${f.target} process, which the ${provider.kind} provider does not have ` +
          `(process faults need --provider local or containers)`,
      );
    }
    if (need === 'isolation' && !provider.capabilities.isolate?.includes(f.target as ProcessFaultTarget)) {
      out.push(
        `${f.id} cuts ${f.target} off at the IP level, which the ${provider.kind} provider cannot do ` +
          '(network.partition needs --provider containers)',
      );
    }
    if (need === 'toxiproxy' && !provider.capabilities.proxies.includes(f.target as NetworkTarget)) {
      const hint = cluster
        ? ' (name each broker and its proxy under kafka.brokers in the env file)'
        : ' (name one under toxiproxy.proxies in the env file)';
      out.push(
        `${f.id} needs a Toxiproxy in front of the ${f.target} hop, ` +
          `which the ${provider.kind} provider does not control${traits.needsEnvFile ? hint : ''}`,
      );
    }
  }
  return out;
}
