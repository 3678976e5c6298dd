import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../provision/paths.ts';
import { listFiles } from '../../util/files.ts';
import { info, warn } from '../../util/log.ts';
import { isAlive, signalGroup, spawnService, STACK_ENV, type RunAs } from '../processes.ts';

/**
 * Elasticsearch's `bin/elasticsearch` runs three JVMs before its server: a Java version check, the CLI
 * launcher (org.elasticsearch.server.cli.ServerCli) and, from the launcher, `java -XX:+PrintFlagsFinal` for
 * its heap ergonomics. The launcher then starts the server JVM with the options it computed (jvm.options,
 * jvm.options.d, the system options it adds, `--module-path lib -m org.elasticsearch.server/...`), in the
 * logs directory, and writes the server's arguments (ServerArgs: settings from elasticsearch.yml, the
 * keystore's secrets, the config and logs paths) to its stdin, which the server keeps reading afterwards: EOF
 * there is the launcher's death, and the server exits.
 *
 * Rather than re-implement that, the launcher itself is run once per configuration with a `java.home` whose
 * `bin/java` records the server's command line, working directory, environment and stdin instead of starting
 * it; every later start of that configuration replays the record. The record is keyed on everything the
 * launcher reads (the distribution, the JDK, every file of the config directory, the paths, the user, the CPU
 * count), so any change records it again.
 */
export interface EsServerLaunch {
  /** The server JVM's arguments, exactly as the launcher built them (the java binary not included). */
  args: string[];
  cwd: string;
  /** Variables the launcher set for the server / removed from the environment it was given. */
  envSet: Record<string, string>;
  envUnset: string[];
  /** The ServerArgs bytes the launcher wrote to the server's stdin. */
  stdinFile: string;
  /** The keystore the launcher created in the config directory, to put back where it was. */
  keystoreFile?: string;
}

export interface LaunchInputs {
  home: string;
  javaHome: string;
  confDir: string;
  tmpDir: string;
  logsDir: string;
  runAs: RunAs | undefined;
  /** A scratch directory the service user can write (inside the stack's directory). */
  scratch: string;
  /** Where the launcher's output goes while it is recorded (not the server's log). */
  logFile: string;
  stackDir: string;
}

const RECORDER_VERSION = '1';
const SERVER_MAIN = 'org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch';
/** Variables the recording sees that belong to a shell, not to the launcher. */
const SHELL_VARS = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);

function statKey(path: string): string {
  const s = statSync(path);
  return `${path}:${s.size}:${Math.round(s.mtimeMs)}:${s.ino}`;
}

/** What the launcher's output depends on; equal keys replay the same record. */
export function launchKey(i: LaunchInputs, env: Record<string, string>): string {
  const h = createHash('sha256');
  h.update(`recorder ${RECORDER_VERSION}\n`);
  h.update(`${statKey(join(i.home, '.unpacked'))}\n${readFileSync(join(i.home, '.unpacked'), 'utf8')}\n`);
  h.update(`${statKey(join(i.javaHome, 'bin', 'java'))}\n${readFileSync(join(i.javaHome, 'release'), 'utf8')}\n`);
  h.update(
    `conf ${i.confDir} tmp ${i.tmpDir} logs ${i.logsDir} ` +
      `uid ${i.runAs?.uid ?? process.getuid?.()} cpus ${cpus().length}\n`,
  );
  for (const k of Object.keys(env).sort()) h.update(`env ${k}=${env[k]}\n`);
  for (const f of listFiles(i.confDir).filter((f) => f !== 'elasticsearch.keystore'))
    h.update(`${f}\n${readFileSync(join(i.confDir, f))}\n`);
  return h.digest('hex').slice(0, 24);
}

function recordDir(key: string): string {
  return join(cacheDir(), 'es-launch', key);
}

function vint(n: number): Buffer {
  const out: number[] = [];
  while ((n & ~0x7f) !== 0) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** StreamOutput.writeString of an ASCII string: a vint of its length, then its bytes. */
export function esString(s: string): Buffer {
  return Buffer.concat([vint(s.length), Buffer.from(s, 'latin1')]);
}

/** ServerArgs ends with the config and the logs directory: complete once the bytes end so. */
export function completeServerArgs(bytes: Buffer, confDir: string, logsDir: string): boolean {
  const tail = Buffer.concat([esString(confDir), esString(logsDir)]);
  return bytes.length > tail.length && bytes.subarray(bytes.length - tail.length).equals(tail);
}

function own(path: string, u: RunAs | undefined): void {
  if (u) chownSync(path, u.uid, u.gid);
}

/** A java.home whose bin/java records the server launch and runs every other java command as it is. */
function fakeJavaHome(i: LaunchInputs, out: string): string {
  const fake = join(i.scratch, 'java-home');
  rmSync(fake, { recursive: true, force: true });
  mkdirSync(join(fake, 'bin'), { recursive: true });
  for (const e of readdirSync(i.javaHome)) if (e !== 'bin') symlinkSync(join(i.javaHome, e), join(fake, e));
  const real = join(i.javaHome, 'bin', 'java');
  const script = [
    '#!/bin/sh',
    'server=',
    `for a in "$@"; do [ "$a" = "${SERVER_MAIN}" ] && server=1; done`,
    `[ -z "$server" ] && exec "${real}" "$@"`,
    `d="${out}"`,
    'printf "%s\\0" "$@" > "$d/argv"',
    'pwd > "$d/cwd"',
    'env -0 > "$d/env"',
    'exec cat > "$d/stdin"',
    '',
  ].join('\n');
  writeFileSync(join(fake, 'bin', 'java'), script, { mode: 0o755 });
  for (const p of [fake, join(fake, 'bin'), join(fake, 'bin', 'java')]) own(p, i.runAs);
  return fake;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** Runs the launcher with the recording java.home and waits until the server's stdin holds complete ServerArgs. */
async function captureLaunch(
  i: LaunchInputs,
  env: Record<string, string>,
  key: string,
): Promise<EsServerLaunch | undefined> {
  const out = join(i.scratch, 'recorded');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  own(i.scratch, i.runAs);
  own(out, i.runAs);
  const fake = fakeJavaHome(i, out);
  const pid = await spawnService({
    name: 'elasticsearch',
    cmd: join(i.home, 'bin', 'elasticsearch'),
    args: [],
    cwd: i.scratch,
    env: { ...env, CLI_JAVA_OPTS: `-Djava.home=${fake}` },
    logFile: i.logFile,
    stackDir: i.stackDir,
    runAs: i.runAs,
  });
  const stdin = join(out, 'stdin');
  try {
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(50)) {
      if (existsSync(stdin) && completeServerArgs(readFileSync(stdin), i.confDir, i.logsDir)) break;
      if (!isAlive(pid)) return undefined;
    }
  } finally {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }
  if (!existsSync(stdin) || !completeServerArgs(readFileSync(stdin), i.confDir, i.logsDir)) return undefined;
  const args = readFileSync(join(out, 'argv'), 'utf8').split('\0').slice(0, -1);
  if (!args.includes(SERVER_MAIN) || args.some((a) => a.includes(fake))) return undefined;
  // Relative to this process's environment, which a replayed start inherits as the launcher did.
  const seen = parseEnv(readFileSync(join(out, 'env'), 'utf8'));
  const base = process.env as Record<string, string>;
  const envSet = Object.fromEntries(
    Object.entries(seen).filter(
      ([k, v]) => !SHELL_VARS.has(k) && k !== STACK_ENV && k !== 'CLI_JAVA_OPTS' && base[k] !== v,
    ),
  );
  const envUnset = [
    ...new Set([...Object.keys(base).filter((k) => !(k in seen)), 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS']),
  ].filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  const dir = recordDir(key);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  copyFileSync(stdin, join(tmp, 'stdin.bin'));
  const keystore = join(i.confDir, 'elasticsearch.keystore');
  if (existsSync(keystore)) copyFileSync(keystore, join(tmp, 'elasticsearch.keystore'));
  writeFileSync(
    join(tmp, 'launch.json'),
    `${JSON.stringify({ args, cwd: readFileSync(join(out, 'cwd'), 'utf8').trim(), envSet, envUnset }, null, 1)}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  rmSync(i.scratch, { recursive: true, force: true });
  return load(key);
}

function load(key: string): EsServerLaunch | undefined {
  const dir = recordDir(key);
  if (!existsSync(join(dir, 'launch.json')) || !existsSync(join(dir, 'stdin.bin'))) return undefined;
  const j = JSON.parse(readFileSync(join(dir, 'launch.json'), 'utf8')) as Omit<
    EsServerLaunch,
    'stdinFile' | 'keystoreFile'
  >;
  const keystore = join(dir, 'elasticsearch.keystore');
  return { ...j, stdinFile: join(dir, 'stdin.bin'), ...(existsSync(keystore) ? { keystoreFile: keystore } : {}) };
}

/** The recorded server launch for this configuration, if there is one (synchronous: a service's spawn() needs it). */
export function loadLaunch(i: LaunchInputs, env: Record<string, string>): EsServerLaunch | undefined {
  return load(launchKey(i, env));
}

/**
 * The recorded server launch for this configuration, recording it first when there is none. Undefined when
 * the launcher could not be recorded (a distribution whose launcher works differently): the caller then
 * starts Elasticsearch through `bin/elasticsearch` as before.
 */
export async function serverLaunch(i: LaunchInputs, env: Record<string, string>): Promise<EsServerLaunch | undefined> {
  const key = launchKey(i, env);
  const found = load(key);
  if (found) return found;
  const t0 = Date.now();
  const rec = await captureLaunch(i, env, key).catch((err: unknown) => {
    warn(`  elasticsearch: recording its launcher failed (${String(err)}); starting it through bin/elasticsearch`);
    return undefined;
  });
  if (rec)
    info(`    recorded how bin/elasticsearch starts the server JVM (${Date.now() - t0} ms, once per configuration)`);
  else warn('  elasticsearch: its launcher could not be recorded; starting it through bin/elasticsearch');
  return rec;
}

/**
 * The replay: a FIFO opened read-write as the server's stdin (so it never sees EOF, as under the launcher),
 * the recorded ServerArgs written into it, then the server JVM exec'd in place (the pid stays the service's).
 */
export const REPLAY_SCRIPT =
  'f=$1; u=$2; shift 2; [ -n "$u" ] && unset $u; p="$f.$$.fifo"; rm -f "$p"; ' +
  'mkfifo -m 600 "$p" && exec 3<>"$p" && rm -f "$p" && cat "$f" >&3 && exec "$@" <&3 3<&-';

/** Puts the recorded keystore and ServerArgs where the service user can read them, in the stack's own dirs. */
export function stageReplay(launch: EsServerLaunch, confDir: string, stageDir: string, u: RunAs | undefined): string {
  mkdirSync(stageDir, { recursive: true });
  own(stageDir, u);
  if (launch.keystoreFile && !existsSync(join(confDir, 'elasticsearch.keystore'))) {
    copyFileSync(launch.keystoreFile, join(confDir, 'elasticsearch.keystore'));
    own(join(confDir, 'elasticsearch.keystore'), u);
  }
  const stdin = join(stageDir, 'server-args.bin');
  copyFileSync(launch.stdinFile, stdin);
  chmodSync(stdin, 0o600);
  own(stdin, u);
  return stdin;
}
