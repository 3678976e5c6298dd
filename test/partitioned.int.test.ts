import { describe, expect, it } from 'vitest';
import { runOnDefinition } from './stack.ts';

// A partition attached during the run (examples/partitioned, four hash partitions): a migration swaps partition
// p3 for a copy while price-only updates hit TOASTed descriptions. With REPLICA IDENTITY FULL on the new
// partition the pipeline converges; without it, the swapped partition's documents are corrupted and the report
// names the partition.
const DIR = 'examples/partitioned';

describe('a partition swapped mid-run (examples/partitioned)', () => {
  for (const name of ['partition-swapped', 'partition-swapped-default-identity']) {
    it(`${name} has the outcome its file expects`, async () => {
      const { report, md } = await runOnDefinition(`${DIR}/scenarios/${name}.yaml`, DIR);
      expect(report.passed, md).toBe(true);
      // The whole migration committed: its command tags are the fault's evidence (rows copied, detach, attach).
      expect(md).toMatch(/✔ statement-committed: command tags LOCK, CREATE, (ALTER, )?INSERT \d+, ALTER, ALTER, DROP/);
      if (name === 'partition-swapped-default-identity')
        expect(report.diagnoses?.map((d) => d.cause).join(' ')).toMatch(/partitions \S*_p3_next log by their own/);
    });
  }
});
