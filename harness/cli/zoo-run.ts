import { writeFileSync } from 'node:fs';
import type { LocalOptions, ProviderChoice } from '../provider/open.ts';
import { writeSuite } from '../report/suite/write.ts';
import type { ZooEntry } from '../scenario/zoo/entries.ts';
import { runZoo } from '../scenario/zoo/run.ts';
import { missedEntries, outcomesJson, summaryTable, zooLine, zooSuiteRuns } from '../scenario/zoo/summary.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { openForCommand, runnableOn } from './on-provider.ts';

/** What `zoo` was asked, every input already checked (zoo.ts). */
export interface ZooInputs {
  chosen: ZooEntry[];
  choice: ProviderChoice;
  /** Each entry's scenario on the healthy pipeline instead. */
  control: boolean;
  keep: boolean;
  /** Where to write the outcomes as JSON too. */
  json?: string;
  local: LocalOptions;
}

/** Opens the provider, runs the entries it can, prints and writes their outcomes; the exit code of `zoo`. */
export async function runZooEntries(o: ZooInputs): Promise<number> {
  const { chosen, control } = o;
  const { provider, owned, release } = await openForCommand(o.choice, o.local, o.keep);
  const entries = runnableOn(chosen, provider, {
    isCluster: (e) => e.scenario.topology === 'cluster',
    name: (e) => e.name,
    note: (n, list) =>
      `  a single stack: ${n} cluster entr${n === 1 ? 'y' : 'ies'} left out (${list}); ` +
      '`zoo --topology cluster` runs them',
  });
  // Ctrl-C / SIGTERM: the entry in progress heals its faults and writes its partial report; the process
  // exits once that and the stop below are done.
  const abort = interruptGuard();
  let outcomes;
  try {
    outcomes = await runZoo(entries, provider, { control, borrowed: !owned, signal: abort.signal });
  } finally {
    await release();
    abort.release();
  }
  console.log(`\n${summaryTable(outcomes)}\n`);
  if (outcomes.length) {
    const suite = writeSuite(zooSuiteRuns(outcomes), {
      title: control ? 'bug zoo (control runs on the healthy pipeline)' : 'bug zoo',
      kind: 'zoo',
    });
    info(`suite report: ${suite}/index.html (and summary.md, junit.xml)`);
  }
  if (o.json !== undefined) {
    writeFileSync(o.json, `${JSON.stringify(outcomesJson(outcomes), null, 2)}\n`);
    info(`wrote ${o.json}`);
  }
  console.log(zooLine(outcomes, control));
  if (abort.signal.aborted) return 130;
  return missedEntries(outcomes).length === 0 && outcomes.length === entries.length ? 0 : 1;
}
