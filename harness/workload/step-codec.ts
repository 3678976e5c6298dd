/**
 * What a worker needs to know of the ops it runs, so one worker serves products' ops and any table's: the
 * statements of a group of ops, the effects of their steps (committed or intended, from the worker's own
 * beliefs), and the request recorded with each. One codec per worker: it holds that worker's beliefs.
 */
import { randomUUID } from 'node:crypto';
import type { Effect, OpKind } from '../record/history.ts';
import { committedEffects, intendedEffects, type Belief, type StepResult } from './effects.ts';
import { stepsOf, type Op, type OpMeta } from './ops.ts';
import { requestOf } from './request.ts';
import type { StatementConfig, Statements } from './sql.ts';

export type AnyOp = OpMeta & { kind: OpKind };

export interface StepCodec<O extends AnyOp> {
  /** Even a lone op runs inside BEGIN … COMMIT (an outbox application cleans its rows up before the commit). */
  readonly alwaysWrapped: boolean;
  /** Statements of the ops of one transaction, in order: one per step of each op, then any closing ones. */
  statements(group: readonly O[]): StatementConfig[];
  /** Statements (results) of one op. */
  stepCount(op: O): number;
  /** Effects of an op whose commit was acknowledged, from its statements' results. */
  committed(op: O, results: StepResult[]): Effect[];
  /** Effects of an op whose commit was not acknowledged: what it intended. */
  intended(op: O): Effect[];
  /** The request recorded with the op's history entry. */
  request(op: O): Record<string, unknown>;
}

/** Products' ops, as the workload has always run them. */
export class ProductCodec implements StepCodec<Op> {
  private readonly beliefs = new Map<number, Belief>();
  readonly alwaysWrapped: boolean;

  constructor(private readonly sql: Statements) {
    this.alwaysWrapped = sql.outbox !== undefined;
  }

  statements(group: readonly Op[]): StatementConfig[] {
    const ids: string[] = [];
    const outboxId = (): string | undefined => (this.sql.outbox ? ids[ids.push(randomUUID()) - 1] : undefined);
    const configs = group.flatMap((op) => stepsOf(op).map((s) => this.sql.forStep(s, outboxId())));
    if (this.sql.outbox) configs.push(this.sql.outboxCleanup(ids));
    return configs;
  }

  stepCount(op: Op): number {
    return stepsOf(op).length;
  }

  committed(op: Op, results: StepResult[]): Effect[] {
    return committedEffects(stepsOf(op), results, this.beliefs);
  }

  intended(op: Op): Effect[] {
    return intendedEffects(stepsOf(op), this.beliefs);
  }

  request(op: Op): Record<string, unknown> {
    return requestOf(op);
  }
}
