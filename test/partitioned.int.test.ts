import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { sharedProvider } from './stack.ts';

// A partition attached during the run (examples/partitioned, four hash partitions): a migration swaps partition
// p3 for a copy while price-only updates hit TOASTed descriptions. With REPLICA IDENTITY FULL on the new
// partition the pipeline converges; without it, the swapped partition's documents are corrupted and the report
// names the partition.
const DIR = 'examples/partitioned';

describe('a partition swapped mid-run (examples/partitioned)', () => {
  for (const name of ['partition-swapped', 'partition-swapped-default-identity']) {
    it(`${name} has the outcome its file expects`, async () => {
      const file = `${DIR}/scenarios/${name}.yaml`;
      const scenario = loadScenario(file);
      const { report } = await runScenario({
        scenario,
        provider: await sharedProvider(),
        connectorsDir: DIR,
        replay: `npx outbox-chaos run ${file} --seed ${scenario.seed} --connectors ${DIR}`,
      });
      const md = renderMarkdown(report);
      expect(report.passed, md).toBe(true);
      // The whole migration committed: its command tags are the fault's evidence (rows copied, detach, attach).
      expect(md).toMatch(/✔ statement-committed: command tags LOCK, CREATE, (ALTER, )?INSERT \d+, ALTER, ALTER, DROP/);
      if (name === 'partition-swapped-default-identity')
        expect(report.diagnoses?.map((d) => d.cause).join(' ')).toMatch(/partitions \S*_p3_next log by their own/);
    });
  }
});
