import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../util/exec.ts';
import { info } from '../util/log.ts';
import { MANIFEST } from './manifest.ts';

/** Toxiproxy is built from its Go module (no release downloads here); the binary is cached per version. */
export async function ensureToxiproxy(cache: string): Promise<string> {
  const { module, version } = MANIFEST.toxiproxy;
  const bin = join(cache, 'bin', `toxiproxy-server-${version}`);
  if (existsSync(bin)) return bin;
  info(`    building toxiproxy ${version} with go install (first time only)`);
  const gobin = join(cache, 'bin', `.gobin-${process.pid}`);
  mkdirSync(gobin, { recursive: true });
  await run('go', ['install', `${module}@${version}`], {
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
    what: 'go install toxiproxy',
    fix: 'install Go (https://go.dev) and check that the Go module proxy is reachable (GOPROXY)',
  });
  renameSync(join(gobin, 'server'), bin);
  rmSync(gobin, { recursive: true, force: true });
  return bin;
}
