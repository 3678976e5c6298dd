import { parseArgs, type ParseArgsConfig } from 'node:util';
import { delimiter } from 'node:path';
import { PLUGIN_PATH_ENV } from '../stack/plugin-path.ts';
import { ConfigError } from '../util/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict parsing: an unknown flag or a missing value is a usage error (exit 2) that points at --help. */
export function parse(
  command: string,
  argv: string[],
  options: Options,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals: true,
      strict: true,
    });
    const values = r.values as Record<string, string | boolean | undefined>;
    // The stack reads its extra plugin directories from the environment, so a flag and the variable are one.
    if (typeof values['plugin-path'] === 'string')
      process.env[PLUGIN_PATH_ENV] = [values['plugin-path'], process.env[PLUGIN_PATH_ENV]]
        .filter(Boolean)
        .join(delimiter);
    return { values, positionals: r.positionals };
  } catch (err) {
    throw new ConfigError(`${command}: ${(err as Error).message}`, `see \`outbox-chaos ${command} --help\``);
  }
}

export function intOpt(v: string | boolean | undefined, flag: string): number | undefined {
  if (v === undefined || typeof v === 'boolean') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !Number.isInteger(n))
    throw new ConfigError(`${flag} must be a whole number, got "${v}"`, `e.g. ${flag} 42`);
  return n;
}

/** --duration in whole seconds, more than 0; undefined when not given. */
export function durationOpt(v: string | boolean | undefined, example: string): number | undefined {
  const n = intOpt(v, '--duration');
  if (n !== undefined && n <= 0)
    throw new ConfigError('--duration must be a positive number of seconds', `e.g. --duration ${example}`);
  return n;
}

/** --name and --port-base, as the commands that may start a stack describe them. */
export const STACK_HELP = `  --name NAME       stack name, for several stacks side by side (default "default")
  --port-base N     first port of the block the stack uses (default 17400, or OUTBOX_CHAOS_PORT_BASE)`;

/** --plugin-path, which STACK_OPTIONS declares: its help lives beside it, so no command names one it lacks. */
export const PLUGIN_PATH_HELP = `  --plugin-path DIRS
                    local and containers: more Kafka Connect plugin directories (${delimiter}-separated; also
                    OUTBOX_CHAOS_PLUGIN_PATH), e.g. Confluent's Elasticsearch connector unzipped: a definition
                    naming its class then runs it instead of the harness's own sink`;

export const STACK_OPTIONS: Options = {
  name: { type: 'string' },
  'port-base': { type: 'string' },
  'plugin-path': { type: 'string' },
};
