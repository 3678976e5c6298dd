import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, STACK_OPTIONS } from '../cli/args.ts';
import type { StackContext } from './context.ts';
import { extraPluginDirs, PLUGIN_PATH_ENV } from './plugin-path.ts';
import { initConnect } from './services/connect.ts';

const made: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'oc-plugins-'));
  made.push(d);
  return d;
};
afterEach(() => {
  delete process.env[PLUGIN_PATH_ENV];
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("--plugin-path: the user's own Connect plugins", () => {
  it("adds the directories to the worker's plugin.path, and scans them (they may lack service manifests)", () => {
    const a = dir();
    const b = dir();
    parse('up', ['--plugin-path', `${a}${delimiter}${b}`], STACK_OPTIONS);
    expect(extraPluginDirs()).toEqual([a, b]);
    const stackDir = dir();
    initConnect({
      dir: stackDir,
      ports: { proxyKafka: 1, connect: 2 },
      artifacts: { pluginPath: ['/cache/debezium', '/cache/sink'] },
    } as unknown as StackContext);
    const props = readFileSync(join(stackDir, 'connect', 'connect.properties'), 'utf8');
    expect(props).toContain(`plugin.path=/cache/debezium,/cache/sink,${a},${b}\n`);
    expect(props).toContain('plugin.discovery=hybrid_warn\n');
  });

  it('without extra directories the worker keeps the fast service_load discovery', () => {
    const stackDir = dir();
    initConnect({
      dir: stackDir,
      ports: { proxyKafka: 1, connect: 2 },
      artifacts: { pluginPath: ['/cache/debezium'] },
    } as unknown as StackContext);
    expect(readFileSync(join(stackDir, 'connect', 'connect.properties'), 'utf8')).toContain(
      'plugin.discovery=service_load\n',
    );
  });

  it('a directory that does not exist is a usage error naming it', () => {
    expect(() => extraPluginDirs('/no/such/plugins')).toThrow(/plugin path "\/no\/such\/plugins" is not a directory/);
  });
});
