import { detectSearchApi } from '../check/read-es.ts';
import { ConnectClient } from '../connect/client.ts';
import { isSecretKey, registerConfigSecrets } from '../util/redact.ts';
import { consumerLagTotals } from '../observe/consumer-lag.ts';
import { checkExternal, externalEndpoints, readExternalEnv } from '../provider/external.ts';
import { type ProviderChoice } from '../provider/open.ts';
import { traitsOf } from '../provider/traits.ts';
import { effectiveSinkConfig } from '../pipeline/sink-compat.ts';
import { verifyCache } from '../provision/verify.ts';
import { findRunningStack, requireRunningStack } from '../stack/attach.ts';
import { connectUrls, type Endpoints } from '../stack/endpoints.ts';
import { topicEndOffsets, withKafkaAdmin } from '../stack/kafka-admin.ts';
import { withPg } from '../stack/pg.ts';
import { serviceConditions } from '../stack/liveness.ts';
import { stackOwner } from '../stack/owner.ts';
import { logTail } from '../stack/processes.ts';
import { stackDir } from '../stack/stack.ts';
import { readState, type StackState } from '../stack/state.ts';
import type { Topology } from '../stack/targets.ts';
import { parse } from './args.ts';
import { InputCheck } from './inputs.ts';
import { clusterSections, section, type Section } from './doctor-cluster.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';

export const DOCTOR_HELP =
  `outbox-chaos doctor [--name NAME] [--topology single|cluster] ` +
  `[--provider local|containers|external] [--env FILE]

The usual troubleshooting of this pipeline on one screen: service processes, connectors and their tasks
(with the trace of a failed one), Kafka topics with end offsets and the sink's consumer lag, Elasticsearch
indices with document counts, replication slots with lag in bytes, Toxiproxy proxies and active toxics.
With --provider external it first probes every service of the env file (read-only) and says which fault
kinds the environment allows; with --provider containers it checks that a Docker engine is reachable.
On a cluster (or with --topology cluster, which also checks that the stack is one): every partition's
leader, replicas and in-sync replicas, the Connect group's members and each worker's tasks, and which
Postgres is the primary with its standby's replay lag.
Exits 0 when everything is healthy, 3 otherwise.

${TOPOLOGY_HELP}
${PROVIDER_HELP}`;

/** Every service, named when dead (how it ended, its last log lines) or frozen; and who uses the stack now. */
function processes(state: StackState): Promise<Section> {
  return section('services', async (s) => {
    const owner = stackOwner(state.name);
    s.lines.push(
      owner
        ? `  in use by pid ${owner.pid} (${owner.command}) since ${owner.since}`
        : '  in use by no command (detached)',
    );
    for (const c of serviceConditions(state)) {
      const ok = c.state === 'running';
      s.lines.push(`${ok ? '✓' : '✗'} ${c.service.padEnd(14)} ${c.detail}`);
      if (ok) continue;
      s.problems.push(`${c.service} is ${c.state}: ${c.detail} (log: ${c.logFile})`);
      if (c.state === 'dead')
        s.lines.push(
          ...logTail(c.logFile, 6)
            .split('\n')
            .map((l) => `      | ${l}`),
        );
    }
  });
}

/** `own`: the stack is the harness's (no connector or slot at all is then a problem, not someone's choice). */
async function inspect(e: Endpoints, own: boolean): Promise<Section[]> {
  const connect = new ConnectClient(connectUrls(e));
  const sinkGroups: { group: string; topics: string[] }[] = [];
  return [
    await section('connectors', async (s) => {
      for (const name of await connect.list()) {
        const st = await connect.status(name);
        const cfg = await connect.config(name);
        if (cfg) registerConfigSecrets(cfg); // a registered connector's secrets never reach doctor's output
        if (!st) continue;
        const ok =
          st.connector.state === 'RUNNING' && st.tasks.length > 0 && st.tasks.every((t) => t.state === 'RUNNING');
        s.lines.push(
          `${ok ? '✓' : '✗'} ${name.padEnd(30)} ${st.type.padEnd(7)} connector ${st.connector.state}  ` +
            `tasks ${st.tasks.map((t) => `${t.id}:${t.state}`).join(' ') || '(none)'}`,
        );
        if (!ok) s.problems.push(`connector ${name} is not fully RUNNING`);
        for (const t of st.tasks.filter((x) => x.trace))
          s.lines.push(
            ...(t.trace ?? '')
              .split('\n')
              .slice(0, 8)
              .map((l) => `      | ${l}`),
          );
        if (st.type === 'sink' && cfg?.topics)
          sinkGroups.push({ group: `connect-${name}`, topics: cfg.topics.split(',') });
        // What the sink runs with, defaults filled in: a key left out runs with Confluent's default, not ours.
        if (st.type === 'sink' && cfg) {
          const effective = effectiveSinkConfig(cfg);
          const keys = Object.keys(effective)
            .filter((k) => !(k in cfg) && !isSecretKey(k))
            .sort();
          if (keys.length)
            s.lines.push(`    defaults it runs with: ${keys.map((k) => `${k}=${effective[k]}`).join(', ')}`);
        }
      }
      if (s.lines.length === 0 && own) s.problems.push('no connectors registered');
    }),
    await section('kafka topics', async (s) => {
      await withKafkaAdmin(e.kafkaBootstrap, async (admin) => {
        for (const t of await topicEndOffsets(admin))
          s.lines.push(`  ${t.topic.padEnd(40)} partitions ${t.partitions}  end offset ${t.endOffset}`);
        for (const g of sinkGroups) {
          for (const topic of g.topics) {
            const [offsets] = await admin.fetchOffsets({ groupId: g.group, topics: [topic] });
            const l = consumerLagTotals(await admin.fetchTopicOffsets(topic), offsets?.partitions ?? []);
            s.lines.push(
              `  consumer group ${g.group} on ${topic}: committed ${l.committed} / ${l.endOffset}, lag ${l.lag}`,
            );
          }
        }
      });
    }),
    await section('search engine and indices', async (s) => {
      s.lines.push(`  ${await engineLine(e.esUrl)}`);
      const r = await fetch(`${e.esUrl}/_cat/indices?format=json&h=index,health,status,docs.count`);
      const rows = (await r.json()) as { index: string; health: string; status: string; 'docs.count': string }[];
      for (const i of rows.filter((x) => !x.index.startsWith('.'))) {
        s.lines.push(
          `${i.health === 'red' ? '✗' : '✓'} ${i.index.padEnd(20)} ${i.health.padEnd(7)} ${i.status.padEnd(6)} ` +
            `docs ${i['docs.count']}`,
        );
        if (i.health === 'red') s.problems.push(`index ${i.index} is red`);
      }
      const blocks = (await (
        await fetch(`${e.esUrl}/_all/_settings/index.blocks.*?flat_settings=true`)
      ).json()) as Record<string, { settings: Record<string, string> }>;
      for (const [idx, v] of Object.entries(blocks)) {
        if (v.settings['index.blocks.write'] === 'true') s.problems.push(`index ${idx} is write-blocked`);
      }
    }),
    await section('replication slots', async (s) => {
      await withPg(e, e.pg.database, async (c) => {
        const r = await c.query<{ slot_name: string; active: boolean; lag: string | null }>(
          'SELECT slot_name, active, pg_wal_lsn_diff(pg_current_wal_lsn(), ' +
            'confirmed_flush_lsn)::bigint AS lag FROM pg_replication_slots',
        );
        for (const row of r.rows) {
          s.lines.push(
            `${row.active ? '✓' : '✗'} ${row.slot_name.padEnd(30)} ${row.active ? 'active' : 'INACTIVE'}  ` +
              `lag ${row.lag ?? '?'} bytes`,
          );
          if (!row.active) s.problems.push(`slot ${row.slot_name} has no consumer`);
        }
        if (r.rowCount === 0 && own) s.problems.push('no replication slot: is the source connector registered?');
      });
    }),
    await section('toxiproxy', async (s) => {
      if (!e.toxiproxyUrl) return void s.lines.push('none: network faults unavailable');
      const proxies = (await (await fetch(`${e.toxiproxyUrl}/proxies`)).json()) as Record<
        string,
        { listen: string; upstream: string; enabled: boolean; toxics: { name: string; type: string; stream: string }[] }
      >;
      for (const [name, p] of Object.entries(proxies)) {
        const toxics = p.toxics.map((t) => `${t.type}/${t.stream}`).join(', ');
        s.lines.push(
          `${p.enabled && !toxics ? '✓' : '✗'} ${name.padEnd(20)} ${p.listen} ` +
            `→ ${p.upstream}  ${p.enabled ? 'enabled' : 'DISABLED'}${toxics ? `  toxics: ${toxics}` : ''}`,
        );
        if (!p.enabled) s.problems.push(`proxy ${p.listen} is disabled`);
        if (toxics) s.problems.push(`proxy ${p.listen} has toxics: ${toxics}`);
      }
    }),
  ];
}

/** Which engine answers (its point-in-time API and modules differ), with its node's version. */
async function engineLine(esUrl: string): Promise<string> {
  const api = await detectSearchApi(esUrl, { timeoutMs: 5000 });
  const nodes = (await (await fetch(`${esUrl}/_nodes/_local?filter_path=nodes.*.version`)).json()) as {
    nodes?: Record<string, { version?: string }>;
  };
  const version = Object.values(nodes.nodes ?? {})[0]?.version ?? '?';
  return `engine: ${api === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version} at ${esUrl}`;
}

/** The provisioning cache, checked without fetching anything: a damaged artifact is named with its reason. */
function cacheSection(): Promise<Section> {
  return section('cache', async (s) => {
    const report = await verifyCache();
    for (const a of report.artifacts) {
      s.lines.push(
        `${a.state === 'ok' ? '✓' : '✗'} ${a.name.padEnd(14)} ${a.state}${a.reason ? ` (${a.reason})` : ''}`,
      );
      if (a.state !== 'ok')
        s.problems.push(
          `cached ${a.name} is ${a.state}: \`outbox-chaos provision\` fetches it again (--force: everything)`,
        );
    }
  });
}

async function providerSections(
  choice: ProviderChoice,
  name: string | undefined,
  topology: Topology | undefined,
): Promise<Section[]> {
  if (traitsOf(choice).usesDocker) {
    const { dockerAvailable } = await import('../provider/containers/docker.ts');
    const docker = await dockerAvailable();
    return [
      await section('docker', async (s) => {
        if (docker.ok)
          s.lines.push(`✓ ${docker.runtime}; containers live for one \`run --provider containers\` and go with it`);
        else s.problems.push(docker.reason);
      }),
      ...(docker.ok
        ? [
            await section('images', async (s) => {
              const { imageSetLines } = await import('../provider/containers/doctor-images.ts');
              const r = await imageSetLines(choice.images);
              s.lines.push(...r.lines);
              s.problems.push(...r.problems);
            }),
          ]
        : []),
    ];
  }
  if (traitsOf(choice).needsEnvFile) {
    const env = readExternalEnv(choice.env as string);
    const reach = await section(`environment ${choice.env}`, async (s) => {
      for (const r of await checkExternal(env)) {
        s.lines.push(`${r.ok ? '✓' : '✗'} ${r.service.padEnd(14)} ${r.detail}`);
        if (!r.ok) s.problems.push(`${r.service} unreachable or unfit: ${r.detail}`);
      }
      const hops = Object.keys(env.toxiproxy?.proxies ?? {});
      s.lines.push(
        `  faults available: connector.*, postgres.walsender-kill, ` +
          `es.read-only${hops.length ? `, network.* on ${hops.join(', ')}` : ''}; ` +
          `process.* need --provider local or containers`,
      );
    });
    const ep = externalEndpoints(env);
    return reach.problems.length ? [reach] : [reach, ...(await inspect(ep, false)), ...(await clusterSections(ep))];
  }
  if (!findRunningStack(name)) {
    // Every process of it gone: say how each ended, rather than only that nothing runs.
    const last = readState(stackDir(name ?? 'default'));
    if (last && Object.keys(last.pids).length) return [await cacheSection(), await processes(last)];
  }
  const state = requireRunningStack(name);
  const shape: Section = {
    title: 'topology',
    lines: [`  ${state.topology ?? 'single'}, search engine ${state.search ?? 'elasticsearch'}`],
    problems: [],
  };
  if (topology && topology !== (state.topology ?? 'single'))
    shape.problems.push(`stack "${state.name}" is a ${state.topology ?? 'single'} stack, not a ${topology} one`);
  return [
    await cacheSection(),
    shape,
    await processes(state),
    ...(await inspect(state.endpoints, true)),
    ...(await clusterSections(state.endpoints)),
  ];
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parse('doctor', argv, { name: { type: 'string' }, ...TOPOLOGY_OPTIONS, ...PROVIDER_OPTIONS });
  if (values.help) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  // Every input is checked, and every problem reported, before anything is probed.
  const check = new InputCheck();
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  const topology = check.take(() => topologyOpt(values));
  check.envFile(choice);
  check.done();
  const sections = await providerSections(choice, values.name as string | undefined, topology);
  for (const s of sections) {
    console.log(`\n${s.title}`);
    for (const l of s.lines) console.log(`  ${l}`);
    for (const p of s.problems) console.log(`  ! ${p}`);
  }
  const problems = sections.flatMap((s) => s.problems);
  console.log(problems.length ? `\n✗ ${problems.length} problem(s)` : '\n✓ healthy');
  return problems.length ? 3 : 0;
}
