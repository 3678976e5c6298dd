import { existsSync } from 'node:fs';
import type { ContainerRuntimeClient } from 'testcontainers';
import { errorMessage } from '../../util/errors.ts';

export type DockerCheck = { ok: true; runtime: string } | { ok: false; reason: string; fix: string };

/** What this machine offers testcontainers, in words, for when it finds no engine. */
export function engineHint(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  if (env.DOCKER_HOST) return `DOCKER_HOST=${env.DOCKER_HOST}`;
  if (env.TESTCONTAINERS_HOST_OVERRIDE) return `TESTCONTAINERS_HOST_OVERRIDE=${env.TESTCONTAINERS_HOST_OVERRIDE}`;
  return exists('/var/run/docker.sock')
    ? '/var/run/docker.sock exists but does not answer'
    : 'DOCKER_HOST is unset and /var/run/docker.sock does not exist';
}

const ENGINE_FIX =
  'start Docker (Docker Desktop, Colima, or the docker service), or point DOCKER_HOST at a running engine (e.g. unix:///run/user/1000/docker.sock for rootless Docker); or run with --provider local';

/** One line naming the engine: "Docker 27.3.1 on Ubuntu 24.04 via unix:///var/run/docker.sock". */
export function runtimeLabel(info: { serverVersion: unknown; operatingSystem: string }, modem: unknown): string {
  const m = (modem ?? {}) as { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
  let via = '';
  if (typeof m.socketPath === 'string' && m.socketPath) via = ` via unix://${m.socketPath}`;
  else if (typeof m.host === 'string' && m.host)
    via = ` via ${typeof m.protocol === 'string' ? m.protocol : 'tcp'}://${m.host}${m.port ? `:${String(m.port)}` : ''}`;
  return `Docker ${String(info.serverVersion)} on ${info.operatingSystem}${via}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The host testcontainers should reach published ports at. The harness publishes every port on 127.0.0.1 only,
 * so for an engine on this machine that is localhost, also where a /.dockerenv file makes testcontainers guess
 * it runs inside a container and pick the bridge's gateway instead (where nothing of ours listens). A remote
 * engine (DOCKER_HOST tcp://…) or the user's own override is left alone.
 */
export function hostOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TESTCONTAINERS_HOST_OVERRIDE) return undefined;
  return !env.DOCKER_HOST || env.DOCKER_HOST.startsWith('unix://') ? 'localhost' : undefined;
}

/** The runtime client testcontainers chose (cached by testcontainers after the first success). */
export async function runtimeClient(): Promise<ContainerRuntimeClient> {
  const host = hostOverride();
  if (host) process.env.TESTCONTAINERS_HOST_OVERRIDE = host;
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient();
}

/**
 * Whether testcontainers finds a working container engine, asked with a deadline (a DOCKER_HOST that does
 * not answer would otherwise hang). Never throws: the answer says why not.
 */
export async function dockerAvailable(timeoutMs = 5000): Promise<DockerCheck> {
  try {
    const client = await withTimeout(runtimeClient(), timeoutMs, 'the container engine');
    return { ok: true, runtime: runtimeLabel(client.info.containerRuntime, client.container.dockerode.modem) };
  } catch (err) {
    return { ok: false, reason: `no Docker engine: ${errorMessage(err)} (${engineHint()})`, fix: ENGINE_FIX };
  }
}

/**
 * The text of `docker logs` output fetched without a TTY: Docker multiplexes stdout and stderr into frames
 * with an 8-byte header (stream, 0, 0, 0, big-endian length). Raw text (a TTY container) passes through.
 */
export function demuxLogs(buf: Buffer): string {
  const framed =
    buf.length >= 8 && (buf[0] === 0 || buf[0] === 1 || buf[0] === 2) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) return buf.toString('utf8');
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, Math.min(buf.length, i + 8 + len)));
    i += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}
