import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The harness's layers, bottom first. A production file may import only from its own folder or from a folder
// of a lower layer: imports point down, parts never import the runner, and no cycle can form between folders.
// Within a folder, file-level cycles are refused too. A new violation fails `npm test`, naming the import.
const LAYERS: string[][] = [
  ['util'], // small helpers, the redaction rule among them (docs/secrets.md); imports nothing of the harness
  ['model'], // the captured tables: columns, PG types, keys, normalisers; the catalog reader (imports only util)
  ['record'], // the run record; imports only util and model (it writes through the redaction rule)
  ['provision'], // fetching and building the programs
  ['stack', 'connect'], // the programs as processes, target names, Postgres/Kafka/Toxiproxy/Connect clients
  ['pipeline'], // pipeline definitions, run names, register/reset
  ['provider'], // where the pipeline runs (local, containers, external) and how to open it
  ['check', 'report'], // pure functions of a run record
  ['faults', 'observe', 'workload'], // the parts a run composes
  ['scenario'], // the runner, its phases, the zoo
  ['cli', 'api'], // arguments in, one call per command, exit codes out; the library API (nothing imports either)
];
/** Folders that must not import each other's layer-mates or anything of the harness. */
const LEAF = new Set(['util']);

const HARNESS = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HARNESS);
const BENCH = join(ROOT, 'bench');

// bench/ sits on top: it may import the harness, never the reverse. It uses the library's entry points (the
// provider, the pipeline, the runner, ...), not the command line, and stack/ internals only where no entry point
// exists: the stock peer stack is assembled from the service definitions, and the Postgres client.
const BENCH_MAY_IMPORT = ['bench/', 'test/fixtures/', 'harness/'];
const BENCH_MAY_NOT_IMPORT = ['harness/cli/', 'harness/cli.ts', 'harness/stack/'];
const BENCH_STACK_USES = new Set(['bench/lib/peer-stack.ts']);
const BENCH_STACK_FILES = new Set(['harness/stack/pg.ts']);
const IMPORT = /(?:import|export)\s[^;]*?from\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/gs;

function tsFiles(dir: string, tests = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p, tests);
    return e.name.endsWith('.ts') && (tests || !e.name.includes('.test.')) ? [p] : [];
  });
}
const productionFiles = (dir: string): string[] => tsFiles(dir);

/** `cli.ts` belongs to cli/, `scenario/run/plan.ts` to scenario/. */
const folderOf = (file: string): string => relative(HARNESS, file).split('/')[0]!.replace(/\.ts$/, '');
const rank = (folder: string): number => LAYERS.findIndex((l) => l.includes(folder));

function importsOf(file: string): { target: string; line: string }[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(IMPORT)].map((m) => ({
    target: normalize(join(dirname(file), (m[1] ?? m[2])!)),
    line: m[0].split('\n').join(' '),
  }));
}

/** Imports that break the layering; paths relative to harness/. */
function layerViolations(edges: { from: string; to: string; line: string }[]): string[] {
  const out: string[] = [];
  for (const { from, to, line } of edges) {
    if (to.startsWith('..')) {
      out.push(`${from}: imports from outside harness/ (${line})`);
      continue;
    }
    const a = folderOf(join(HARNESS, from));
    const b = folderOf(join(HARNESS, to));
    if (a !== b && (LEAF.has(a) || rank(b) >= rank(a)))
      out.push(`${from} (${a}, layer ${rank(a)}) → ${to} (${b}, layer ${rank(b)}): ${line}`);
  }
  return out;
}

/** Imports of bench/ outside its allowed set, and imports of bench/ from the harness; paths relative to the root. */
function benchViolations(edges: { from: string; to: string; line: string }[]): string[] {
  return edges.flatMap(({ from, to, line }) => {
    if (from.startsWith('harness/'))
      return to.startsWith('bench/') ? [`${from}: the harness imports bench/ (${line})`] : [];
    const allowed =
      BENCH_MAY_IMPORT.some((p) => to.startsWith(p)) &&
      (!BENCH_MAY_NOT_IMPORT.some((p) => to.startsWith(p)) ||
        (to.startsWith('harness/stack/') && (BENCH_STACK_USES.has(from) || BENCH_STACK_FILES.has(to))));
    return allowed ? [] : [`${from} → ${to}: not an entry point bench/ may use (${line})`];
  });
}

/** Every file-level cycle inside the harness, each as a path of files. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...stack.slice(stack.indexOf(t)), t]);
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('harness layers', () => {
  const files = productionFiles(HARNESS);
  const graph = new Map(
    files.map((f) => [
      f,
      importsOf(f)
        .map((i) => i.target)
        .filter((t) => t.startsWith(HARNESS)),
    ]),
  );

  it('every folder has a layer', () => {
    const unknown = [...new Set(files.map(folderOf))].filter((f) => rank(f) < 0);
    expect(unknown, 'add the folder to LAYERS in harness/layers.test.ts').toEqual([]);
  });

  it('imports point down only (util imports nothing of the harness)', () => {
    const edges = files.flatMap((file) =>
      importsOf(file).map(({ target, line }) => ({
        from: relative(HARNESS, file),
        to: relative(HARNESS, target),
        line,
      })),
    );
    expect(layerViolations(edges)).toEqual([]);
  });

  it('no import cycle between files', () => {
    expect(cycles(graph).map((c) => c.map((f) => relative(HARNESS, f)).join(' → '))).toEqual([]);
  });

  it('bench/ imports only the allowed parts of the harness, and nothing of the harness imports bench/', () => {
    const edges = [...tsFiles(BENCH, true), ...tsFiles(HARNESS, true)].flatMap((file) =>
      importsOf(file).map(({ target, line }) => ({ from: relative(ROOT, file), to: relative(ROOT, target), line })),
    );
    expect(edges.filter((e) => e.from.startsWith('bench/')).length).toBeGreaterThan(50);
    expect(benchViolations(edges)).toEqual([]);
  });

  it('finds planted violations and a planted cycle (the rules can fail)', () => {
    const edge = (from: string, to: string) => ({ from, to, line: `import x from '${to}'` });
    expect(layerViolations([edge('check/compare.ts', 'scenario/runner.ts')])).toHaveLength(1); // upward
    expect(layerViolations([edge('faults/network-faults.ts', 'observe/loop.ts')])).toHaveLength(1); // sideways
    expect(layerViolations([edge('util/log.ts', 'record/report.ts')])).toHaveLength(1); // util is a leaf
    expect(layerViolations([edge('check/compare.ts', '../test/fixtures/checker.ts')])).toHaveLength(1); // outside
    expect(
      layerViolations([
        edge('scenario/runner.ts', 'faults/nemesis.ts'),
        edge('check/compare.ts', 'check/fingerprint.ts'),
      ]),
    ).toEqual([]);
    expect(benchViolations([edge('harness/report/write.ts', 'bench/lib/table.ts')])).toHaveLength(1);
    expect(benchViolations([edge('harness/report/write.test.ts', 'bench/lib/table.ts')])).toHaveLength(1);
    expect(benchViolations([edge('bench/run.ts', 'harness/cli/run.ts')])).toHaveLength(1);
    expect(benchViolations([edge('bench/lib/stacks.ts', 'harness/stack/stack.ts')])).toHaveLength(1);
    expect(benchViolations([edge('bench/run.ts', 'node_modules/x/index.ts')])).toHaveLength(1);
    expect(
      benchViolations([
        edge('bench/lib/peer-stack.ts', 'harness/stack/service.ts'),
        edge('bench/measures/reset.ts', 'harness/stack/pg.ts'),
        edge('bench/lib/stacks.ts', 'harness/provider/local-stack.ts'),
        edge('bench/measures/driver.ts', 'test/fixtures/pg-throwaway.ts'),
      ]),
    ).toEqual([]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c', 'a']]);
  });
});
