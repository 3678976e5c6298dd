import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli.ts';

// docs/cli.md documents every command and flag once. This keeps it honest against the CLI itself: the flags a
// command's --help names, the flags its parser accepts, and the flags its section of docs/cli.md lists must be
// the same set. The parser is asked directly (in process, through main), so a flag declared in code but left
// out of --help is caught too.

const CLI_MD = join(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)));
const FLAG = /--[a-z][a-z0-9-]*/g;

type Captured = { code: number; out: string; err: string };

let savedPluginPath: string | undefined;
beforeEach(() => {
  savedPluginPath = process.env.OUTBOX_CHAOS_PLUGIN_PATH;
});
afterEach(() => {
  // --plugin-path=… writes the variable (args.ts); probing it must not leak into other tests.
  if (savedPluginPath === undefined) delete process.env.OUTBOX_CHAOS_PLUGIN_PATH;
  else process.env.OUTBOX_CHAOS_PLUGIN_PATH = savedPluginPath;
  vi.restoreAllMocks();
});

async function cli(argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

/** The command names `outbox-chaos --help` lists. */
export function commandsOf(usage: string): string[] {
  const start = usage.indexOf('\nusage:');
  const end = usage.indexOf('\nexit codes');
  return usage
    .slice(start, end)
    .split('\n')
    .map((l) => /^ {2}([a-z]+) {2,}\S/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);
}

/** Flags a help text names: in its usage lines (up to the first blank line) and its option lines. */
export function helpFlags(help: string): Set<string> {
  const lines = help.split('\n');
  const blank = lines.findIndex((l) => l.trim() === '');
  const usage = lines.slice(0, blank === -1 ? lines.length : blank);
  // An option line starts with two spaces and a flag; its flags end where the description starts (3+ spaces).
  const options = lines
    .slice(usage.length)
    .filter((l) => /^ {2}--[a-z]/.test(l))
    .map((l) => l.trim().split(/ {3,}/)[0] as string);
  const flags = [...usage, ...options].flatMap((l) => l.match(FLAG) ?? []);
  return new Set(flags.filter((f) => f !== '--help'));
}

/** Per command, the flags the first cell of each row of its section's table in docs/cli.md names. */
export function documentedFlags(markdown: string): Map<string, Set<string>> {
  const byCommand = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## `([a-z]+)`\s*$/.exec(line);
    if (heading) {
      current = new Set();
      byCommand.set(heading[1] as string, current);
      continue;
    }
    if (line.startsWith('## ')) current = undefined;
    if (!current || !/^\| `--/.test(line)) continue;
    const firstCell = line.split(' | ')[0] as string;
    for (const f of firstCell.match(FLAG) ?? []) current.add(f);
  }
  return byCommand;
}

/** Whether the command's parser knows the flag: `--flag=1 --help` is either accepted or refused for its value. */
async function accepts(command: string, flag: string): Promise<boolean> {
  const r = await cli([command, `${flag}=1`, '--help']);
  if (r.code === 0) return true;
  if (/Unknown option/.test(r.err)) return false;
  if (/does not take an argument/.test(r.err)) return true;
  throw new Error(`${command} ${flag}: unexpected answer (exit ${r.code}): ${r.err}`);
}

const sorted = (s: Iterable<string>): string[] => [...s].sort();

describe('docs/cli.md against the command line', () => {
  it('the helpers read what they should', () => {
    expect(helpFlags('outbox-chaos x [--a N] [--b-c]\n  [--d]\n\ntext --not-me\n  --e F   uses --f\n  --g\n')).toEqual(
      new Set(['--a', '--b-c', '--d', '--e', '--g']),
    );
    const md = '## `x`\n\n| `--a N`, `--b` | see `--c` |\n| other | `--d` |\n## Other\n| `--e` | |\n';
    expect(documentedFlags(md)).toEqual(new Map([['x', new Set(['--a', '--b'])]]));
  });

  it('documents every command, every flag each --help names, and nothing a command lacks', async () => {
    const docs = documentedFlags(readFileSync(CLI_MD, 'utf8'));
    const commands = commandsOf((await cli(['--help'])).out);
    expect(commands.length).toBeGreaterThan(10);
    expect(sorted(docs.keys()), 'docs/cli.md has one "## `command`" section per command').toEqual(sorted(commands));

    const helps = new Map<string, Set<string>>();
    for (const c of commands) {
      const r = await cli([c, '--help']);
      expect(r.code, `${c} --help`).toBe(0);
      helps.set(c, helpFlags(r.out));
    }
    // Every flag named anywhere, and one no command has: the probe must tell it apart.
    const bogus = '--no-such-flag-anywhere';
    const universe = new Set([...helps.values(), ...docs.values()].flatMap((s) => [...s]));

    const problems: string[] = [];
    for (const c of commands) {
      const help = helps.get(c) as Set<string>;
      const documented = docs.get(c) as Set<string>;
      const accepted = new Set<string>();
      for (const f of universe) if (await accepts(c, f)) accepted.add(f);
      expect(await accepts(c, bogus), `${c} must refuse ${bogus}`).toBe(false);
      for (const f of help) if (!documented.has(f)) problems.push(`${c} --help names ${f}; docs/cli.md does not`);
      for (const f of documented) if (!accepted.has(f)) problems.push(`docs/cli.md names ${c} ${f}; ${c} refuses it`);
      for (const f of documented) if (!help.has(f)) problems.push(`docs/cli.md names ${c} ${f}; ${c} --help does not`);
      for (const f of accepted) if (!help.has(f)) problems.push(`${c} accepts ${f}; its --help does not name it`);
    }
    expect(problems).toEqual([]);
  });
});
