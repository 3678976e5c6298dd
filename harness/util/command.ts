import { basename } from 'node:path';

/**
 * This process's command as a person would type it ("outbox-chaos run baseline --name h1"), for lock files and
 * messages.
 */
export function thisCommand(argv: readonly string[] = process.argv): string {
  const [, script = '', ...rest] = argv;
  const name = script.endsWith('bin/outbox-chaos.mjs') ? 'outbox-chaos' : basename(script);
  return [name, ...rest].join(' ').slice(0, 300);
}
