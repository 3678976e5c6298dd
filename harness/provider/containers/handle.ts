import type { ContainerRuntimeClient } from 'testcontainers';
import type { ProcessTarget } from '../../stack/targets.ts';
import { EnvError, errorMessage } from '../../util/errors.ts';
import type { ServiceHandle } from '../interface.ts';
import { demuxLogs } from './docker.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ContainerState {
  /** Docker's Running, which stays true while the container is paused. */
  running: boolean;
  paused: boolean;
  status: string;
  exitCode: number;
}

/** The few engine operations a handle needs; an interface so the handle's logic is tested without Docker. */
export interface ContainerOps {
  readonly id: string;
  state(): Promise<ContainerState>;
  /** SIGKILL, as `docker kill` (the engine thaws a paused container to deliver it). */
  kill(): Promise<void>;
  /** `docker start`; a no-op for a running container. */
  start(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** `docker restart -t graceSeconds`: the image's stop signal, SIGKILL after the grace period, start. */
  restart(graceSeconds: number): Promise<void>;
  logTail(lines: number): Promise<string>;
  /** `docker exec`: a command inside the running container. */
  exec(command: string[]): Promise<{ exitCode: number; output: string }>;
  /** `docker network disconnect` from the stack's network (false: it was not on it). */
  disconnect(): Promise<boolean>;
  /** `docker network connect` back, under the container's aliases (false: it was on it already). */
  reconnect(): Promise<boolean>;
}

/** The stack's network and the names the container answers to on it. */
export interface Attachment {
  network: string;
  aliases: readonly string[];
}

function statusCode(err: unknown): number | undefined {
  const c = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof c === 'number' ? c : undefined;
}

/** ContainerOps over the engine testcontainers connected to (dockerode underneath). */
export function dockerOps(client: ContainerRuntimeClient, id: string, on?: Attachment): ContainerOps {
  const c = client.container.getById(id);
  const attached = async (): Promise<boolean> =>
    !!on && on.network in ((await c.inspect()).NetworkSettings.Networks ?? {});
  const net = () => client.container.dockerode.getNetwork(on!.network);
  return {
    id,
    async state() {
      const s = (await c.inspect()).State;
      return { running: s.Running, paused: s.Paused, status: s.Status, exitCode: s.ExitCode };
    },
    async kill() {
      await c.kill({ signal: 'SIGKILL' });
    },
    async start() {
      // 304: already started.
      await c.start().catch((err: unknown) => {
        if (statusCode(err) !== 304) throw err;
      });
    },
    async pause() {
      await c.pause();
    },
    async unpause() {
      await c.unpause();
    },
    async restart(graceSeconds) {
      await c.restart({ t: graceSeconds });
    },
    async logTail(lines) {
      return demuxLogs(await c.logs({ stdout: true, stderr: true, tail: lines, follow: false })).trimEnd();
    },
    async exec(command) {
      const r = await client.container.exec(c, command);
      return { exitCode: r.exitCode, output: r.output };
    },
    async disconnect() {
      if (!(await attached())) return false;
      await net().disconnect({ Container: id, Force: true });
      return true;
    },
    async reconnect() {
      if (!on || (await attached())) return false;
      await net().connect({ Container: id, EndpointConfig: { Aliases: [...on.aliases] } });
      return true;
    },
  };
}

export interface HandleSpec {
  name: ProcessTarget;
  ops: ContainerOps;
  /** True once the service answers its own protocol from the host (pg query, Kafka metadata, HTTP 200). */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
  stopGraceSeconds: number;
  /** Poll interval while waiting (tests shorten it). */
  pollMs?: number;
  /** How long a killed container may take to be reported stopped. */
  killTimeoutMs?: number;
}

/** Process faults on a container: docker kill / start / pause / unpause / restart, each waiting for its effect. */
export function containerHandle(spec: HandleSpec): ServiceHandle {
  const { name, ops } = spec;
  const short = ops.id.slice(0, 12);
  const where = `docker logs ${short}`;
  const poll = spec.pollMs ?? 250;

  const tail = async (): Promise<string | undefined> => ops.logTail(40).catch(() => undefined);

  async function waitReady(): Promise<void> {
    const deadline = Date.now() + spec.readyTimeoutMs;
    let lastErr = '';
    for (;;) {
      try {
        if (await spec.ready()) return;
      } catch (err) {
        lastErr = errorMessage(err);
      }
      const st = await ops.state();
      if (!st.running) {
        throw new EnvError(
          `${name}: container ${short} exited (${st.status}, exit code ${st.exitCode}) while waiting for it to answer`,
          `see ${where}`,
          await tail(),
        );
      }
      if (Date.now() > deadline) {
        throw new EnvError(
          `timed out after ${Math.round(spec.readyTimeoutMs / 1000)} s waiting for ${name} ` +
            `(container ${short}) to answer${lastErr ? ` (last error: ${lastErr})` : ''}`,
          `see ${where}`,
          await tail(),
        );
      }
      await sleep(poll);
    }
  }

  /** Thaws and starts whatever needs it; true when it had to start the container. */
  async function bringUp(): Promise<boolean> {
    const st = await ops.state();
    if (st.paused) await ops.unpause();
    if (st.running) return false;
    await ops.start();
    return true;
  }

  return {
    name,
    where,
    async running() {
      const st = await ops.state().catch(() => undefined);
      return !!st && st.running && !st.paused;
    },
    async crash() {
      const st = await ops.state();
      if (!st.running)
        throw new EnvError(
          `process.kill: ${name} is not running (container ${short} is ${st.status}), nothing to hit`,
          `see ${where}`,
        );
      await ops.kill();
      const deadline = Date.now() + (spec.killTimeoutMs ?? 30_000);
      while ((await ops.state()).running) {
        if (Date.now() > deadline)
          throw new EnvError(
            `${name}: container ${short} still runs ${(spec.killTimeoutMs ?? 30_000) / 1000} s after docker kill`,
            `see ${where}`,
          );
        await sleep(Math.min(poll, 50));
      }
      return `killed container ${short} (SIGKILL)`;
    },
    async start() {
      const started = await bringUp();
      await waitReady();
      return started ? `started container ${short}` : `container ${short} was running`;
    },
    async freeze() {
      const st = await ops.state();
      if (!st.running)
        throw new EnvError(
          `process.pause: ${name} is not running (container ${short} is ${st.status}), nothing to freeze`,
          `see ${where}`,
        );
      if (!st.paused) await ops.pause();
      if (!(await ops.state()).paused)
        throw new EnvError(`${name}: container ${short} is not paused after docker pause`, `see ${where}`);
      return `paused container ${short}`;
    },
    async thaw() {
      if ((await ops.state()).paused) await ops.unpause();
    },
    async restart() {
      // docker restart of a paused container fails on some engines: thaw it first.
      if ((await ops.state()).paused) await ops.unpause();
      await ops.restart(spec.stopGraceSeconds);
      await waitReady();
      return `restarted container ${short} (docker restart -t ${spec.stopGraceSeconds})`;
    },
    async ensureUp() {
      await bringUp();
      await waitReady();
    },
    async isolate() {
      if (!(await ops.disconnect())) throw new EnvError(`${name}: container ${short} is on no network of the stack`);
      return `disconnected container ${short} from the stack's network`;
    },
    async rejoin() {
      const back = await ops.reconnect();
      await waitReady();
      return back ? `reconnected container ${short} under its names` : `container ${short} was connected`;
    },
    async probeTcp(host, port) {
      // bash's /dev/tcp: in the Debian-based images (built and Debezium's), no extra tool needed.
      const r = await ops.exec(['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`]);
      if (r.exitCode === 0) return 'accepted';
      if (/refused/i.test(r.output)) return 'refused';
      return r.exitCode === 124 ? 'timed out' : r.output.trim().split('\n').pop() || `exit ${r.exitCode}`;
    },
  };
}
