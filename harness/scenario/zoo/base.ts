import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONNECTORS_DIR } from '../../pipeline/definition.ts';
import { kindHome, readPipelineSpec, specSettings } from '../../pipeline/kind.ts';

/**
 * The healthy definition a zoo entry departs from, and against which its one deliberate change is counted:
 * the healthy definition of its kind — connectors/ for cdc, connectors/outbox/ for outbox. dual-write has no
 * healthy definition (it is the seed's anti-pattern, the thing the outbox replaces), so a dual-write entry
 * departs from connectors/, and its kind is the change. An entry naming a base departs from that.
 */
export function diffBase(dir: string): string {
  const spec = readPipelineSpec(dir);
  // An entry that departs from another definition (pipeline.yaml `base:`, e.g. examples/orders) is counted so.
  if (spec.base) return spec.base;
  return spec.kind === 'outbox' ? kindHome('outbox') : DEFAULT_CONNECTORS_DIR;
}

/** The base's version of a definition file: its own, else connectors/'s (the files a kind's home lacks). */
export function baseFile(base: string, file: string): string {
  const own = join(base, file);
  return existsSync(own) ? own : join(DEFAULT_CONNECTORS_DIR, file);
}

/**
 * How pipeline.yaml differs from the base's: the kind when it changed (its own settings come with it),
 * else each setting of the kind that differs, as "pipeline outbox.write=separate-transaction".
 */
export function pipelineDiff(dir: string, base: string): string[] {
  const own = readPipelineSpec(dir);
  const healthy = readPipelineSpec(base);
  if (own.kind !== healthy.kind) return [`pipeline kind=${own.kind}`];
  const a = specSettings(healthy);
  const b = specSettings(own);
  return Object.keys(b)
    .filter((k) => a[k] !== b[k])
    .map((k) => `pipeline ${k}=${b[k]}`);
}
