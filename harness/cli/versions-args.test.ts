import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/schema.ts';
import { ConfigError } from '../util/errors.ts';
import { postgresFor } from './run.ts';
import { versionsOpt } from './versions-args.ts';

const local = { kind: 'local' as const, allowDestructive: true };
const sc = (postgres?: '14' | '17'): Scenario => ({ ...(postgres ? { versions: { postgres } } : {}) }) as Scenario;

describe('--versions on the command line', () => {
  it('reads the repeatable flag and refuses an unknown major before anything starts', () => {
    expect(versionsOpt({})).toEqual({});
    expect(versionsOpt({ versions: ['postgres=18'] })).toEqual({ postgres: '18' });
    expect(() => versionsOpt({ versions: ['postgres=19'] })).toThrow(ConfigError);
  });

  it('wins over the scenarios; else the major the scenarios agree on; else the default (undefined)', () => {
    expect(postgresFor('16', [sc('17')], local)).toBe('16');
    expect(postgresFor(undefined, [sc('17'), sc()], local)).toBe('17');
    expect(postgresFor(undefined, [sc(), sc()], local)).toBeUndefined();
  });

  it('refuses scenarios that ask for different majors, and --versions on another provider', () => {
    expect(() => postgresFor(undefined, [sc('14'), sc('17')], local)).toThrow(/different Postgres majors \(14, 17\)/);
    expect(() => postgresFor('17', [], { kind: 'containers', allowDestructive: true })).toThrow(
      /--versions is for the local provider/,
    );
    expect(postgresFor(undefined, [sc('17')], { kind: 'external', allowDestructive: false })).toBeUndefined();
  });
});
