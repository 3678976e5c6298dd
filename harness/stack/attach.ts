import { EnvError } from '../util/errors.ts';
import { isAlive } from './processes.ts';
import type { ServiceName } from './service.ts';
import { stackDir } from './stack.ts';
import { readState, type StackState } from './state.ts';

/** A stack that `up --detach` left running, found through its state file. */
export function findRunningStack(name = 'default'): StackState | undefined {
  const state = readState(stackDir(name));
  if (!state) return undefined;
  const alive = Object.values(state.pids).some((pid) => pid !== undefined && isAlive(pid));
  return alive ? state : undefined;
}

export function requireRunningStack(name = 'default'): StackState {
  const s = findRunningStack(name);
  if (!s) throw new EnvError(`no running stack "${name}"`, 'start one with `outbox-chaos up --detach`');
  return s;
}

export function deadServices(state: StackState): ServiceName[] {
  return (Object.entries(state.pids) as [ServiceName, number][]).filter(([, pid]) => !isAlive(pid)).map(([n]) => n);
}
