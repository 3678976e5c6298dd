import { describe, expect, it } from 'vitest';
import { useDebianDefault } from './postgres.ts';

describe("which Postgres build runs (Debian's 15 stays the default)", () => {
  it("takes Debian's default only when no major is asked for and OUTBOX_CHAOS_PG_BIN is unset", () => {
    expect(useDebianDefault(undefined, undefined)).toBe(true);
    expect(useDebianDefault(undefined, '')).toBe(true);
  });

  it('runs the npm build for an explicit major, the default major too', () => {
    expect(useDebianDefault('15', undefined)).toBe(false);
    expect(useDebianDefault('17', undefined)).toBe(false);
  });

  it('leaves OUTBOX_CHAOS_PG_BIN to win', () => {
    expect(useDebianDefault(undefined, '/opt/pg/bin')).toBe(false);
  });
});
