import { PROVIDER_NAMES, type ProviderName } from '../provider/interface.ts';
import type { ProviderChoice } from '../provider/open.ts';
import { DEFAULT_PROVIDER, traitsOf } from '../provider/traits.ts';
import { ConfigError } from '../util/errors.ts';
import type { Options } from './args.ts';

export const PROVIDER_OPTIONS: Options = {
  provider: { type: 'string' },
  env: { type: 'string' },
  'allow-destructive': { type: 'boolean' },
  images: { type: 'string' },
};

export const PROVIDER_HELP =
  `  --provider P      where the pipeline runs: local ` +
  `(default; programs as local processes), containers
                    (Docker, through testcontainers) or external (an existing environment, see --env)
  --env FILE        the external environment's endpoints (YAML; docs/providers.md, "external", shows one)
  --allow-destructive
                    external only: treat the environment as the harness's own (a reset then removes every
                    connector, replication slot and publication, and definitions may name fixed objects);
                    without it a run creates, and removes, only objects named after its own tag
  --images SET      containers only: official (the registries' images) or built (the harness builds its own
                    from the provisioned programs); default OUTBOX_CHAOS_IMAGES, else official where a
                    registry answers and built where none does`;

/** The choice when no provider flag is given. */
export const DEFAULT_CHOICE: ProviderChoice = { kind: DEFAULT_PROVIDER, allowDestructive: false };

/** Validates --provider, --env and --allow-destructive together, before anything starts. */
export function providerChoice(values: Record<string, string | boolean | undefined>): ProviderChoice {
  const kind = (values.provider ?? DEFAULT_PROVIDER) as string;
  if (!(PROVIDER_NAMES as readonly string[]).includes(kind))
    throw new ConfigError(`--provider must be one of ${PROVIDER_NAMES.join(', ')}, got "${kind}"`);
  const traits = traitsOf({ kind: kind as ProviderName });
  const env = values.env as string | undefined;
  if (traits.needsEnvFile && !env)
    throw new ConfigError(
      "--provider external needs --env FILE naming the environment's endpoints",
      'see docs/providers.md, section "external"',
    );
  if (!traits.needsEnvFile && env)
    throw new ConfigError(
      `--env describes an external environment; it makes no sense with --provider ${kind}`,
      'add --provider external',
    );
  if (!traits.perRunObjects && values['allow-destructive'])
    throw new ConfigError(
      "--allow-destructive is for --provider external (local and containers stacks are the harness's own anyway)",
    );
  const images = values.images as string | undefined;
  if (images !== undefined && !traits.usesDocker)
    throw new ConfigError(
      `--images chooses the containers provider's images; it makes no sense with --provider ${kind}`,
    );
  if (images !== undefined && !['official', 'built'].includes(images))
    throw new ConfigError(`--images must be official or built, got "${images}"`);
  return { kind: kind as ProviderName, env, allowDestructive: values['allow-destructive'] === true, images };
}
