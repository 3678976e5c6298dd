import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The integration project's order: the single stack's files as Vitest would run them, then the cluster's
 * (test/cluster.int.test.ts), so that the cluster starts only once the single stack's suite is done.
 */
export default class ClusterLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (f: TestSpecification): boolean => /[\\/]cluster\.int\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter((f) => !last(f)), ...sorted.filter(last)];
  }
}
