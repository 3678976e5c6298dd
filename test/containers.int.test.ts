import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../harness/provider/containers/docker.ts';
import { listStackContainers, startContainersProvider } from '../harness/provider/containers/start.ts';
import type { Provider } from '../harness/provider/interface.ts';
import { ensureEsSink } from '../harness/provision/es-sink.ts';
import { cacheDir } from '../harness/provision/paths.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { portFree } from '../harness/stack/ports.ts';

// The containers provider end to end, on hosts with a Docker engine. Elsewhere the suite is reported as
// skipped, with the reason in its title.
const docker = await dockerAvailable();

const PORT_BASE = 18200;

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

  // One healthy run, one process fault (docker kill / start), one network fault (Toxiproxy).
  for (const name of ['baseline', 'connect-crash', 'es-outage']) {
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

  it('stop() leaves no container and no bound port behind', async () => {
    await (provider as Provider).stop();
    expect(await listStackContainers()).toEqual([]);
    for (const p of [0, 1, 4, 5, 7]) expect(await portFree(PORT_BASE + p), `port ${PORT_BASE + p}`).toBe(true);
  });
});
