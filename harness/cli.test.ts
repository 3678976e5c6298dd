import { describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';

describe('the command line', () => {
  it('exits 2 on an unknown command, an unknown flag, or a missing scenario', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['frobnicate'])).toBe(2);
      expect(await main(['up', '--bogus'])).toBe(2);
      expect(await main(['run'])).toBe(2);
      expect(await main(['run', 'no-such-scenario'])).toBe(2);
      expect(await main(['run', 'baseline', '--seed', 'abc'])).toBe(2);
      expect(await main(['report', '/nonexistent/run'])).toBe(2);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });

  it('prints help for every command and exits 0', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    try {
      for (const cmd of ['up', 'down', 'env', 'doctor', 'run', 'list', 'report', 'start', 'provision']) {
        expect(await main([cmd, '--help'])).toBe(0);
      }
      expect(await main(['--help'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(out.join('\n')).toMatch(/outbox-chaos up/);
  });
});
