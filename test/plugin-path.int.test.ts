import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../harness/connect/client.ts';
import { provision } from '../harness/provision/index.ts';
import { stackDir } from '../harness/stack/stack.ts';
import { readState } from '../harness/stack/state.ts';
import { cli } from './fixtures/cli.ts';

/**
 * --plugin-path on a stack of this file's own: a small sink plugin the test compiles against the cached Connect
 * API is installed next to Debezium and ours, shows up in the worker's plugin list and runs.
 */
const NAME = process.env.OUTBOX_CHAOS_TEST_PLUGIN_NAME ?? 'pluginpath';
const PORT_BASE = process.env.OUTBOX_CHAOS_TEST_PLUGIN_PORT_BASE ?? '18300';
const CLASS = 'io.example.noop.NoopSinkConnector';
const work = mkdtempSync(join(tmpdir(), 'oc-plugin-'));

const CONNECTOR = `package io.example.noop;
import java.util.*;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.*;
public class NoopSinkConnector extends SinkConnector {
  private Map<String, String> props;
  @Override public String version() { return "1.0"; }
  @Override public void start(Map<String, String> p) { props = p; }
  @Override public Class<? extends Task> taskClass() { return NoopSinkTask.class; }
  @Override public List<Map<String, String>> taskConfigs(int max) { return Collections.singletonList(props); }
  @Override public void stop() {}
  @Override public ConfigDef config() { return new ConfigDef(); }
}`;
const TASK = `package io.example.noop;
import java.util.*;
import org.apache.kafka.connect.sink.*;
public class NoopSinkTask extends SinkTask {
  @Override public String version() { return "1.0"; }
  @Override public void start(Map<String, String> p) {}
  @Override public void put(Collection<SinkRecord> records) {}
  @Override public void stop() {}
}`;

/** Compiles the plugin into <work>/plugins/noop/noop.jar with the JDK the stack runs Connect on. */
async function buildPlugin(): Promise<string> {
  const { kafkaLib, kafkaJdk } = await provision();
  const src = join(work, 'src', 'io', 'example', 'noop');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'NoopSinkConnector.java'), CONNECTOR);
  writeFileSync(join(src, 'NoopSinkTask.java'), TASK);
  const classes = join(work, 'classes');
  const bin = join(kafkaJdk.home, 'bin');
  execFileSync(join(bin, 'javac'), [
    '-d',
    classes,
    '-cp',
    `${kafkaLib}/*`,
    join(src, 'NoopSinkConnector.java'),
    join(src, 'NoopSinkTask.java'),
  ]);
  const plugins = join(work, 'plugins');
  mkdirSync(join(plugins, 'noop'), { recursive: true });
  execFileSync(join(bin, 'jar'), ['cf', join(plugins, 'noop', 'noop.jar'), '-C', classes, '.']);
  return plugins;
}

afterAll(async () => {
  await cli(['down', '--name', NAME]).exited;
  rmSync(work, { recursive: true, force: true });
});

describe('--plugin-path', () => {
  it("installs a user's plugin on the worker, next to Debezium and ours, and it runs", async () => {
    const plugins = await buildPlugin();
    const up = cli(['up', '--detach', '--name', NAME, '--port-base', PORT_BASE, '--plugin-path', plugins]);
    const { code } = await up.exited;
    expect(code, up.output()).toBe(0);
    const connect = new ConnectClient(readState(stackDir(NAME))!.endpoints.connectUrl);
    expect(await connect.plugins()).toEqual(
      expect.arrayContaining([
        CLASS,
        'io.debezium.connector.postgresql.PostgresConnector',
        'io.outboxchaos.es.ElasticsearchSinkConnector',
      ]),
    );
    await connect.put('noop', { 'connector.class': CLASS, topics: 'noop', 'tasks.max': '1' });
    const deadline = Date.now() + 30_000;
    let st = await connect.status('noop');
    while (Date.now() < deadline && !(st?.connector.state === 'RUNNING' && st.tasks[0]?.state === 'RUNNING')) {
      await new Promise((r) => setTimeout(r, 500));
      st = await connect.status('noop');
    }
    expect(st?.tasks[0]?.state).toBe('RUNNING');
  });
});
