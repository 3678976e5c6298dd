import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { laneOrder } from './lanes.ts';

/**
 * The order of every project's files (Vitest takes one sequencer for the whole run): within each project, the
 * two lanes of test/tools/lanes.ts alternately. The pool hands the next file to whichever worker is free, so
 * the order only makes overlap likely; the shared stack's lock makes it safe.
 */
export default class Lanes extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const projects = [...new Set(sorted.map((f) => f.project.name))];
    return projects.flatMap((p) =>
      laneOrder(
        sorted.filter((f) => f.project.name === p),
        (f) => f.moduleId,
      ),
    );
  }
}
