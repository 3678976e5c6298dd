/**
 * How a Postgres client error maps onto the history's outcomes. The line that matters: did the server
 * certainly roll back (failed), or could the commit have happened without us hearing about it (unknown)?
 */
import pg from 'pg';

/**
 * An ERROR-severity response means the statement failed and its transaction is rolled back (or can only roll
 * back). FATAL/PANIC (e.g. 57P01 terminate_backend, 57P02 crash shutdown) end the session: the server may have
 * committed just before it sent them, so those count as broken connections, like socket errors and timeouts.
 */
export function isRollbackError(e: unknown): e is pg.DatabaseError {
  if (!(e instanceof pg.DatabaseError)) return false;
  const severity = (e.severity ?? '').toUpperCase();
  if (severity === 'FATAL' || severity === 'PANIC') return false;
  const code = e.code ?? '';
  return !code.startsWith('08') && !code.startsWith('57P');
}

/** Errors pg raises before writing anything to the socket: the op was not sent and can be retried. */
export function isNotSentError(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof pg.DatabaseError) return false;
  return /is not queryable/.test(e.message);
}

export function errorText(e: unknown): string {
  if (e instanceof pg.DatabaseError) return `${e.code ?? '?'} ${e.message}`;
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${e.message}` : e.message;
  }
  return String(e);
}
