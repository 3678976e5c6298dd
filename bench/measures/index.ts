/** Every measure of `npm run bench`, in the order it runs them (cold starts last, with nothing else of ours up). */
import type { Measure } from '../lib/measure.ts';
import type { MeasureName } from '../lib/record-doc.ts';
import { checkerMeasure } from './checker.ts';
import { cliStartMeasure } from './cli-start.ts';
import { coldStartMeasure } from './cold-start.ts';
import { coldStartClusterMeasure } from './cold-start-cluster.ts';
import { containersMeasure } from './containers.ts';
import { driverMeasure } from './driver.ts';
import { leversMeasure } from './levers.ts';
import { npmTestMeasure } from './npm-test.ts';
import { probeMeasure } from './probe.ts';
import { resetMeasure } from './reset.ts';
import { resetClusterMeasure } from './reset-cluster.ts';
import { throughputMeasure } from './throughput.ts';

export interface MeasureOptions {
  keep: boolean;
  warmup: boolean;
  peer: boolean;
}

export function allMeasures(opts: MeasureOptions): Measure[] {
  return [
    npmTestMeasure,
    cliStartMeasure,
    checkerMeasure,
    driverMeasure,
    resetMeasure,
    probeMeasure,
    throughputMeasure,
    coldStartMeasure(opts),
    leversMeasure,
    coldStartClusterMeasure,
    resetClusterMeasure,
    containersMeasure,
  ];
}

/** The measures' names and titles, in order (for the record's table, which lists the unmeasured too). */
export const MEASURE_NAMES: MeasureName[] = allMeasures({ keep: false, warmup: true, peer: true }).map((m) => ({
  name: m.name,
  title: m.title,
}));
