import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreDefaultPipeline } from '../harness/pipeline/lifecycle.ts';
import { stringify as toYaml } from 'yaml';
import { PROJECT_ROOT } from '../harness/provision/paths.ts';
import { withPg } from '../harness/stack/pg.ts';
import { sharedEndpoints, sharedStack, sharedStackName } from './stack.ts';

/**
 * Planted secrets (docs/secrets.md): a distinct secret in every input a user can give — each connector key of
 * both connectors that can carry one, a URL with userinfo, the external env file's password — then real runs
 * on the shared stack, locally and through the external provider pointed at it. Not one byte under the run
 * directories, the suite directory, the stack's directory, nor in the commands' output, may hold any of them.
 * Every planted value is one the programs accept: the Postgres passwords are really set for the roles that use
 * them; Elasticsearch (security off) ignores the sink's basic-auth credentials; our sink drops URL userinfo.
 */
const ep = sharedEndpoints();
const stackName = sharedStackName();
const work = mkdtempSync(join(tmpdir(), 'outbox-chaos-secrets-'));
const tag = Date.now().toString(36);
const SECRETS = {
  dbPassword: `DbPw-${tag}-source`,
  sinkUsername: `SinkUser-${tag}`,
  sinkPassword: `SinkPw-${tag}-basic`,
  urlUser: `UrlUser-${tag}`,
  urlPassword: `UrlPw-${tag}-userinfo`,
  jaasPassword: `JaasPw-${tag}-sasl`,
  apiToken: `Token-${tag}-api`,
  envPassword: `EnvPw-${tag}-external`,
};
const ROLES = { connector: `oc_sec_conn_${tag}`, env: `oc_sec_env_${tag}` };

/** A pipeline definition: the healthy one, with every key that can carry a secret set to a planted one. */
function plantDefinition(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const read = (f: string) =>
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'connectors', f), 'utf8')) as {
      name: string;
      config: Record<string, string>;
    };
  const jaas = (p: string) =>
    `org.apache.kafka.common.security.plain.PlainLoginModule required username="oc" password="${p}";`;
  const source = read('register-postgres.json');
  Object.assign(source.config, {
    'database.user': ROLES.connector,
    'database.password': SECRETS.dbPassword,
    'sasl.jaas.config': jaas(SECRETS.jaasPassword),
  });
  const sink = read('register-elasticsearch.json');
  Object.assign(sink.config, {
    'connection.url': `http://${SECRETS.urlUser}:${SECRETS.urlPassword}@${ep.esProxiedUrl.replace(/^https?:\/\//, '')}`,
    'connection.username': SECRETS.sinkUsername,
    'connection.password': SECRETS.sinkPassword,
    'api.token': SECRETS.apiToken,
  });
  writeFileSync(join(dir, 'register-postgres.json'), JSON.stringify(source, null, 2));
  writeFileSync(join(dir, 'register-elasticsearch.json'), JSON.stringify(sink, null, 2));
}

/** Every file below `dir` (following no links, skipping directories named `skip`), gzip members decompressed. */
function* files(dir: string, skip?: string): Generator<[string, Buffer]> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== skip) yield* files(p, skip);
    } else if (e.isFile()) {
      const b = readFileSync(p);
      yield [p, b];
      if (p.endsWith('.gz')) yield [`${p} (gunzipped)`, gunzipSync(b)];
    }
  }
}

/** Where each planted secret appears (raw or URL-encoded): `what: file` lines, empty when nowhere. */
function leaks(where: [string, Buffer][], scanned = { files: 0, bytes: 0 }): string[] {
  const out: string[] = [];
  for (const [name, bytes] of where) {
    scanned.files++;
    scanned.bytes += bytes.length;
    const text = bytes.toString('latin1');
    for (const [what, v] of Object.entries(SECRETS))
      if (text.includes(v) || text.includes(encodeURIComponent(v))) out.push(`${what}: ${name}`);
  }
  return out;
}

/** Runs the CLI as a user would; returns its exit code and everything it printed. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'outbox-chaos.mjs'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
    });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('planted secrets never land in what the harness writes or prints', () => {
  const connectors = join(work, 'pipeline');
  // A second column for `compare`: the same planted definition.
  const connectors2 = join(work, 'pipeline-2');
  // A sink Connect refuses: its validator quotes the whole URL list, userinfo included, in the error it returns.
  const refused = join(work, 'pipeline-refused');
  const envFile = join(work, 'env.yaml');
  let stackDir = '';

  beforeAll(async () => {
    stackDir = (await sharedStack()).dir;
    plantDefinition(connectors);
    cpSync(connectors, connectors2, { recursive: true });
    plantDefinition(refused);
    const sinkFile = join(refused, 'register-elasticsearch.json');
    const sink = JSON.parse(readFileSync(sinkFile, 'utf8')) as { config: Record<string, string> };
    sink.config['connection.url'] += `,ftp://${SECRETS.urlUser}:${SECRETS.urlPassword}@127.0.0.1:1`;
    writeFileSync(sinkFile, JSON.stringify(sink, null, 2));
    await withPg(ep, ep.pg.database, async (c) => {
      // Superusers, so that the runs' own tables, publications and slots are theirs to use and drop.
      await c.query(`CREATE ROLE ${ROLES.connector} LOGIN SUPERUSER REPLICATION PASSWORD '${SECRETS.dbPassword}'`);
      await c.query(`CREATE ROLE ${ROLES.env} LOGIN SUPERUSER REPLICATION PASSWORD '${SECRETS.envPassword}'`);
    });
    writeFileSync(
      envFile,
      toYaml({
        postgres: {
          host: ep.pg.host,
          port: ep.pg.port,
          database: ep.pg.database,
          user: ROLES.env,
          password: SECRETS.envPassword,
          fromConnect: `${ep.pgProxied.host}:${ep.pgProxied.port}`,
        },
        kafka: { bootstrap: ep.kafkaBootstrap, fromConnect: ep.kafkaProxied },
        connect: { url: ep.connectUrl },
        elasticsearch: { url: ep.esUrl, fromConnect: ep.esProxiedUrl },
        toxiproxy: { url: ep.toxiproxyUrl, proxies: { pg: 'pg', kafka: 'kafka', es: 'es' } },
      }),
    );
  });

  afterAll(async () => {
    // The runs left the shared stack with this file's pipelines (the last one refused by Connect): the files
    // after it expect the healthy pipeline that `up` registers.
    await restoreDefaultPipeline(ep);
    await withPg(ep, ep.pg.database, async (c) => {
      for (const r of Object.values(ROLES)) {
        // Objects a failed run left would block the drop; they belong to the run, not to anyone else.
        await c.query(`DROP OWNED BY ${r}`).catch(() => undefined);
        await c.query(`DROP ROLE IF EXISTS ${r}`);
      }
    });
    rmSync(work, { recursive: true, force: true });
  });

  /** Scans the reports root (run, suite and compare directories), the stack's directory and the output. */
  function scan(label: string, reports: string, output: string): { files: number; bytes: number } {
    // The services' own stores are not the harness's to write (Connect keeps connector configs in its config
    // topic); they sit in directories only the owner can enter (docs/secrets.md).
    const stack = [...files(stackDir, 'data')];
    const written = { files: 0, bytes: 0 };
    const all = { files: 0, bytes: 0 };
    const found = [
      ...leaks(existsSync(reports) ? [...files(reports)] : [], written),
      ...leaks(
        [
          ...stack.map(([p, b]): [string, Buffer] => [`<stack>/${relative(stackDir, p)}`, b]),
          ['<command output>', Buffer.from(output)],
        ],
        all,
      ),
    ];
    console.log(
      `${label}: scanned ${written.files} files (${written.bytes} bytes) under the reports root, ` +
        `${all.files - 1} (${all.bytes - output.length} bytes) under the stack's directory, ${output.length} of output`,
    );
    expect(found, `${label}: planted secrets found`).toEqual([]);
    return written;
  }

  /** Runs, checks that the runs carried data to Elasticsearch, then scans; returns the reports root. */
  async function runAndScan(label: string, args: string[], connectorsFlag = '--connectors'): Promise<string> {
    const reports = join(work, `reports-${label}`);
    const { code, output } = await cli([...args, connectorsFlag, connectorsArg(connectorsFlag)], {
      OUTBOX_CHAOS_REPORTS: reports,
    });
    // A verdict either way (a loaded machine can miss a lag budget), as long as the planted values worked.
    expect([0, 1], output).toContain(code);
    const runs = readdirSync(reports).filter((d) => /-s\d+$/.test(d));
    expect(runs.length, output).toBeGreaterThan(0);
    for (const run of runs) {
      const r = JSON.parse(readFileSync(join(reports, run, 'report.json'), 'utf8')) as {
        final: { esDocs: number; pgRows?: number };
      };
      console.log(`${label}: ${run}: ${r.final.esDocs} documents in Elasticsearch`);
      expect(r.final.esDocs, `${run}: the pipeline delivered`).toBeGreaterThan(0);
    }
    const scanned = scan(label, reports, output);
    // Every run directory holds a dozen files (reports, timeline, samples, snapshot; locally service logs), the
    // service logs alone tens of kilobytes.
    expect(scanned.files).toBeGreaterThanOrEqual(8 * runs.length);
    expect(scanned.bytes).toBeGreaterThan(50_000 * runs.length);
    return reports;
  }

  function connectorsArg(flag: string): string {
    return flag === '--pipelines' ? `${connectors},${connectors2}` : connectors;
  }

  it('on the local stack: a comparison of two runs, its suite, owner-only', async () => {
    const reports = await runAndScan(
      'local',
      ['compare', 'baseline', '--duration', '10', '--name', stackName],
      '--pipelines',
    );
    const runs = readdirSync(reports).filter((d) => /-s\d+$/.test(d));
    expect(runs).toHaveLength(2);
    expect(readdirSync(reports).some((d) => d.startsWith('suite-'))).toBe(true);
    expect(readdirSync(reports).some((d) => d.startsWith('compare-'))).toBe(true);
    const run = join(reports, runs[0]!);
    const report = JSON.parse(readFileSync(join(run, 'report.json'), 'utf8')) as {
      sink: { effective: Record<string, string> };
    };
    // The password is there, masked, and compares across runs by its hash.
    expect(report.sink.effective['connection.password']).toMatch(/^\*\*\*\(len \d+, sha256:[0-9a-f]{6}\)$/);
    expect(statSync(run).mode & 0o777).toBe(0o700);
    expect(statSync(join(run, 'report.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(stackDir, 'state.json')).mode & 0o777).toBe(0o600);
  }, 600_000);

  it("a connector Connect refuses, its error quoting the URLs' userinfo; then doctor", async () => {
    const reports = join(work, 'reports-refused');
    const env = { OUTBOX_CHAOS_REPORTS: reports };
    const run = await cli(['run', 'baseline', '--duration', '10', '--name', stackName, '--connectors', refused], env);
    // Refused by Connect's validation of the user's definition: bad configuration, and the error says why.
    expect(run.code, run.output).toBe(2);
    const doctor = await cli(['doctor', '--name', stackName], env);
    expect(doctor.output).toMatch(/connectors/);
    scan('refused', reports, `${run.output}\n${doctor.output}`);
    expect(run.output).toMatch(/connection\.url/);
    expect(run.output).toMatch(/\*\*\*\(len \d+, sha256:[0-9a-f]{6}\)@127\.0\.0\.1:1/);
  }, 600_000);

  it('through the external provider pointed at the stack, with the env file password', async () => {
    await runAndScan('external', ['run', 'baseline', '--duration', '10', '--provider', 'external', '--env', envFile]);
  }, 600_000);
});
