import { describe, expect, it } from 'vitest';
import { demuxLogs, dockerAvailable, engineHint, hostOverride, runtimeLabel } from './docker.ts';

function frame(stream: number, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('docker', () => {
  it('reaches a local engine’s ports on localhost, leaves a remote engine and a user’s choice alone', () => {
    expect(hostOverride({})).toBe('localhost');
    expect(hostOverride({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe('localhost');
    expect(hostOverride({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toBe(undefined);
    expect(hostOverride({ TESTCONTAINERS_HOST_OVERRIDE: 'host.docker.internal' })).toBe(undefined);
  });

  it('says what the machine offers in place of an engine', () => {
    expect(engineHint({}, () => false)).toBe('DOCKER_HOST is unset and /var/run/docker.sock does not exist');
    expect(engineHint({}, () => true)).toBe('/var/run/docker.sock exists but does not answer');
    expect(engineHint({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }, () => false)).toBe('DOCKER_HOST=tcp://10.0.0.5:2375');
  });

  it('names the engine and how it is reached', () => {
    expect(
      runtimeLabel(
        { serverVersion: '27.3.1', operatingSystem: 'Ubuntu 24.04' },
        { socketPath: '/var/run/docker.sock' },
      ),
    ).toBe('Docker 27.3.1 on Ubuntu 24.04 via unix:///var/run/docker.sock');
    expect(
      runtimeLabel(
        { serverVersion: '27.3.1', operatingSystem: 'Docker Desktop' },
        { host: '10.0.0.5', port: '2375', protocol: 'http' },
      ),
    ).toBe('Docker 27.3.1 on Docker Desktop via http://10.0.0.5:2375');
    expect(runtimeLabel({ serverVersion: '25.0', operatingSystem: 'x' }, undefined)).toBe('Docker 25.0 on x');
  });

  it('demultiplexes docker logs frames, and passes TTY output through', () => {
    expect(demuxLogs(Buffer.concat([frame(1, 'started\n'), frame(2, 'WARN disk\n'), frame(1, 'ready\n')]))).toBe(
      'started\nWARN disk\nready\n',
    );
    expect(demuxLogs(Buffer.from('plain tty output\n'))).toBe('plain tty output\n');
    expect(demuxLogs(Buffer.alloc(0))).toBe('');
  });

  it('answers quickly and never throws, with a reason and a fix when there is no engine', async () => {
    const t = Date.now();
    const r = await dockerAvailable(5000);
    expect(Date.now() - t).toBeLessThan(6000);
    if (r.ok) {
      expect(r.runtime).toMatch(/^Docker /);
    } else {
      expect(r.reason).toMatch(/^no Docker engine: /);
      expect(r.fix).toMatch(/--provider local/);
    }
  });
});
