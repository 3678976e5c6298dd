import { relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { PROJECT_ROOT } from '../../harness/record/paths.ts';
import { skipBlock, type Skipped } from './skip-block.ts';

/** Prints the skipped tests, each with its reason and fix, after vitest's own summary (see skip-block.ts). */
export default class SkipReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skips: Skipped[] = [];
    for (const m of modules) {
      const file = relative(PROJECT_ROOT, m.moduleId);
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state !== 'skipped') continue;
        skips.push({ file, fullName: t.fullName, note: r.note, todo: t.options.mode === 'todo' });
      }
    }
    const text = `\n${skipBlock(skips)}\n`;
    if (this.vitest) this.vitest.logger.log(text);
    else process.stdout.write(`${text}\n`);
  }
}
