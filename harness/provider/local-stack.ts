/**
 * The local stack as tools outside the harness (the benchmark) reach it: the types, holding a running stack,
 * and the processes a stopped stack left behind. Starting one is `bringUp` in open.ts.
 */
import { findStackProcesses, killStackProcesses } from '../stack/processes.ts';
import { claimStack } from '../stack/owner.ts';
import { attachStack, stackDir, type Stack } from '../stack/stack.ts';

export type { Endpoints } from '../stack/endpoints.ts';
export type { Stack } from '../stack/stack.ts';

/**
 * The running stack of this name, held by this process until it exits (no other command starts, stops or
 * runs on it meanwhile); undefined when none runs. StackInUse (exit 3) while another live command holds it.
 */
export async function holdRunningStack(name: string): Promise<Stack | undefined> {
  claimStack(name);
  return attachStack(name);
}

/** The pids of the stack's processes still alive: after a stop, what survived it. */
export function stackSurvivors(name: string): number[] {
  return findStackProcesses(stackDir(name));
}

/** Kills what survived a stop of the stack; returns how many processes it killed. */
export function killStackSurvivors(name: string): Promise<number> {
  return killStackProcesses(stackDir(name));
}
