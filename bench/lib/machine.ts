import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** What the machine looked like: on a shared 2-core box the numbers mean little without it. */
export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memGiB: number;
  node: string;
}

export function machineFacts(): MachineFacts {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

export interface Load {
  t: string;
  /** 1-, 5- and 15-minute load averages. */
  load: [number, number, number];
  freeMemGiB: number;
}

export function loadNow(): Load {
  const [a, b, c] = loadavg();
  return {
    t: new Date().toISOString(),
    load: [round2(a ?? 0), round2(b ?? 0), round2(c ?? 0)],
    freeMemGiB: round2(freemem() / 2 ** 30),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
