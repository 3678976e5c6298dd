import type { Artifacts } from '../provision/index.ts';
import { declarePublic } from '../util/redact.ts';
import type { PortPlan } from './ports.ts';
import type { RunAs } from './processes.ts';

/** What every service definition needs to know about the stack it belongs to. */
export interface StackContext {
  name: string;
  /** Root of this stack's data dirs, configs, logs and pid file. */
  dir: string;
  ports: PortPlan;
  artifacts: Artifacts;
  pgUser: RunAs | undefined;
  esUser: RunAs | undefined;
  /** JVM heap sizes in MB, sized for a 2-core / 24 GiB machine by default. */
  heapMb: { kafka: number; connect: number; elasticsearch: number };
}

export const HOST = '127.0.0.1';
export const PG_DATABASE = 'mycompany';
export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';
// The local stack's credentials are in the README and the source: masking them would only hide a working URL.
declarePublic(PG_USER, PG_PASSWORD);
