/** The worker's view of table ops (../step-codec.ts): their statements, effects and recorded request. */
import { createHash } from 'node:crypto';
import type { TableModel } from '../../model/table.ts';
import type { Effect } from '../../record/history.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { StepResult } from '../effects.ts';
import type { StatementConfig } from '../sql.ts';
import type { WorkloadProfile } from '../profile.ts';
import type { StepCodec } from '../step-codec.ts';
import { committedTableEffects, intendedTableEffects, type TableBeliefs } from './effects.ts';
import { tableStepsOf, type TableOp } from './ops.ts';
import { TableOpGenerator } from './generate.ts';
import type { TableStatements } from './statements.ts';

export class TableCodec implements StepCodec<TableOp> {
  readonly alwaysWrapped = false;
  private readonly beliefs: TableBeliefs = new Map();

  constructor(private readonly sql: TableStatements) {}

  statements(group: readonly TableOp[]): StatementConfig[] {
    return group.flatMap((op) => tableStepsOf(op).map((s) => this.sql.forStep(s)));
  }

  stepCount(op: TableOp): number {
    return tableStepsOf(op).length;
  }

  // The history's Effect names products' row type by default; a table's effects carry `table` and `key`.
  committed(op: TableOp, results: StepResult[]): Effect[] {
    return committedTableEffects(tableStepsOf(op), results, this.beliefs, this.sql) as Effect[];
  }

  intended(op: TableOp): Effect[] {
    return intendedTableEffects(tableStepsOf(op), this.beliefs, this.sql) as Effect[];
  }

  /** The op as generated: its values are short (text up to 200 code points), so nothing is abbreviated. */
  request(op: TableOp): Record<string, unknown> {
    return { ...op };
  }
}

/** The identity of a table workload: sha256 (first 16 hex digits) of the canonical JSON of its ops, in order. */
export class TableOpHasher {
  private readonly hash = createHash('sha256');
  count = 0;
  update(op: TableOp): void {
    this.hash.update(canonicalJson(op));
    this.hash.update('\n');
    this.count++;
  }
  digest(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }
}

/** The hash of the first n ops of (seed, profile, tables), as the driver's summary gives it. */
export function tableWorkloadHash(
  seed: number,
  profile: WorkloadProfile,
  tables: readonly TableModel[],
  n: number,
): string {
  const h = new TableOpHasher();
  const gen = new TableOpGenerator(seed, profile, tables);
  for (let i = 0; i < n; i++) {
    const r = gen.next();
    if (r.done) break;
    h.update(r.value);
  }
  return h.digest();
}
