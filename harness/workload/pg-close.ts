import type pg from 'pg';

/** Drops a connection at once: the socket goes, whatever is in flight fails. */
export function destroy(c: pg.Client): void {
  try {
    c.connection.stream.destroy();
  } catch {
    // already gone
  }
  c.end().catch(() => undefined);
}

/** A polite goodbye, unless the server does not answer it within 2 s. */
export async function closePolitely(c: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      destroy(c);
      resolve();
    }, 2_000);
  });
  await Promise.race([c.end().catch(() => undefined), timeout]);
  clearTimeout(timer);
}
