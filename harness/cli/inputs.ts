import { definitionProblems } from '../pipeline/definition.ts';
import { readExternalEnv } from '../provider/env-file.ts';
import type { ProviderChoice } from '../provider/open.ts';
import { traitsOf } from '../provider/traits.ts';
import { extraPluginDirs } from '../stack/plugin-path.ts';
import { ConfigError } from '../util/errors.ts';

/**
 * Every input a command takes, checked before it starts anything: each check that fails is noted and the next
 * still runs, and `done()` throws them all at once (exit 2), so one attempt shows every mistake.
 */
export class InputCheck {
  private readonly problems: ConfigError[] = [];

  /**
   * The value `read` returns; when it throws a ConfigError, that is noted for `done()` and `fallback` (or
   * undefined) stands in, which nothing uses since `done()` then throws.
   */
  take<T>(read: () => T): T | undefined;
  take<T>(read: () => T, fallback: T): T;
  take<T>(read: () => T, fallback?: T): T | undefined {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(err);
      return fallback;
    }
  }

  /** True while nothing was noted. */
  ok(): boolean {
    return this.problems.length === 0;
  }

  add(...problems: ConfigError[]): void {
    this.problems.push(...problems);
  }

  /** A pipeline definition directory: present, and every file of it well-formed. */
  definition(dir: string | undefined, flag: string): void {
    for (const p of definitionProblems(dir)) this.add(new ConfigError(`${flag}: ${p.message}`, p.fix, p.details));
  }

  /**
   * What a provider that starts services needs besides: the extra plugin directories (--plugin-path, or
   * OUTBOX_CHAOS_PLUGIN_PATH), each an existing directory; and the env file of one described by an env file.
   */
  provider(choice: ProviderChoice): void {
    if (traitsOf(choice).startsServices) this.take(() => extraPluginDirs());
    this.envFile(choice);
  }

  /** The env file of a provider that needs one: readable, valid YAML, every field right. */
  envFile(choice: ProviderChoice | undefined): void {
    if (choice && traitsOf(choice).needsEnvFile && choice.env) this.take(() => readExternalEnv(choice.env as string));
  }

  /** Throws what was noted: one problem as it is, several as one error listing each with its fix. */
  done(): void {
    const [first, ...rest] = this.problems;
    if (!first) return;
    if (rest.length === 0) throw first;
    const lines = this.problems.map((p, i) => `  ${i + 1}. ${p.message}${p.fix ? `\n     fix: ${p.fix}` : ''}`);
    throw new ConfigError(
      `${this.problems.length} problems with the input (nothing was started):\n${lines.join('\n')}`,
      'correct each of them and run the command again',
    );
  }
}
