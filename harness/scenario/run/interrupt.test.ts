import { describe, expect, it } from 'vitest';
import { describeAbort, interruptible, RunInterrupted } from './interrupt.ts';

describe('interruptible phases', () => {
  it('resolve as their work does while nothing aborts', async () => {
    await expect(interruptible(new AbortController().signal, async () => 42)).resolves.toBe(42);
    await expect(interruptible(new AbortController().signal, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });

  it('give up on a long phase as soon as the run is interrupted, naming why', async () => {
    const abort = new AbortController();
    const slow = interruptible(abort.signal, () => new Promise((r) => setTimeout(r, 10_000)));
    const t0 = Date.now();
    setTimeout(() => abort.abort('SIGINT'), 20);
    await expect(slow).rejects.toBeInstanceOf(RunInterrupted);
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(interruptible(abort.signal, async () => 1)).rejects.toThrow('SIGINT (Ctrl-C)');
  });

  it('describe what aborted the run', () => {
    expect(describeAbort('SIGTERM')).toBe('SIGTERM');
    expect(describeAbort(new Error('connect (pid 9) exited outside a fault'))).toBe(
      'connect (pid 9) exited outside a fault',
    );
    const plain = new AbortController();
    plain.abort();
    expect(describeAbort(plain.signal.reason)).toBe('the caller aborted the run');
  });
});
