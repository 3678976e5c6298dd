import { bringUp } from '../../harness/provider/open.ts';
import {
  holdRunningStack,
  killStackSurvivors,
  stackSurvivors,
  type Stack,
} from '../../harness/provider/local-stack.ts';

export const DEFAULT_BENCH_STACK = 'bench';
/** The benchmark's own port block; other engineers' stacks use 17400–17999. */
export const DEFAULT_BENCH_PORT_BASE = 18_000;
/** Stacks the benchmark never starts, attaches to or stops. */
const FOREIGN = new Set(['default', 'test', 'test-2', 'cat', 'zoo']);

export interface StackPlan {
  name: string;
  portBase: number;
  /** Attach to this running stack instead of starting one (never stopped by the benchmark). */
  reuse?: string;
}

/**
 * The stack the measures share. Started once per invocation (or attached to with --reuse), stopped before
 * the cold-start measure and at the end; every stop is checked: no process of the stack may survive it.
 */
export class BenchStacks {
  private owned: Stack | undefined;
  private attached: Stack | undefined;
  /** Wall time of the owned stack's bringUp: it doubles as the cold-start measure's warm-up. */
  ownedStartMs: number | undefined;
  /** Whether any stack was started in this invocation (the page cache then holds the JVMs' jars). */
  startedAny = false;

  constructor(readonly plan: StackPlan) {
    for (const n of [plan.name, plan.reuse]) {
      if (n !== undefined && FOREIGN.has(n) && n !== plan.reuse)
        throw new Error(`stack name "${n}" belongs to someone else; pick another --name`);
    }
  }

  async get(): Promise<Stack> {
    if (this.owned) return this.owned;
    if (this.attached) return this.attached;
    if (this.plan.reuse) {
      // Held until the benchmark exits: nothing else may run on the stack while it is measured.
      const s = await holdRunningStack(this.plan.reuse);
      if (!s)
        throw new Error(
          `--reuse ${this.plan.reuse}: no such running stack ` +
            `(start one with \`outbox-chaos up --detach --name ${this.plan.reuse} --port-base ${this.plan.portBase}\`)`,
        );
      this.attached = s;
      return s;
    }
    const t0 = Date.now();
    this.owned = await bringUp({ name: this.plan.name, portBase: this.plan.portBase });
    this.ownedStartMs = Date.now() - t0;
    this.startedAny = true;
    return this.owned;
  }

  /** True when a stack of the benchmark's (owned or attached) is up. */
  running(): boolean {
    return this.owned !== undefined || this.attached !== undefined;
  }

  reused(): boolean {
    return this.attached !== undefined;
  }

  async stopOwned(): Promise<void> {
    const s = this.owned;
    this.owned = undefined;
    if (s) await stopAndVerify(s);
  }
}

/** Stops a stack and makes sure nothing of it survived (kills leftovers, and says so). */
export async function stopAndVerify(s: Stack): Promise<string | undefined> {
  await s.stop();
  const left = stackSurvivors(s.name);
  if (left.length === 0) return undefined;
  await killStackSurvivors(s.name);
  const msg = `stack "${s.name}" left ${left.length} process(es) after stop(): ${left.join(', ')} (killed)`;
  process.stderr.write(`warning: ${msg}\n`);
  return msg;
}
