import { ConfigError } from '../util/errors.ts';

/** Units of fault parameters; each has one phrase used in validation messages. */
export type ParamUnit = 'ms' | 'us' | 'bytes' | 'kbps' | 'ratio' | 'direction' | 'sql';

export interface ParamDef {
  name: string;
  unit: ParamUnit;
  required?: boolean;
  /** Smallest allowed value (default 0). */
  min?: number;
  doc: string;
}

const PHRASE: Record<ParamUnit, string> = {
  ms: 'a number of ms',
  us: 'a number of µs',
  bytes: 'a number of bytes',
  kbps: 'a rate in KB/s',
  ratio: 'a number between 0 and 1',
  direction: 'one of upstream, downstream, both',
  sql: 'an SQL statement (a non-empty string)',
};

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
}

/** Checks one value against its definition; returns it typed, or throws a ConfigError naming `path`. */
export function checkParam(def: ParamDef, v: unknown, path: string): number | string {
  const bad = (extra = '') => new ConfigError(`${path} must be ${PHRASE[def.unit]}${extra}, got ${show(v)}`);
  if (def.unit === 'direction') {
    if (v === 'upstream' || v === 'downstream' || v === 'both') return v;
    throw bad();
  }
  if (def.unit === 'sql') {
    if (typeof v === 'string' && v.trim() !== '') return v;
    throw bad();
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad();
  if (def.unit === 'ratio') {
    if (v < 0 || v > 1) throw bad();
    return v;
  }
  // Toxiproxy decodes its attributes as integers: 1.5 would be refused at start, so refuse it here.
  const min = def.min ?? 0;
  if (!Number.isInteger(v) || v < min) throw bad(` (a whole number ≥ ${min})`);
  return v;
}

/**
 * Reads the parameters a kind accepts from `params`, refusing unknown names (a typo would otherwise
 * silently fall back to a default) and missing required ones.
 */
export function readParams(
  defs: readonly ParamDef[],
  params: Record<string, unknown>,
  path: string,
  kind: string,
): Record<string, number | string> {
  const known = new Set(defs.map((d) => d.name));
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      const accepted = defs.length ? `accepts: ${defs.map((d) => d.name).join(', ')}` : 'takes no parameters';
      throw new ConfigError(`${path}.${key} is not a parameter of ${kind} (${kind} ${accepted})`);
    }
  }
  const out: Record<string, number | string> = {};
  for (const def of defs) {
    const v = params[def.name];
    if (v === undefined) {
      if (def.required)
        throw new ConfigError(`${path}.${def.name} is required for ${kind}: ${PHRASE[def.unit]} (${def.doc})`);
      continue;
    }
    out[def.name] = checkParam(def, v, `${path}.${def.name}`);
  }
  return out;
}
