import { describe, expect, it } from 'vitest';
import { EnvError } from '../../util/errors.ts';
import { containerHandle, type ContainerOps, type ContainerState } from './handle.ts';

/** A container as the engine would report it, with the calls made to it. */
class FakeContainer implements ContainerOps {
  readonly id = '3f2a9c1b7d4e5f60718293a4';
  st: ContainerState = { running: true, paused: false, status: 'running', exitCode: 0 };
  calls: string[] = [];
  /** The service answers only while running, unpaused, and after this many probes since the last start. */
  warmup = 0;
  probesSinceStart = 0;
  /** kill() takes effect after this many state() calls (the engine reports a moment later). */
  killLag = 0;
  private pendingKill = -1;

  async state(): Promise<ContainerState> {
    if (this.pendingKill >= 0 && this.pendingKill-- === 0)
      this.st = { running: false, paused: false, status: 'exited', exitCode: 137 };
    return { ...this.st };
  }
  async kill() {
    this.calls.push('kill');
    if (this.killLag) this.pendingKill = this.killLag;
    else this.st = { running: false, paused: false, status: 'exited', exitCode: 137 };
  }
  async start() {
    this.calls.push('start');
    if (!this.st.running) this.probesSinceStart = 0;
    this.st = { running: true, paused: false, status: 'running', exitCode: 0 };
  }
  async pause() {
    this.calls.push('pause');
    this.st = { ...this.st, paused: true, status: 'paused' };
  }
  async unpause() {
    this.calls.push('unpause');
    this.st = { ...this.st, paused: false, status: 'running' };
  }
  async restart(grace: number) {
    this.calls.push(`restart -t ${grace}`);
    this.probesSinceStart = 0;
    this.st = { running: true, paused: false, status: 'running', exitCode: 0 };
  }
  async logTail() {
    return 'FATAL: the last words';
  }
  onNetwork = true;
  async disconnect() {
    this.calls.push('disconnect');
    const was = this.onNetwork;
    this.onNetwork = false;
    return was;
  }
  async reconnect() {
    this.calls.push('reconnect');
    const was = this.onNetwork;
    this.onNetwork = true;
    return !was;
  }
  /** What the next exec returns. */
  execResult = { exitCode: 0, output: '' };
  async exec(command: string[]) {
    this.calls.push(`exec ${command.join(' ')}`);
    return this.execResult;
  }
  ready = async () => {
    if (!this.st.running || this.st.paused) throw new Error('connection refused');
    return ++this.probesSinceStart > this.warmup;
  };
}

function handle(f: FakeContainer, readyTimeoutMs = 2000) {
  return containerHandle({
    name: 'kafka',
    ops: f,
    ready: f.ready,
    readyTimeoutMs,
    stopGraceSeconds: 30,
    pollMs: 1,
    killTimeoutMs: 500,
  });
}

describe('container handle', () => {
  it('isolates by leaving the network and rejoins under its names, waiting until it answers', async () => {
    const f = new FakeContainer();
    const h = handle(f);
    expect(await h.isolate!()).toBe("disconnected container 3f2a9c1b7d4e from the stack's network");
    await expect(h.isolate!()).rejects.toThrow(/on no network/);
    f.warmup = 2;
    f.probesSinceStart = 0;
    expect(await h.rejoin!()).toBe('reconnected container 3f2a9c1b7d4e under its names');
    expect(f.probesSinceStart).toBe(3);
    // A heal when nothing was cut off.
    expect(await h.rejoin!()).toBe('container 3f2a9c1b7d4e was connected');
  });

  it("probes a TCP port from inside the container with bash's /dev/tcp, and names the answer", async () => {
    const f = new FakeContainer();
    const h = handle(f);
    expect(await h.probeTcp!('toxiproxy', 9200)).toBe('accepted');
    expect(f.calls).toEqual(['exec timeout 3 bash -c exec 3<>/dev/tcp/toxiproxy/9200']);
    f.execResult = {
      exitCode: 1,
      output: 'bash: connect: Connection refused\nbash: /dev/tcp/toxiproxy/9200: Connection refused\n',
    };
    expect(await h.probeTcp!('toxiproxy', 9200)).toBe('refused');
    f.execResult = { exitCode: 124, output: '' };
    expect(await h.probeTcp!('toxiproxy', 9200)).toBe('timed out');
    f.execResult = { exitCode: 1, output: 'bash: toxiproxy: Name or service not known\n' };
    expect(await h.probeTcp!('toxiproxy', 9200)).toBe('bash: toxiproxy: Name or service not known');
  });

  it('points at docker logs of the short id', () => {
    expect(handle(new FakeContainer()).where).toBe('docker logs 3f2a9c1b7d4e');
  });

  it('counts a paused container as not running', async () => {
    const f = new FakeContainer();
    const h = handle(f);
    expect(await h.running()).toBe(true);
    f.st = { ...f.st, paused: true };
    expect(await h.running()).toBe(false);
    f.st = { running: false, paused: false, status: 'exited', exitCode: 137 };
    expect(await h.running()).toBe(false);
  });

  it('crash kills with SIGKILL and returns once the engine reports it stopped', async () => {
    const f = new FakeContainer();
    f.killLag = 3;
    const out = await handle(f).crash();
    expect(out).toBe('killed container 3f2a9c1b7d4e (SIGKILL)');
    expect(f.calls).toEqual(['kill']);
    expect(f.st.running).toBe(false);
  });

  it('crash fails when there is nothing running to hit', async () => {
    const f = new FakeContainer();
    f.st = { running: false, paused: false, status: 'exited', exitCode: 137 };
    await expect(handle(f).crash()).rejects.toThrow(
      /kafka is not running \(container 3f2a9c1b7d4e is exited\), nothing to hit/,
    );
    expect(f.calls).toEqual([]);
  });

  it('start after a crash starts the container and waits until the service answers', async () => {
    const f = new FakeContainer();
    const h = handle(f);
    await h.crash();
    f.warmup = 5;
    expect(await h.start()).toBe('started container 3f2a9c1b7d4e');
    expect(f.calls).toEqual(['kill', 'start']);
    expect(f.probesSinceStart).toBe(6);
  });

  it('start fails with the log tail when the container exits instead of answering', async () => {
    const f = new FakeContainer();
    f.st = { running: false, paused: false, status: 'exited', exitCode: 1 };
    f.start = async () => {
      f.calls.push('start');
      f.st = { running: false, paused: false, status: 'exited', exitCode: 1 };
    };
    const err = await handle(f)
      .start()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).message).toMatch(/container 3f2a9c1b7d4e exited \(exited, exit code 1\)/);
    expect((err as EnvError).details).toBe('FATAL: the last words');
  });

  it('start times out naming the last probe error', async () => {
    const f = new FakeContainer();
    f.ready = async () => {
      throw new Error('ECONNRESET');
    };
    await expect(handle(f, 30).start()).rejects.toThrow(
      /timed out after 0 s waiting for kafka \(container 3f2a9c1b7d4e\) to answer \(last error: ECONNRESET\)/,
    );
  });

  it('freeze pauses and thaw unpauses', async () => {
    const f = new FakeContainer();
    const h = handle(f);
    expect(await h.freeze()).toBe('paused container 3f2a9c1b7d4e');
    expect(f.st.paused).toBe(true);
    await h.thaw();
    expect(f.st.paused).toBe(false);
    await h.thaw();
    expect(f.calls).toEqual(['pause', 'unpause']);
  });

  it('freeze refuses a stopped container', async () => {
    const f = new FakeContainer();
    f.st = { running: false, paused: false, status: 'exited', exitCode: 0 };
    await expect(handle(f).freeze()).rejects.toThrow(/nothing to freeze/);
  });

  it('restart is a docker restart with the grace period, then waits for the service', async () => {
    const f = new FakeContainer();
    f.warmup = 2;
    expect(await handle(f).restart()).toBe('restarted container 3f2a9c1b7d4e (docker restart -t 30)');
    expect(f.calls).toEqual(['restart -t 30']);
    expect(f.probesSinceStart).toBe(3);
  });

  it('restart thaws a paused container first', async () => {
    const f = new FakeContainer();
    f.st = { ...f.st, paused: true };
    await handle(f).restart();
    expect(f.calls).toEqual(['unpause', 'restart -t 30']);
  });

  it('ensureUp heals whatever was done: paused, stopped, or nothing', async () => {
    const f = new FakeContainer();
    const h = handle(f);
    await h.ensureUp();
    expect(f.calls).toEqual([]);
    await h.freeze();
    await h.ensureUp();
    expect(f.calls).toEqual(['pause', 'unpause']);
    await h.crash();
    await h.ensureUp();
    expect(f.calls).toEqual(['pause', 'unpause', 'kill', 'start']);
    expect(await h.running()).toBe(true);
  });
});
