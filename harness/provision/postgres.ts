import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvError } from '../util/errors.ts';
import { exec, tail } from '../util/exec.ts';
import { info } from '../util/log.ts';
import { MANIFEST } from './manifest.ts';

export interface PostgresDist {
  bin: string;
  version: string;
}

function binDir(): string {
  return process.env.OUTBOX_CHAOS_PG_BIN ?? join('/usr/lib/postgresql', MANIFEST.postgres.major, 'bin');
}

/** Postgres comes from Debian's packages: installed with apt-get when missing and we are root. */
export async function ensurePostgres(): Promise<PostgresDist> {
  const bin = binDir();
  if (!existsSync(join(bin, 'postgres'))) {
    const pkg = MANIFEST.postgres.aptPackage;
    if (process.getuid?.() !== 0) {
      throw new EnvError(
        `Postgres ${MANIFEST.postgres.major} server binaries not found in ${bin}`,
        `run: sudo apt-get update && sudo apt-get install -y ${pkg} (or set OUTBOX_CHAOS_PG_BIN to a bin dir holding initdb, pg_ctl, postgres)`,
      );
    }
    info(`    installing ${pkg} with apt-get (first time only)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['update', '-q'],
      ['install', '-y', '-q', '--no-install-recommends', pkg],
    ]) {
      const r = await exec('apt-get', args, { env });
      if (r.code !== 0)
        throw new EnvError(
          `apt-get ${args[0]} failed (exit ${r.code})`,
          "check that Debian's package mirrors are reachable",
          tail(r.stdout + r.stderr, 15),
        );
    }
  }
  const r = await exec(join(bin, 'postgres'), ['--version']);
  return { bin, version: r.stdout.trim().replace(/^postgres \(PostgreSQL\) /, '') };
}
