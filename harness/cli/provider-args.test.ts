import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { providerChoice } from './provider-args.ts';

describe('--provider, --env and --allow-destructive', () => {
  it('defaults to the local provider', () => {
    expect(providerChoice({})).toEqual({ kind: 'local', env: undefined, allowDestructive: false });
  });

  it('takes external with an env file', () => {
    expect(providerChoice({ provider: 'external', env: 'e.yaml', 'allow-destructive': true })).toEqual({
      kind: 'external',
      env: 'e.yaml',
      allowDestructive: true,
    });
  });

  it.each([
    [{ provider: 'docker' }, /--provider must be one of local, containers, external/],
    [{ provider: 'external' }, /needs --env FILE/],
    [{ env: 'e.yaml' }, /makes no sense with --provider local/],
    [{ provider: 'containers', 'allow-destructive': true }, /--allow-destructive is for --provider external/],
  ])('refuses %j', (values, msg) => {
    expect(() => providerChoice(values)).toThrow(ConfigError);
    expect(() => providerChoice(values)).toThrow(msg);
  });
});
