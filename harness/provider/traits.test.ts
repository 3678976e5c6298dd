import { describe, expect, it } from 'vitest';
import { PROVIDER_NAMES } from './interface.ts';
import { mayBeCluster, providerFlags, traitsOf } from './traits.ts';

describe('provider traits', () => {
  it('say what each provider can do', () => {
    const can = (t: keyof ReturnType<typeof traitsOf>) => PROVIDER_NAMES.filter((kind) => traitsOf({ kind })[t]);
    expect(can('startsServices')).toEqual(['local', 'containers']);
    expect(can('keepable')).toEqual(['local']);
    expect(can('detachable')).toEqual(['local']);
    expect(can('usesDocker')).toEqual(['containers']);
    expect(can('cleansLeftovers')).toEqual(['external']);
    expect(can('perRunObjects')).toEqual(['external']);
    expect(can('needsEnvFile')).toEqual(['external']);
    expect(can('reportsWorkerNonStock')).toEqual(['local', 'containers']);
  });

  it('run cluster scenarios on a cluster, or on an environment the harness did not start', () => {
    expect(mayBeCluster({ kind: 'local' })).toBe(false);
    expect(mayBeCluster({ kind: 'containers', topology: 'cluster' })).toBe(true);
    expect(mayBeCluster({ kind: 'external' })).toBe(true);
  });

  it('replay the choice with the flags that made it, none for the default', () => {
    expect(providerFlags({ kind: 'local', allowDestructive: false })).toEqual([]);
    const ext = { kind: 'external', env: 'e.yaml', allowDestructive: true } as const;
    expect(providerFlags(ext)).toEqual(['--provider external', '--env e.yaml', '--allow-destructive']);
    expect(providerFlags(ext, { destructive: false })).toEqual(['--provider external', '--env e.yaml']);
  });
});
