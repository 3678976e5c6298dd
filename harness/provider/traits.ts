import type { ProviderName } from './interface.ts';

/**
 * What callers may branch on about a provider, by name rather than by its kind. Code outside provider/ asks
 * `traitsOf(provider).keepable`, never `provider.kind === 'local'`: a new provider is one more row below.
 */
export interface ProviderTraits {
  /** It starts the services and owns their processes, so it knows its topology (external: as it finds it). */
  readonly startsServices: boolean;
  /** --keep leaves a stack this command started running (a named stack later commands borrow). */
  readonly keepable: boolean;
  /** `up --detach` leaves it running, and a command that borrowed it gets the healthy pipeline back. */
  readonly detachable: boolean;
  /** Runs leave tagged objects behind when they crash, which `clean` finds and removes. */
  readonly cleansLeftovers: boolean;
  /** Runs create, and remove, objects named after their tag; --allow-destructive lifts that limit. */
  readonly perRunObjects: boolean;
  /** The environment is described by an env file (--env FILE), which also names its Toxiproxy hops. */
  readonly needsEnvFile: boolean;
  /** It runs the services in Docker, so `doctor` checks that Docker answers. */
  readonly usesDocker: boolean;
  /** The harness configures the Connect workers, so a report lists their settings that differ from stock. */
  readonly reportsWorkerNonStock: boolean;
  /** `--versions` chooses what it runs (the Postgres major); the others run their own versions. */
  readonly choosesVersions: boolean;
}

const OWN = {
  startsServices: true,
  cleansLeftovers: false,
  perRunObjects: false,
  needsEnvFile: false,
  reportsWorkerNonStock: true,
} as const;

const TRAITS: Record<ProviderName, ProviderTraits> = {
  local: { ...OWN, keepable: true, detachable: true, usesDocker: false, choosesVersions: true },
  containers: { ...OWN, keepable: false, detachable: false, usesDocker: true, choosesVersions: false },
  external: {
    startsServices: false,
    keepable: false,
    detachable: false,
    cleansLeftovers: true,
    perRunObjects: true,
    needsEnvFile: true,
    usesDocker: false,
    reportsWorkerNonStock: false,
    choosesVersions: false,
  },
};

/** The provider used when --provider is not given. */
export const DEFAULT_PROVIDER: ProviderName = 'local';

/** The traits of a provider, or of the CLI's choice of one before it is opened. */
export function traitsOf(p: { readonly kind: ProviderName }): ProviderTraits {
  return TRAITS[p.kind];
}

/** The flags that choose this provider again in a replay command (none for the default one). */
export function providerFlags(
  choice: { readonly kind: ProviderName; readonly env?: string; readonly allowDestructive: boolean },
  o: { destructive: boolean } = { destructive: true },
): string[] {
  const out: string[] = [];
  if (choice.kind !== DEFAULT_PROVIDER) out.push(`--provider ${choice.kind}`);
  if (choice.env) out.push(`--env ${choice.env}`);
  if (o.destructive && choice.allowDestructive) out.push('--allow-destructive');
  return out;
}

/**
 * Whether scenarios written for a cluster may run on it: a cluster the harness started, or an environment it
 * did not start and so cannot tell (a fault that needs a member it lacks then fails at injection).
 */
export function mayBeCluster(p: { readonly kind: ProviderName; readonly topology?: string }): boolean {
  return p.topology === 'cluster' || !traitsOf(p).startsServices;
}
