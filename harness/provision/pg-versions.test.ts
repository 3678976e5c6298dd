import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';
import { DEFAULT_PG_MAJOR, PG_MAJORS, resolvePgMajor, serverRelease } from './pg-versions.ts';

describe('Postgres version resolution', () => {
  it('pins one build per major, 14 to 18, each of its own major, with a sha512 integrity', () => {
    expect(PG_MAJORS).toEqual(['14', '15', '16', '17', '18']);
    for (const m of PG_MAJORS) {
      const pin = resolvePgMajor(m);
      expect(pin.npmVersion.split('.')[0]).toBe(m);
      expect(pin.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    }
  });

  it('defaults to the manifest major, 15', () => {
    expect(DEFAULT_PG_MAJOR).toBe('15');
    expect(resolvePgMajor(undefined)).toEqual({
      major: '15',
      npmVersion: MANIFEST.postgres.npm.versions['15'].version,
      integrity: MANIFEST.postgres.npm.versions['15'].integrity,
    });
  });

  it('resolves a major given as a number (a scenario file) like one given as a string', () => {
    expect(resolvePgMajor(17)).toEqual(resolvePgMajor('17'));
    expect(resolvePgMajor('17').npmVersion).toBe('17.10.0-beta.17');
  });

  it('refuses an unknown major with a usage error naming the majors that exist', () => {
    for (const bad of ['13', '19', '17.2', 'latest', '']) {
      let err: unknown;
      try {
        resolvePgMajor(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(2);
      expect((err as Error).message).toContain('14, 15, 16, 17, 18');
    }
  });

  it('reads the server release out of the packaging version', () => {
    expect(serverRelease('17.10.0-beta.17')).toBe('17.10');
    expect(serverRelease('14.23.0-beta.17')).toBe('14.23');
  });
});
