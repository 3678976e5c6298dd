import { spawn } from 'node:child_process';
import { EnvError } from './errors.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing output. Never throws for a non-zero exit: callers decide. */
export function exec(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
          stderr += `\n[killed after ${opts.timeoutMs} ms]`;
        }, opts.timeoutMs)
      : undefined;
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new EnvError(`cannot run ${cmd}: ${err.message}`, `install ${cmd} or put it on PATH`));
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Like exec but fails with an EnvError that shows the command and the tail of its output. */
export async function run(
  cmd: string,
  args: string[],
  opts: Parameters<typeof exec>[2] & { what?: string; fix?: string } = {},
): Promise<string> {
  const r = await exec(cmd, args, opts);
  if (r.code !== 0) {
    const out = tail(`${r.stdout}\n${r.stderr}`, 25);
    throw new EnvError(`${opts.what ?? 'command'} failed (exit ${r.code}): ${cmd} ${args.join(' ')}`, opts.fix, out);
  }
  return r.stdout;
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
