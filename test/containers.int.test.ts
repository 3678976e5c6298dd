import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../harness/provider/containers/plan.ts';
import { dockerAvailable, runtimeClient } from '../harness/provider/containers/docker.ts';
import { startContainersCluster } from '../harness/provider/containers/start-cluster.ts';
import { listStackContainers, startContainersProvider } from '../harness/provider/containers/start.ts';
import type { Provider } from '../harness/provider/interface.ts';
import { ensureEsSink } from '../harness/provision/es-sink.ts';
import { cacheDir } from '../harness/provision/paths.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { loadZooEntries } from '../harness/scenario/zoo/entries.ts';
import { runZooEntry } from '../harness/scenario/zoo/run.ts';
import { describeOutcome } from '../harness/scenario/zoo/summary.ts';
import { portFree, portPlan, waitPortsFree } from '../harness/stack/ports.ts';
import { cli } from './fixtures/cli.ts';

// The containers provider end to end, on hosts with a Docker engine. Elsewhere the suite is reported as
// skipped, with the reason in its title.
const docker = await dockerAvailable();

// Its own block and stack names (OUTBOX_CHAOS_TEST_CONTAINERS_PORT_BASE moves both stacks' ports).
const PORT_BASE = Number(process.env.OUTBOX_CHAOS_TEST_CONTAINERS_PORT_BASE ?? 18200);
const KILLED = { name: 'containers-killed', portBase: PORT_BASE + 20 };
const CLUSTER = { name: 'containers-cluster', portBase: PORT_BASE + 100 };

/** What the engine holds with a stack's label: containers, networks, volumes. */
async function labelled(stack: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const docker = (await runtimeClient()).container.dockerode;
  const filters = { label: [`${LABEL.stack}=${stack}`] };
  return {
    containers: (await docker.listContainers({ all: true, filters })).length,
    networks: (await docker.listNetworks({ filters })).length,
    volumes: ((await docker.listVolumes({ filters })).Volumes ?? []).length,
  };
}

/** `run baseline` on the containers stack the cleanup tests interrupt. */
const startKilledStack = () =>
  cli(['run', 'baseline', '--provider', 'containers', '--name', KILLED.name, '--port-base', String(KILLED.portBase)]);

describe.skipIf(!docker.ok)('containers provider without Ryuk', () => {
  it('a harness killed with SIGKILL mid-start leaves its containers; the next command removes them all', async () => {
    const run = startKilledStack();
    try {
      // The network and the first containers exist: kill it with no chance to clean up.
      await run.waitFor(/(toxiproxy|postgres|kafka): up in/, 20 * 60_000);
    } finally {
      run.child.kill('SIGKILL');
    }
    await run.exited;
    const left = await labelled(KILLED.name);
    // Without this the test below would prove nothing.
    expect(left.containers).toBeGreaterThan(0);
    expect(left.networks).toBe(1);
    const down = cli(['down', '--name', KILLED.name]);
    expect((await down.exited).code, down.output()).toBe(0);
    expect(await labelled(KILLED.name)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    // Docker's port proxies can outlive their container by a moment.
    expect(await waitPortsFree(portPlan(KILLED.portBase), 10_000)).toEqual([]);
  });

  it('Ctrl-C while the containers start removes them all, those still being created too, and exits 130', async () => {
    const run = startKilledStack();
    // Containers being created, none up yet: the moment a stop used to miss some.
    await run.waitFor(/elasticsearch: starting/, 20 * 60_000);
    run.child.kill('SIGINT');
    expect((await run.exited).code, run.output()).toBe(130);
    expect(await labelled(KILLED.name)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});

describe.skipIf(!docker.ok)(`containers provider${docker.ok ? '' : ` (skipped: ${docker.reason})`}`, () => {
  let provider: Provider | undefined;

  beforeAll(async () => {
    const pluginDir = await ensureEsSink(cacheDir());
    provider = await startContainersProvider({ portBase: PORT_BASE, pluginDir });
  });

  // Also when a test (or the start) failed: a failed start has removed its containers itself.
  afterAll(async () => {
    await provider?.stop();
  });

  // One healthy run, one process fault (docker kill / start), two network faults (Toxiproxy), and a partition
  // only containers have (docker network disconnect).
  for (const name of ['baseline', 'connect-crash', 'es-outage', 'kafka-partition', 'connect-partitioned']) {
    it(name, async () => {
      const scenario = loadScenario(name);
      const { report } = await runScenario({
        scenario,
        provider: provider as Provider,
        replay: `npx outbox-chaos run ${name} --provider containers`,
      });
      expect(report.passed, renderMarkdown(report)).toBe(true);
    });
  }

  // The zoo's method on containers: a sink without retries loses documents in an Elasticsearch outage (caught),
  // and the control run, the healthy pipeline under the same scenario, converges.
  for (const control of [false, true])
    it(`zoo: sink-no-retries${control ? ' (control: the healthy pipeline)' : ''}`, async () => {
      const [entry] = loadZooEntries(['sink-no-retries']);
      const outcome = await runZooEntry(entry!, provider as Provider, { control });
      const message = `${describeOutcome(outcome)}\n\n${renderMarkdown(outcome.report)}`;
      expect(outcome.caught, message).toBe(true);
      expect(outcome.reasons, message).toEqual([]);
    });

  it('stop() leaves no container and no bound port behind', async () => {
    await (provider as Provider).stop();
    expect(await listStackContainers()).toEqual([]);
    for (const p of [0, 1, 4, 5, 7]) expect(await portFree(PORT_BASE + p), `port ${PORT_BASE + p}`).toBe(true);
  });
});

// The cluster topology (3 brokers, 2 workers, a Postgres primary and its hot standby) on the same engine.
describe.skipIf(!docker.ok)('containers cluster', () => {
  let provider: Provider | undefined;

  beforeAll(async () => {
    const pluginDir = await ensureEsSink(cacheDir());
    provider = await startContainersCluster({ portBase: CLUSTER.portBase, pluginDir, stack: CLUSTER.name });
  });

  afterAll(async () => {
    await provider?.stop();
  });

  // The standby promoted, the old primary rebuilt as its standby: Postgres 15 loses the slot (expected diverged).
  // The leading broker partitioned at the IP level: the controllers fence it and leadership moves (converged).
  for (const name of ['postgres-failover', 'broker-partitioned'])
    it(name, async () => {
      const { report } = await runScenario({
        scenario: loadScenario(name),
        provider: provider as Provider,
        replay: `npx outbox-chaos run ${name} --provider containers`,
      });
      expect(report.passed, renderMarkdown(report)).toBe(true);
    });

  it('stop() leaves nothing of the stack behind', async () => {
    await (provider as Provider).stop();
    expect(await labelled(CLUSTER.name)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
