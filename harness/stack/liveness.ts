import { describeStatus, expectedExit, readExitStatus } from './exits.ts';
import { isAlive, logTail, processState } from './processes.ts';
import { serviceNames, type ServiceName } from './service.ts';
import type { StackState } from './state.ts';

/** One service of a stack as its state file and /proc see it, without talking to it. */
export interface ServiceCondition {
  service: ServiceName;
  pid?: number;
  /**
   * running; frozen (SIGSTOP); dead (its pid is gone); stopped (no pid recorded: a fault or an interrupted run left it
   * down).
   */
  state: 'running' | 'frozen' | 'dead' | 'stopped';
  /** For humans: how it died, and who stopped it when that was meant. */
  detail: string;
  logFile: string;
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

export function serviceConditions(state: StackState): ServiceCondition[] {
  return serviceNames(state.topology).map((service) => {
    const pid = state.pids[service];
    const logFile = `${state.dir}/logs/${service}.log`;
    if (pid === undefined) return { service, state: 'stopped', detail: 'not running (no process recorded)', logFile };
    if (isAlive(pid)) {
      const frozen = processState(pid) === 'T';
      return {
        service,
        pid,
        state: frozen ? 'frozen' : 'running',
        detail: frozen ? `pid ${pid}, frozen (SIGSTOP)` : `pid ${pid}`,
        logFile,
      };
    }
    const status = readExitStatus(state.dir, pid);
    const by = expectedExit(state.dir, pid);
    const when = status ? ` at ${clock(status.at)} UTC` : '';
    const who = by ? `, stopped by ${by.command} (pid ${by.by})` : '';
    return {
      service,
      pid,
      state: 'dead',
      detail: `pid ${pid} is dead: ${describeStatus(status)}${when}${who}`,
      logFile,
    };
  });
}

/** The problems of the services that are not running, each with the last lines of its log. */
export function downServices(
  state: StackState,
  lines = 10,
): { service: ServiceName; problem: string; logTail: string }[] {
  return serviceConditions(state)
    .filter((c) => c.state !== 'running')
    .map((c) => ({ service: c.service, problem: `${c.service}: ${c.detail}`, logTail: logTail(c.logFile, lines) }));
}
