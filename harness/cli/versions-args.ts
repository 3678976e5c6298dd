import { DEFAULT_PG_MAJOR, parseVersions, PG_MAJORS, type PgMajor } from '../provision/pg-versions.ts';
import type { Options } from './args.ts';

export const VERSIONS_OPTIONS: Options = { versions: { type: 'string', multiple: true } };

export const VERSIONS_HELP =
  `  --versions C=V    a component's version on a new local stack (repeatable, or comma-separated);\n` +
  `                    today only postgres=N, N one of ${PG_MAJORS.join(', ')} (default ${DEFAULT_PG_MAJOR}): the
                    pinned build of that major (docs/postgres-versions.md); a running stack of another
                    major is refused`;

/** --versions, validated (an unknown component or major is exit 2); the Postgres major asked for, if any. */
export function versionsOpt(values: Record<string, unknown>): { postgres?: PgMajor } {
  const v = values.versions;
  if (v === undefined) return {};
  return parseVersions(Array.isArray(v) ? (v as string[]) : [String(v)]);
}
